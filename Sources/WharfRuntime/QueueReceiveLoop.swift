import Foundation
import WharfCore
import WharfEngine

/// `wharf queue receive --follow`: a long-running handler loop. Receives up to `max` messages,
/// hands each to `emit` (the command prints one line) and only then settles it, so a crash
/// between the two leaves the message locked, never settled unseen; on the next open of the
/// data directory its lock is released and it is delivered again (at-least-once, as with
/// Service Bus peek-lock). Idle, it polls every 100 ms and runs queue maintenance (expiries,
/// schedules, lock timeouts). Stops cleanly on SIGINT/SIGTERM.
public struct QueueReceiveLoop {
    let queue: String
    let max: Int
    let mode: ReceiveMode
    let emit: (QueueMessage) throws -> Void
    let settle: (QueueMessage) throws -> Void

    public init(queue: String, max: Int, mode: ReceiveMode, emit: @escaping (QueueMessage) throws -> Void,
                settle: @escaping (QueueMessage) throws -> Void) {
        self.queue = queue
        self.max = max
        self.mode = mode
        self.emit = emit
        self.settle = settle
    }

    /// Returns the number of messages received.
    public func run(_ q: QueueStore) async throws -> Int {
        let signals = StopSignals()
        var received = 0
        while signals.received == nil {
            let got = try q.receive(queue, max: max, mode: mode)
            if got.isEmpty {
                _ = try q.tick()
                try? await Task.sleep(for: .milliseconds(100))
                continue
            }
            for m in got {
                try emit(m)
                fflush(nil)
                try settle(m)
                received += 1
            }
        }
        return received
    }
}
