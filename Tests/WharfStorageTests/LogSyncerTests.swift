import Foundation
import Synchronization
import Testing
import WharfCore
@testable import WharfStorage
import WharfTestSupport

/// The group commit of a log directory (issue 17): one `LogSyncer` serves several partition logs,
/// and each of its rounds makes durable every append queued, in every log, when it began. The
/// syncer's loop is started by the test (`ManualStart`), so what a round covers is decided here,
/// not by thread timing.
@Suite struct LogSyncerTests {
    /// Holds the syncer's loop instead of starting it, until `runAll` runs it on the test's thread.
    final class ManualStart: Sendable {
        private let loops = Mutex<[@Sendable () -> Void]>([])

        var start: @Sendable (@escaping @Sendable () -> Void) -> Void {
            { loop in self.loops.withLock { $0.append(loop) } }
        }

        var pending: Int { loops.withLock { $0.count } }

        func runAll() {
            while let loop = loops.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) { loop() }
        }
    }

    /// One acknowledgement as the syncer handed it out: which log, the end it covered, the error.
    struct Ack: Sendable, Equatable {
        let log: Int
        let end: Int64
        let failed: Bool
    }

    final class Acks: Sendable {
        let list = Mutex<[Ack]>([])
        var all: [Ack] { list.withLock { $0 } }

        func waiter(log: Int, end: Int64, then: (@Sendable () -> Void)? = nil) -> PartitionLog.DurabilityWaiter {
            PartitionLog.DurabilityWaiter(end: end) { error in
                self.list.withLock { $0.append(Ack(log: log, end: end, failed: error != nil)) }
                then?()
            }
        }
    }

    func openLogs(_ dir: TempDir, count: Int, syncer: LogSyncer, faults: FaultInjector? = nil) throws -> [PartitionLog] {
        try (0..<count).map { p in
            try PartitionLog.open(directory: dir.path + "/orders-\(p)", config: smallConfig(fsync: .always), clock: ManualClock(),
                                  logger: testLogger(), faults: faults, syncer: syncer)
        }
    }

    /// Writes one batch of `records` to `log` and queues a waiter for it; returns its end offset.
    @discardableResult
    func appendAndWait(_ log: PartitionLog, index: Int, records: Int, acks: Acks, then: (@Sendable () -> Void)? = nil) throws -> Int64 {
        var batch = makeBatch(count: records)
        let pending = try log.write(&batch)
        let end = pending.result.lastOffset + 1
        log.enqueueDurabilityWaiter(acks.waiter(log: index, end: end, then: then))
        return end
    }

    @Test func appendsOnSeveralPartitionsShareOneRoundAndAreAcknowledgedInOrder() throws {
        let dir = TempDir("wharf-logsyncer")
        defer { dir.remove() }
        let manual = ManualStart()
        let syncer = LogSyncer(start: manual.start)
        let logs = try openLogs(dir, count: 4, syncer: syncer)
        let acks = Acks()
        // 5 appends per partition, interleaved across the 4 partitions.
        var expected: [Int: [Int64]] = [:]
        for _ in 0..<5 {
            for (p, log) in logs.enumerated() {
                let end = try appendAndWait(log, index: p, records: 3, acks: acks)
                expected[p, default: []].append(end)
            }
        }
        #expect(manual.pending == 1, "the first waiter started the loop; the others only scheduled their log")
        #expect(acks.all.isEmpty, "nothing is acknowledged before an fdatasync covers it")
        #expect(logs.allSatisfy { $0.logEndOffset == 0 }, "readers see nothing unsynced")

        manual.runAll()

        #expect(syncer.rounds.load(ordering: .relaxed) == 1, "one round for 20 appends on 4 partitions")
        #expect(logs.map { $0.dataSyncs.load(ordering: .relaxed) } == [1, 1, 1, 1], "one fdatasync per partition")
        #expect(acks.all.count == 20)
        #expect(!acks.all.contains { $0.failed })
        for p in 0..<4 {
            #expect(acks.all.filter { $0.log == p }.map(\.end) == expected[p], "partition \(p) acknowledged in arrival order")
            #expect(logs[p].logEndOffset == 15)
        }
        for log in logs { try log.close() }
    }

    /// Appends that arrive while a round runs (here: while it hands out its acknowledgements)
    /// share the next round, whichever partitions they are on, instead of one round each.
    @Test func appendsArrivingDuringARoundShareTheNextOne() throws {
        let dir = TempDir("wharf-logsyncer")
        defer { dir.remove() }
        let manual = ManualStart()
        let syncer = LogSyncer(start: manual.start)
        let logs = try openLogs(dir, count: 3, syncer: syncer)
        let acks = Acks()
        let arrivals = Mutex<[Int64]>([])
        // The first acknowledgement (inside round 1) writes to every partition and waits again.
        try appendAndWait(logs[0], index: 0, records: 2, acks: acks) {
            for (p, log) in logs.enumerated() {
                let end = try? self.appendAndWait(log, index: p, records: 1, acks: acks)
                arrivals.withLock { $0.append(end ?? -1) }
            }
        }
        manual.runAll()

        #expect(syncer.rounds.load(ordering: .relaxed) == 2)
        #expect(arrivals.withLock { $0 } == [3, 1, 1])
        #expect(logs.map { $0.dataSyncs.load(ordering: .relaxed) } == [2, 1, 1])
        #expect(acks.all == [Ack(log: 0, end: 2, failed: false), Ack(log: 0, end: 3, failed: false),
                             Ack(log: 1, end: 1, failed: false), Ack(log: 2, end: 1, failed: false)])
        #expect(manual.pending == 0, "the loop did not need starting again")
        for log in logs { try log.close() }
    }

    /// A failed fdatasync in a round fails that partition's waiters (and stops its log) only: the
    /// other partitions of the round are acknowledged.
    @Test func aFailedSyncFailsOnlyItsPartition() throws {
        let dir = TempDir("wharf-logsyncer")
        defer { dir.remove() }
        let manual = ManualStart()
        let syncer = LogSyncer(start: manual.start)
        let faults = FaultInjector()
        let logs = try openLogs(dir, count: 2, syncer: syncer, faults: faults)
        let acks = Acks()
        try appendAndWait(logs[0], index: 0, records: 1, acks: acks)
        try appendAndWait(logs[1], index: 1, records: 1, acks: acks)
        faults.fail(.sync, pathSuffix: "orders-1/00000000000000000000.log")
        manual.runAll()

        #expect(acks.all.sorted { $0.log < $1.log } == [Ack(log: 0, end: 1, failed: false), Ack(log: 1, end: 1, failed: true)])
        #expect(logs[0].logEndOffset == 1)
        #expect(logs[1].logEndOffset == 0, "nothing unsynced became readable")
        var next = makeBatch(count: 1)
        #expect(throws: WharfError.self) { try logs[1].write(&next) }
        try logs[0].close()
    }
}
