import Foundation
import Logging
import Testing
import WharfCore
@testable import WharfEngine
@testable import WharfStorage

/// Offset commits under `--fsync always` share fdatasyncs (issue 17): the coordinator writes a
/// commit and waits for its durability off the actor, so commits that arrive while one
/// fdatasync of `__consumer_offsets` runs are all written and covered by the next. Before, each
/// commit blocked the actor (and a thread of the concurrency pool) for its own fdatasync, and a
/// consumer committing after every message (confluent-kafka's usual loop) queued its fetches
/// behind a line of fdatasyncs: p99 over 0.5 s at 1,000 messages/s.
@Suite struct OffsetCommitGroupCommitTests {
    @Test func commitsArrivingDuringAnFdatasyncAreWrittenAndShareTheNextOne() async throws {
        let held = try HeldOffsetsSyncEngine()
        defer { held.remove() }
        let faults = held.faults
        let n = 16
        let tp = TopicPartition("t", 0)
        do {
            let engine = held.engine
            let offsets = try engine.log(Engine.offsetsTopic, 0)
            let syncsBefore = offsets.dataSyncs.load(ordering: .relaxed)
            try held.holdOffsetsSyncs()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for g in 0..<n {
                    group.addTask {
                        try await engine.coordinator.commit(groupId: "g\(g)", generationId: -1, memberId: "", offsets: [tp: (1, "")])
                    }
                }
                // Every commit is written (and applied) while the first fdatasync is held. The
                // deadline is generous: at the start of a parallel run the commits' tasks may
                // wait long for a thread of the pool (a passing run returns at once).
                let clock = ContinuousClock()
                let deadline = clock.now + .seconds(120)
                var written = 0
                while clock.now < deadline {
                    written = 0
                    for g in 0..<n where await engine.coordinator.fetchOffsets(groupId: "g\(g)", partitions: [tp])[tp] != nil { written += 1 }
                    if written == n && faults.syncsWaiting == 1 { break }
                    try await Task.sleep(for: .milliseconds(2))
                }
                faults.releaseSyncs()
                #expect(written == n, "only \(written) of \(n) commits were written while an fdatasync ran")
                try await group.waitForAll()
            }
            // The held round covered the first commit; the next covered all the others.
            #expect(offsets.dataSyncs.load(ordering: .relaxed) - syncsBefore <= 2)
            try engine.close()
        }
        // Every acknowledged commit is on disk.
        let reopened = try held.reopened()
        defer { try? reopened.close() }
        for g in 0..<n {
            #expect(await reopened.coordinator.fetchOffsets(groupId: "g\(g)", partitions: [tp])[tp]?.offset == 1)
        }
    }
}
