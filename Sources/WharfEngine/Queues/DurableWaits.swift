import Dispatch
import Synchronization
import WharfCore

/// One wait for durability, as the engine's writes without waiting offer it
/// (`QueueSends.waits`, `QueueCompletions.waits`, `QueueReceived.waits`): it calls its argument once, with
/// nil or the error of the fdatasync that failed, possibly on a syncer's thread.
public typealias DurabilityWait = @Sendable (@escaping @Sendable (WharfError?) -> Void) -> Void

public enum DurableWaits {
    /// Calls `body` once, after every one of `waits` reported: nil if all succeeded, else the
    /// first error reported. At once when `waits` is empty.
    public static func whenAll(_ waits: [DurabilityWait], _ body: @escaping @Sendable (WharfError?) -> Void) {
        guard !waits.isEmpty else { return body(nil) }
        let remaining = Mutex((count: waits.count, error: WharfError?.none))
        for wait in waits {
            wait { error in
                let (done, first) = remaining.withLock { r -> (Bool, WharfError?) in
                    r.count -= 1
                    if r.error == nil { r.error = error }
                    return (r.count == 0, r.error)
                }
                if done { body(first) }
            }
        }
    }

    /// Blocks the calling thread until every one of `waits` reported; throws the first error.
    public static func waitBlocking(_ waits: [DurabilityWait]) throws(WharfError) {
        guard !waits.isEmpty else { return }
        let done = DispatchSemaphore(value: 0)
        let outcome = Mutex<WharfError?>(nil)
        whenAll(waits) { error in
            outcome.withLock { $0 = error }
            done.signal()
        }
        done.wait()
        if let error = outcome.withLock({ $0 }) { throw error }
    }
}

/// An answer that comes once, later and on any thread, to callers that may ask for it before or
/// after: what a chain of writes (each waiting for the one before it to be durable) hands out as
/// its `DurabilityWait`. The chain runs whether or not anyone waits.
final class DurabilityPromise: Sendable {
    private struct State {
        /// nil until answered; then nil (durable) or the error.
        var answer: WharfError??
        var waiting: [@Sendable (WharfError?) -> Void] = []
    }

    private let state = Mutex(State())

    /// Calls `body` with the answer: at once if it came already.
    func whenAnswered(_ body: @escaping @Sendable (WharfError?) -> Void) {
        let answer = state.withLock { s -> WharfError?? in
            if s.answer == nil { s.waiting.append(body) }
            return s.answer
        }
        if let answer { body(answer) }
    }

    /// `whenAnswered` as a `DurabilityWait`.
    var wait: DurabilityWait { { [self] body in whenAnswered(body) } }

    /// The first answer counts; later ones are ignored.
    func answer(_ error: WharfError?) {
        let waiting = state.withLock { s -> [@Sendable (WharfError?) -> Void] in
            guard s.answer == nil else { return [] }
            s.answer = .some(error)
            defer { s.waiting = [] }
            return s.waiting
        }
        for body in waiting { body(error) }
    }
}
