import Synchronization

/// Mirrors a channel's writability for its worker: the event loop reports changes
/// (`channelWritabilityChanged`), the worker waits before it takes the next request while the
/// channel holds more unsent bytes than its high-water mark. A client that sends requests but
/// never reads their answers thus stalls only its own connection, and the listener holds at
/// most one answer beyond the mark for it. Thread-safe: all state is behind one mutex.
final class WritabilityGate: Sendable {
    private struct State {
        var writable = true
        var closed = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    init() {}

    /// Called on the event loop whenever the channel's writability changes.
    func set(writable: Bool) {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            s.writable = writable
            guard writable else { return nil }
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume()
    }

    /// The connection is gone: wake the worker for good.
    func close() {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            s.closed = true
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume()
    }

    /// Returns once the channel is writable, closed, or the calling task is cancelled.
    func waitUntilWritable() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let proceed = state.withLock { s -> Bool in
                    if s.writable || s.closed || Task.isCancelled { return true }
                    s.waiter = continuation
                    return false
                }
                if proceed { continuation.resume() }
            }
        } onCancel: {
            close()
        }
    }
}
