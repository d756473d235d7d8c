import Synchronization
import WharfCore

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
