import Testing
import WharfCore
@testable import WharfStorage

/// Segment roll, retention and DeleteRecords, each checked again after close and reopen.
@Suite struct RetentionTests {
    @Test func rollsBySize() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let batch = makeBatch(count: 2, valueSize: 8)
        let config = smallConfig(segmentBytes: batch.count * 3)
        let log = try PartitionLog.open(dir.partition, config)
        for i in 0..<7 { try log.append(batch: makeBatch(count: 2, firstValue: i * 2, valueSize: 8)) }
        #expect(log.segmentBaseOffsets == [0, 6, 12])
        // A batch larger than segmentBytes still goes into an (empty) segment of its own.
        try log.append(batch: makeBatch(count: 50, firstValue: 14, valueSize: 8))
        #expect(log.segmentBaseOffsets == [0, 6, 12, 14])
        try log.close()
        let reopened = try PartitionLog.open(dir.partition, config)
        #expect(reopened.segmentBaseOffsets == [0, 6, 12, 14])
        #expect(try reopened.allValues.map { String($0.prefix { $0 != "a" }) } == values(0..<64))
        try reopened.append(batch: makeBatch(count: 1, firstValue: 64, valueSize: 8))
        #expect(reopened.segmentBaseOffsets == [0, 6, 12, 14, 64])
    }

    @Test func rollsByAge() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let clock = ManualClock()
        var config = smallConfig()
        config.segmentMs = 60_000
        let log = try PartitionLog.open(dir.partition, config, clock: clock)
        try log.append(batch: makeBatch(count: 1, timestamp: clock.nowMillis()))
        clock.advance(byMillis: 59_999)
        try log.append(batch: makeBatch(count: 1, firstValue: 1, timestamp: clock.nowMillis()))
        #expect(log.segmentCount == 1)
        clock.advance(byMillis: 1)
        try log.append(batch: makeBatch(count: 1, firstValue: 2, timestamp: clock.nowMillis()))
        #expect(log.segmentBaseOffsets == [0, 2])
        clock.advance(byMillis: 30_000)
        try log.close()
        let reopened = try PartitionLog.open(dir.partition, config, clock: clock)
        try reopened.append(batch: makeBatch(count: 1, firstValue: 3, timestamp: clock.nowMillis()))
        #expect(reopened.segmentBaseOffsets == [0, 2], "age counts from the first batch, across a restart")
        clock.advance(byMillis: 30_000)
        try reopened.append(batch: makeBatch(count: 1, firstValue: 4, timestamp: clock.nowMillis()))
        #expect(reopened.segmentBaseOffsets == [0, 2, 4])
        #expect(try reopened.allValues == values(0..<5))
    }

    /// Five segments with newest timestamps t0+0, +1000, ... ; the active one is newest.
    func fiveSegments(_ dir: TempDir, clock: ManualClock, config: LogConfig) throws -> PartitionLog {
        let log = try PartitionLog.open(dir.partition, config, clock: clock)
        let t0 = clock.nowMillis()
        for i in 0..<5 {
            try log.append(batch: makeBatch(count: 2, firstValue: i * 2, timestamps: [t0 + Int64(i) * 1000 - 5, t0 + Int64(i) * 1000]))
        }
        #expect(log.segmentBaseOffsets == [0, 2, 4, 6, 8])
        return log
    }

    @Test func retentionByTime() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let clock = ManualClock()
        let t0 = clock.nowMillis()
        var config = smallConfig(segmentBytes: makeBatch(count: 2).count)
        config.retentionMs = 10_000
        let log = try fiveSegments(dir, clock: clock, config: config)
        clock.set(t0 + 10_000)
        #expect(try log.applyRetention() == 0, "segment 0's newest record is exactly at the limit")
        clock.set(t0 + 11_500)
        #expect(try log.applyRetention() == 2)
        #expect(log.logStartOffset == 4)
        #expect(log.segmentBaseOffsets == [4, 6, 8])
        #expect(files(in: dir.partition, suffix: ".log") == ["00000000000000000004.log", "00000000000000000006.log", "00000000000000000008.log"])
        #expect(files(in: dir.partition, suffix: ".index") == ["00000000000000000004.index", "00000000000000000006.index"], "the active segment's index is written on close")
        clock.set(t0 + 1_000_000)
        #expect(try log.applyRetention() == 2, "never the active segment")
        #expect(log.segmentBaseOffsets == [8])
        #expect(log.logStartOffset == 8)
        #expect(try log.allValues == ["v8", "v9"])
        try log.close()
        let reopened = try PartitionLog.open(dir.partition, config, clock: clock)
        #expect(reopened.logStartOffset == 8)
        #expect(reopened.logEndOffset == 10)
        #expect(try reopened.allValues == ["v8", "v9"])
    }

    @Test func retentionByBytes() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let clock = ManualClock()
        let segment = makeBatch(count: 2).count
        var config = smallConfig(segmentBytes: segment)
        config.retentionMs = -1
        config.retentionBytes = Int64(segment * 2)
        let log = try fiveSegments(dir, clock: clock, config: config)
        clock.advance(byMillis: 100_000_000)
        #expect(try log.applyRetention() == 3)
        #expect(log.segmentBaseOffsets == [6, 8])
        #expect(log.sizeInBytes == Int64(segment * 2))
        config.retentionBytes = Int64(segment * 2 - 1)
        log.updateConfig(config)
        #expect(try log.applyRetention() == 0, "deleting more would leave less than retentionBytes")
        config.retentionBytes = 0
        log.updateConfig(config)
        #expect(try log.applyRetention() == 1)
        #expect(log.logStartOffset == 8)
        try log.close()
        let reopened = try PartitionLog.open(dir.partition, config, clock: clock)
        #expect(reopened.logStartOffset == 8)
        #expect(try reopened.allValues == ["v8", "v9"])
    }

    @Test func retentionDisabledKeepsEverything() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let clock = ManualClock()
        var config = smallConfig(segmentBytes: makeBatch(count: 2).count)
        config.retentionMs = -1
        config.retentionBytes = -1
        let log = try fiveSegments(dir, clock: clock, config: config)
        clock.advance(byMillis: Int64(Int32.max))
        #expect(try log.applyRetention() == 0)
        #expect(log.segmentCount == 5)
    }

    @Test func deleteRecordsMovesLogStartAndPersists() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let clock = ManualClock()
        let config = smallConfig(segmentBytes: makeBatch(count: 2).count)
        let log = try fiveSegments(dir, clock: clock, config: config)
        #expect(try log.deleteRecords(before: 3) == 3)
        #expect(log.segmentBaseOffsets == [2, 4, 6, 8], "segment 0 (offsets 0-1) is wholly below")
        #expect(try log.allValues == values(3..<10))
        #expect(try log.read(from: 3, maxBytes: 1).bytes.count > 0)
        #expect(try log.deleteRecords(before: 1) == 3, "moving backwards is a no-op")
        #expect(throws: WharfError.self) { try log.deleteRecords(before: -1) }
        // Not closed: the checkpoint alone must carry the new start across a crash.
        let reopened = try PartitionLog.open(dir.partition, config, clock: clock)
        #expect(!reopened.recoveryReport.wasCleanShutdown)
        #expect(reopened.logStartOffset == 3)
        #expect(try reopened.allValues == values(3..<10))
        #expect(try reopened.deleteRecords(before: 100) == 10, "clamped to the log end")
        #expect(reopened.segmentBaseOffsets == [8])
        #expect(try reopened.read(from: 10, maxBytes: 10).bytes.isEmpty)
        try reopened.append(batch: makeBatch(count: 1, firstValue: 10))
        #expect(try reopened.allValues == ["v10"])
        try reopened.close()
        let again = try PartitionLog.open(dir.partition, config, clock: clock)
        #expect(again.logStartOffset == 10)
        #expect(again.logEndOffset == 11)
    }

    @Test func emptyLogAfterDeletingEverythingKeepsOffsets() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let config = smallConfig(segmentBytes: makeBatch(count: 2).count)
        let log = try fiveSegments(dir, clock: ManualClock(), config: config)
        _ = try log.deleteRecords(before: 10)
        try log.close()
        // Remove every segment file: the checkpoint decides where the new log starts.
        for name in files(in: dir.partition, suffix: "") where name.hasPrefix("0") { try FileSystem.remove(dir.partition + "/" + name) }
        let reopened = try PartitionLog.open(dir.partition, config)
        #expect(reopened.logStartOffset == 10 && reopened.logEndOffset == 10)
        #expect(try reopened.append(batch: makeBatch(count: 1)).baseOffset == 10)
    }
}
