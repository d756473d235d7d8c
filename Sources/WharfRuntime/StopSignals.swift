import Foundation
import Synchronization

/// The first SIGINT or SIGTERM received (0: none yet). Written only by `recordStopSignal`, a C
/// signal handler: an atomic store is async-signal-safe, unlike anything that allocates or
/// takes a lock. `StopSignals.init` reads it first, so Swift's lazy global initialisation has
/// run before a handler can ever touch it.
private let receivedStopSignal = Atomic<Int32>(0)

/// SIGINT and SIGTERM turned into a value to wait for, instead of killing the process.
///
/// The handler is installed synchronously with `sigaction` when this is created. (A dispatch
/// signal source, used before, registers its handler later on the dispatch manager thread; a
/// signal arriving in between was ignored, and `wharf queue receive --follow` never stopped.)
public final class StopSignals: Sendable {
    public init() {
        _ = receivedStopSignal.load(ordering: .relaxed)
        for sig in [SIGINT, SIGTERM] {
            signal(sig) { s in receivedStopSignal.store(s, ordering: .relaxed) }
        }
    }

    /// The signal received so far, if any.
    public var received: Int32? {
        let s = receivedStopSignal.load(ordering: .relaxed)
        return s == 0 ? nil : s
    }

    /// Suspends until SIGINT or SIGTERM arrives (or the task is cancelled: then SIGTERM).
    /// Polls every 50 ms: no thread is held, and a stop is seen well within a human's patience.
    public func wait() async -> Int32 {
        while !Task.isCancelled {
            if let s = received { return s }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return received ?? SIGTERM
    }
}
