import Testing
import WharfCore
import WharfTestSupport
@testable import WharfStorage

/// Batches that reach the log without the client validator (the engine's own writers, or files
/// written by an older Wharf or damaged) cannot make the log trap: audit findings 1, 2, 4 and 6
/// on the storage side, checked on real files and after reopening them.
@Suite struct HostileStoredDataTests {
    /// Finding 1's root: batches whose lastOffsetDelta is not recordsCount - 1 are refused by
    /// every append, so no append spans more offsets than it has records.
    @Test func anAppendWhoseBatchesClaimMoreOffsetsThanRecordsIsRefused() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let log = try PartitionLog.open(dir.partition, smallConfig(indexIntervalBytes: 4096))
        try log.append(batch: makeBatch(count: 1))
        var huge = HostileRecordBatch(count: 1)
        huge.records[0].value = [UInt8](repeating: 0x61, count: 4200)
        huge.lastOffsetDelta = .max
        var three = huge.encoded() + huge.encoded() + huge.encoded()
        #expect(throws: WharfError.self) { try log.append(&three) }
        var empty = HostileRecordBatch(count: 0)
        empty.lastOffsetDelta = 0
        #expect(throws: WharfError.self) { try log.append(batch: empty.encoded()) }
        #expect(log.logEndOffset == 1 && log.segmentCount == 1)
        try log.close()
        let reopened = try PartitionLog.open(dir.partition, smallConfig(indexIntervalBytes: 4096))
        try reopened.append(batch: makeBatch(count: 2, firstValue: 1))
        #expect(try reopened.readAll().map(\.offset) == [0, 1, 2])
        try reopened.close()
    }

    /// Finding 4: the active segment's first batch says maxTimestamp Int64.min (or Int64.max);
    /// after a restart the segment's age is computed from it, and the next append must neither
    /// trap nor be stuck: a wildly old age rolls the segment, a future one does not.
    @Test(arguments: [Int64.min, Int64.max, -1])
    func aPoisonedFirstTimestampCannotTrapTheAppendAfterARestart(poison: Int64) throws {
        for clean in [true, false] {
            let dir = TempDir()
            defer { dir.remove() }
            let clock = ManualClock(1_800_000_000_000)
            var batch = HostileRecordBatch(count: 2, baseTimestamp: 1_800_000_000_000)
            batch.maxTimestamp = poison
            do {
                let log = try PartitionLog.open(dir.partition, smallConfig(), clock: clock)
                try log.append(batch: batch.encoded())
                if clean { try log.close() }  // else dropped open: the reopen recovers it
            }
            let reopened = try PartitionLog.open(dir.partition, smallConfig(), clock: clock)
            #expect(reopened.recoveryReport.wasCleanShutdown == clean)
            try reopened.append(batch: makeBatch(count: 1, timestamp: clock.nowMillis()))
            let rolled = poison < clock.nowMillis() - LogConfig().segmentMs
            #expect(reopened.segmentCount == (rolled ? 2 : 1), "clean \(clean)")
            #expect(try reopened.readAll().count == 3)
            try reopened.close()
        }
    }

    /// A segment's relative offsets are u32: a batch beyond that range is left out of the
    /// indexes (readers scan) rather than trapping in `UInt32(...)`, on append and on seal.
    @Test func relativeOffsetsOutsideTheU32RangeAreNotIndexedAndDoNotTrap() throws {
        let dir = TempDir()
        defer { dir.remove() }
        var segment = try LogSegment.create(directory: dir.path, base: 0, faults: nil)
        var first = HostileRecordBatch(count: 1)
        first.records[0].value = [UInt8](repeating: 0, count: 300)
        var far = HostileRecordBatch(count: 1)
        far.baseOffset = Int64(UInt32.max) + 10
        let h1 = try first.encoded().withUnsafeBytes { try RecordBatchHeader(parsing: $0) }
        let h2 = try far.encoded().withUnsafeBytes { try RecordBatchHeader(parsing: $0) }
        segment.didAppend(h1, at: 0, indexIntervalBytes: 100)
        segment.didAppend(h2, at: Int64(h1.totalSize), indexIntervalBytes: 100)
        #expect(segment.offsetIndex.count == 0)
        segment.sealTimeIndex()
        #expect(segment.timeIndex.count == 0)
        #expect(!segment.canHold(lastOffset: Int64(UInt32.max) + 1, bytes: 0))
        #expect(segment.relativeOffset(.min) == nil && segment.relativeOffset(-1) == nil)
    }

    /// Findings 2 and 6 on stored data: a record whose timestamp sum overflows and one with a
    /// header count of 2^31-1, appended by a writer that skips record validation, are read
    /// (ListOffsets by time, fetch and decode) without trapping or a giant allocation.
    @Test func storedHostileRecordsAreReadWithoutTrapping() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let log = try PartitionLog.open(dir.partition, smallConfig())
        var overflow = HostileRecordBatch(count: 1, baseTimestamp: .max)
        overflow.records[0].timestampDelta = 1
        overflow.maxTimestamp = .max
        try log.append(batch: overflow.encoded())
        #expect(try log.offset(forTimestamp: 1 << 62) == 0)
        #expect(try log.readAll().map(\.timestamp) == [.max])
        var bomb = HostileRecordBatch(count: 1)
        bomb.records[0].headerCount = .max
        try log.append(batch: bomb.encoded())
        #expect(throws: (any Error).self) { try RecordBatchReader.records(in: log.read(from: 1, maxBytes: 1 << 20).bytes) }
        try log.close()
    }
}
