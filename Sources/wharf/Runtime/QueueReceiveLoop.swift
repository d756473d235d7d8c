import Foundation
import WharfCore
import WharfEngine

/// `wharf queue receive --follow`: a long-running handler loop. Receives up to `max` messages,
/// prints each (one line: JSON, or sequence number and body) and only then settles it, so a
/// crash between the two leaves the message locked, never settled unseen; on the next open of
/// the data directory its lock is released and it is delivered again (at-least-once, as with
/// Service Bus peek-lock). Idle, it polls every 100 ms and runs queue maintenance (expiries,
/// schedules, lock timeouts). Stops cleanly on SIGINT/SIGTERM.
struct QueueReceiveLoop {
    let queue: String
    let max: Int
    let mode: ReceiveMode
    let json: Bool
    let settle: (QueueMessage) throws -> Void

    /// Returns the number of messages received.
    func run(_ q: QueueStore) async throws -> Int {
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
                try printLine(m)
                fflush(nil)
                try settle(m)
                received += 1
            }
        }
        return received
    }

    private func printLine(_ m: QueueMessage) throws {
        if json { return try Output.json(QueueMessageJSON(m)) }
        print("\(m.sequenceNumber)\t\(Output.text(m.body))")
    }
}
