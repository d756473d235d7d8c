import Testing
import WharfCore
@testable import WharfStorage

/// Failing writes, fdatasyncs and truncates through the `FaultInjector` seam.
@Suite struct FaultInjectionTests {
    func open(_ dir: TempDir, _ config: LogConfig, faults: FaultInjector, clock: ManualClock = ManualClock()) throws -> PartitionLog {
        try PartitionLog.open(directory: dir.partition, config: config, clock: clock, logger: testLogger(), faults: faults)
    }

    @Test(arguments: [false, true])
    func failedWriteLeavesNothingBehind(partial: Bool) throws {
        let dir = TempDir()
        defer { dir.remove() }
        let faults = FaultInjector()
        let log = try open(dir, smallConfig(), faults: faults)
        try log.append(batch: makeBatch(count: 2))
        faults.fail(.write, pathSuffix: ".log", partialWrite: partial)
        #expect(throws: WharfError.self) { try log.append(batch: makeBatch(count: 3, firstValue: 2)) }
        #expect(log.logEndOffset == 2)
        #expect(fileSize(dir.partition + "/00000000000000000000.log") == log.sizeInBytes, "the torn half was cut off")
        #expect(try log.append(batch: makeBatch(count: 1, firstValue: 2)).baseOffset == 2)
        #expect(try log.allValues == values(0..<3))
        let reopened = try PartitionLog.open(dir.partition, smallConfig())
        #expect(reopened.recoveryReport.bytesTruncated == 0)
        #expect(try reopened.allValues == values(0..<3))
    }

    @Test func tornWriteThatCannotBeUndoneIsOverwrittenAndTrimmed() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let faults = FaultInjector()
        let log = try open(dir, smallConfig(), faults: faults)
        try log.append(batch: makeBatch(count: 2))
        faults.fail(.write, pathSuffix: ".log", partialWrite: true)
        faults.fail(.truncate, pathSuffix: ".log")
        #expect(throws: WharfError.self) { try log.append(batch: makeBatch(count: 40, firstValue: 2)) }
        #expect(fileSize(dir.partition + "/00000000000000000000.log") > log.sizeInBytes, "torn bytes stayed")
        #expect(try log.allValues == values(0..<2), "readers never see past the last whole batch")
        try log.append(batch: makeBatch(count: 1, firstValue: 2))
        #expect(try log.allValues == values(0..<3))
        try log.close()
        #expect(fileSize(dir.partition + "/00000000000000000000.log") == log.sizeInBytes, "close trims the file")
        let reopened = try PartitionLog.open(dir.partition, smallConfig())
        #expect(reopened.recoveryReport.isClean)
        #expect(try reopened.allValues == values(0..<3))
    }

    @Test func failedFsyncStopsTheLog() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let faults = FaultInjector()
        let log = try open(dir, smallConfig(fsync: .always), faults: faults)
        try log.append(batch: makeBatch(count: 2))
        faults.fail(.sync)
        #expect(throws: WharfError.self) { try log.append(batch: makeBatch(count: 1, firstValue: 2)) }
        do {
            try log.append(batch: makeBatch(count: 1, firstValue: 3))
            Issue.record("append after a failed fsync succeeded")
        } catch {
            #expect(error.description.contains("failed fsync"))
        }
        #expect(throws: WharfError.self) { try log.flush() }
        // Under `always` readers see only what an fdatasync covered: the batch whose sync failed
        // was never acknowledged, and a power cut could still erase it.
        #expect(log.logEndOffset == 2, "the high watermark stays at the last synced append")
        #expect(try log.allValues == values(0..<2), "the written, unsynced batch is not readable")
        #expect(throws: WharfError.self) { try log.read(from: 3, maxBytes: 1 << 16) }
        let reopened = try PartitionLog.open(dir.partition, smallConfig())
        #expect(try reopened.append(batch: makeBatch(count: 1, firstValue: 3)).baseOffset == 3)
    }

    /// Under `interval` a sync that falls due runs on the log's syncer, not in the appending
    /// thread (a request's event loop): `write` returns without the fdatasync's outcome, so a
    /// failing disk shows only afterwards, by stopping the log; the synchronous `append` still
    /// waits for that sync and reports it, as it always did.
    @Test func aDueIntervalSyncIsNotTheWritersToWaitFor() async throws {
        let dir = TempDir()
        defer { dir.remove() }
        let faults = FaultInjector()
        let clock = ManualClock()
        let log = try open(dir, smallConfig(fsync: .interval(milliseconds: 100)), faults: faults, clock: clock)
        try log.append(batch: makeBatch(count: 1))
        clock.advance(byMillis: 100)
        faults.fail(.sync)
        var bytes = makeBatch(count: 1, firstValue: 1)
        let pending = try log.write(&bytes)
        #expect(pending.result.baseOffset == 1, "written and answered although its due fdatasync fails")
        try await pending.durable()
        #expect(throws: WharfError.self, "the blocking form waits for the due sync and reports it") { try pending.durableBlocking() }
        #expect(throws: WharfError.self, "the failed sync stopped the log") { try log.append(batch: makeBatch(count: 1, firstValue: 2)) }

        // The synchronous API keeps its timing: a due append returns after its sync.
        let dir2 = TempDir()
        defer { dir2.remove() }
        let clock2 = ManualClock()
        let healthy = try open(dir2, smallConfig(fsync: .interval(milliseconds: 100)), faults: FaultInjector(), clock: clock2)
        try healthy.append(batch: makeBatch(count: 1))
        clock2.advance(byMillis: 100)
        try healthy.append(batch: makeBatch(count: 1, firstValue: 1))
        #expect(healthy.dataSyncs.load(ordering: .relaxed) == 1)
        try healthy.close()
    }

    @Test func failedCheckpointWriteKeepsTheOldStart() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let faults = FaultInjector()
        let log = try open(dir, smallConfig(), faults: faults)
        try log.append(batch: makeBatch(count: 5))
        faults.fail(.sync, pathSuffix: ".tmp")
        #expect(throws: WharfError.self) { try log.deleteRecords(before: 3) }
        #expect(log.logStartOffset == 0)
        #expect(try log.deleteRecords(before: 3) == 3)
    }

    /// Random faults on every operation: acknowledged appends are never lost, offsets stay
    /// consecutive, and nothing appears that was not attempted.
    @Test(arguments: [11, 12, 13] as [UInt64])
    func randomFaultsNeverLoseAcknowledgedAppends(seed: UInt64) throws {
        let dir = TempDir()
        defer { dir.remove() }
        let config = smallConfig(segmentBytes: 1500, indexIntervalBytes: 100, fsync: .always)
        let faults = FaultInjector()
        var log = try open(dir, config, faults: faults)
        faults.failRandomly(seed: seed, probability: 0.05)
        var acknowledged: [String] = []
        var attempted: [String] = []
        var next = 0
        for _ in 0..<300 {
            let batch = makeBatch(count: 2, firstValue: next)
            attempted += values(next..<(next + 2))
            do {
                let result = try log.append(batch: batch)
                #expect(result.baseOffset == log.logEndOffset - 2)
                acknowledged += values(next..<(next + 2))
            } catch {
                if error.description.contains("failed fsync") {
                    faults.failRandomly(seed: seed, probability: 0)
                    log = try open(dir, config, faults: faults)
                    faults.failRandomly(seed: seed &+ UInt64(next), probability: 0.05)
                }
            }
            next += 2
        }
        faults.failRandomly(seed: seed, probability: 0)
        #expect(faults.injectedCount > 0)
        let reopened = try PartitionLog.open(dir.partition, config)
        let stored = try reopened.readAll()
        #expect(stored.map(\.offset) == (0..<Int64(stored.count)).map { $0 })
        let storedValues = stored.map { String(decoding: $0.value!, as: UTF8.self) }
        #expect(Set(acknowledged).isSubset(of: storedValues))
        let order = Dictionary(uniqueKeysWithValues: attempted.enumerated().map { ($1, $0) })
        let positions = storedValues.compactMap { order[$0] }
        #expect(positions.count == storedValues.count && positions == positions.sorted())
    }
}
