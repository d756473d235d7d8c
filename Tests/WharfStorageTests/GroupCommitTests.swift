import Foundation
import Testing
import WharfCore
@testable import WharfStorage
import WharfTestSupport

/// Group commit under `--fsync always` (issue 17): appends write under the lock and wait for an
/// fdatasync that covers them, shared by every append that arrived meanwhile; none is
/// acknowledged before its sync, and readers see nothing a power cut could still erase.
@Suite struct GroupCommitTests {
    /// An acknowledgement: the journal's length when `durable()` returned, and the end it covered.
    struct Ack: Sendable {
        let position: Int
        let end: Int64
    }

    @Test func appendsWrittenTogetherShareOneFdatasync() async throws {
        let dir = TempDir()
        defer { dir.remove() }
        let log = try PartitionLog.open(dir.partition, smallConfig(fsync: .always))
        var pending: [PendingAppend] = []
        for i in 0..<20 {
            var batch = makeBatch(count: 2, firstValue: i * 2)
            pending.append(try log.write(&batch))
        }
        // Written but not yet covered by any fdatasync: no reader may see it.
        #expect(log.logEndOffset == 0)
        #expect(log.dataSyncs.load(ordering: .relaxed) == 0)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for p in pending { group.addTask { try await p.durable() } }
            try await group.waitForAll()
        }
        #expect(log.dataSyncs.load(ordering: .relaxed) == 1, "one fdatasync covers all 20 appends")
        #expect(log.logEndOffset == 40)
        #expect(try log.readAll().count == 40)
        try log.close()
    }

    /// Many appenders at once, each acknowledging when its `durable()` returns: fewer fdatasyncs
    /// than appends, and a power cut right after any acknowledgement keeps what it acknowledged.
    @Test func concurrentAppendsAreAcknowledgedOnlyWhenDurable() async throws {
        let root = TempDir("wharf-groupcommit")
        defer { root.remove() }
        let journal = FileJournal()
        let faults = FaultInjector(journal: journal)
        let config = smallConfig(segmentBytes: 8192, fsync: .always)
        let log = try PartitionLog.open(directory: root.partition, config: config, clock: ManualClock(), logger: testLogger(), faults: faults)
        let appenders = 8, rounds = 12
        // (journal position when acknowledged, end offset acknowledged)
        let acked = try await withThrowingTaskGroup(of: [Ack].self) { group in
            for a in 0..<appenders {
                group.addTask {
                    var acks: [Ack] = []
                    for r in 0..<rounds {
                        var batch = makeBatch(count: 3, firstValue: (a * rounds + r) * 3)
                        let p = try log.write(&batch)
                        try await p.durable()
                        acks.append(Ack(position: journal.count, end: p.result.lastOffset + 1))
                    }
                    return acks
                }
            }
            return try await group.reduce(into: [Ack]()) { $0 += $1 }
        }
        let appends = appenders * rounds
        let syncs = log.dataSyncs.load(ordering: .relaxed)
        #expect(syncs < appends, "\(syncs) fdatasyncs for \(appends) appends")
        try log.close()

        let operations = journal.operations
        #expect(acked.count == appends)
        // Cut the power right after each of a spread of acknowledgements.
        let cuts = Array(Set(acked.map(\.position))).sorted()
        let chosen = stride(from: 0, to: cuts.count, by: max(1, cuts.count / 24)).map { cuts[$0] }
        var violations: [String] = []
        try CrashDisk.explore(operations, root: root.path, at: chosen) { k, crashed in
            let required = acked.filter { $0.position <= k }.map(\.end).max() ?? 0
            let reopened = try PartitionLog.open(crashed + "/orders-0", config)
            defer { try? reopened.close() }
            if reopened.logEndOffset < required { violations.append("cut at \(k): end \(reopened.logEndOffset) < acknowledged \(required)") }
        }
        #expect(violations.isEmpty, "\(violations)")
    }

    /// Long-poll fetches are woken when the group commit makes the batches readable, not before.
    @Test func readersAreWokenByTheSyncNotByTheWrite() async throws {
        let dir = TempDir()
        defer { dir.remove() }
        let log = try PartitionLog.open(dir.partition, smallConfig(fsync: .always))
        let before = log.appendNotifier.generation
        var batch = makeBatch(count: 1)
        let pending = try log.write(&batch)
        #expect(log.appendNotifier.generation == before, "nothing readable yet, so no wake-up")
        try await pending.durable()
        #expect(log.appendNotifier.generation != before)
        #expect(log.logEndOffset == 1)
        try log.close()
    }

    /// A failed fdatasync fails every waiter it would have covered, and the log stops.
    @Test func failedSyncFailsTheWaitersAndStopsTheLog() async throws {
        let dir = TempDir()
        defer { dir.remove() }
        let faults = FaultInjector()
        let log = try PartitionLog.open(directory: dir.partition, config: smallConfig(fsync: .always), clock: ManualClock(),
                                        logger: testLogger(), faults: faults)
        var batch = makeBatch(count: 1)
        let pending = try log.write(&batch)
        faults.fail(.sync, pathSuffix: ".log")
        await #expect(throws: WharfError.self) { try await pending.durable() }
        #expect(log.logEndOffset == 0, "nothing unsynced became readable")
        var next = makeBatch(count: 1)
        #expect(throws: WharfError.self) { try log.write(&next) }
    }
}
