import Synchronization

/// A version counter that async waiters can sleep on: `bump()` increments it and wakes everyone
/// waiting; `wait(since:)` returns once the version differs from the one the caller last saw (or
/// at once if it already does, if the signal is closed, or if the task is cancelled).
///
/// No lost wake-ups: the version check and the registration of a waiter happen under the same
/// lock as `bump`'s increment, so a bump either precedes the check (seen) or finds the waiter.
/// Spurious wake-ups are allowed; callers re-check their condition.
final class ChangeSignal: Sendable {
    private struct State {
        var version: UInt64 = 0
        var closed = false
        var nextId: UInt64 = 0
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var cancelled: Set<UInt64> = []
    }

    private let state = Mutex(State())

    var version: UInt64 { state.withLock { $0.version } }
    var isClosed: Bool { state.withLock { $0.closed } }

    func bump() {
        let waiters = state.withLock { s in
            s.version &+= 1
            defer { s.waiters = [:] }
            return s.waiters
        }
        for w in waiters.values { w.resume() }
    }

    func close() {
        let waiters = state.withLock { s in
            s.closed = true
            s.version &+= 1
            defer { s.waiters = [:] }
            return s.waiters
        }
        for w in waiters.values { w.resume() }
    }

    func wait(since seen: UInt64) async {
        let id = state.withLock { s in
            s.nextId += 1
            return s.nextId
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let now = state.withLock { s -> Bool in
                    if s.version != seen || s.closed || s.cancelled.contains(id) { return true }
                    s.waiters[id] = c
                    return false
                }
                if now { c.resume() }
            }
        } onCancel: {
            let c = state.withLock { s in
                s.cancelled.insert(id)
                return s.waiters.removeValue(forKey: id)
            }
            c?.resume()
        }
        state.withLock { _ = $0.cancelled.remove(id) }
    }
}
