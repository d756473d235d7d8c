import Foundation
import Synchronization
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
        let stopped = StopFlag()
        let signals = StopSignals()
        let watcher = Task { _ = await signals.wait(); stopped.set() }
        defer { watcher.cancel() }
        var received = 0
        while !stopped.isSet {
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

/// Set once by the signal watcher, read by the loop between batches.
final class StopFlag: Sendable {
    private let flag = Mutex(false)
    func set() { flag.withLock { $0 = true } }
    var isSet: Bool { flag.withLock { $0 } }
}
