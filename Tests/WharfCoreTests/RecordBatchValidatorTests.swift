import Testing
import WharfTestSupport
@testable import WharfCore

/// Each rule of `RecordBatchValidator` with a batch that breaks it (valid CRC, so only that rule
/// can refuse it), plus the maxTimestamp rewrite.
@Suite struct RecordBatchValidatorTests {
    static let now: Int64 = 1_700_000_000_000
    static let limits = RecordBatchValidator.Limits(maxBatchBytes: 1 << 20, timestampBeforeMaxMs: .max, timestampAfterMaxMs: 3_600_000)

    func validate(_ batch: HostileRecordBatch, limits: RecordBatchValidator.Limits = limits) throws(WharfError) -> [UInt8] {
        var bytes = batch.encoded()
        try RecordBatchValidator.validate(&bytes, limits: limits, now: Self.now)
        return bytes
    }

    func rejection(_ batch: HostileRecordBatch, limits: RecordBatchValidator.Limits = limits) -> WharfError? {
        do { _ = try validate(batch, limits: limits); return nil } catch { return error }
    }

    func isInvalidRecord(_ e: WharfError?) -> Bool { if case .invalidRecord = e { true } else { false } }
    func isInvalidTimestamp(_ e: WharfError?) -> Bool { if case .invalidTimestamp = e { true } else { false } }

    @Test func aWellFormedBatchPassesUnchanged() throws {
        let batch = HostileRecordBatch(count: 3, baseTimestamp: Self.now)
        let built = RecordBatchBuilder.encode([Record(key: "k", value: "v", headers: [RecordHeader("h", "x")], timestamp: Self.now)], defaultTimestamp: 0)
        #expect(try validate(batch) == batch.encoded())
        var bytes = built
        try RecordBatchValidator.validate(&bytes, limits: Self.limits, now: Self.now)
        #expect(bytes == built)
    }

    @Test func exactlyOneBatchPerPartition() {
        let one = HostileRecordBatch(count: 1, baseTimestamp: Self.now).encoded()
        var two = one + one
        #expect(throws: WharfError.self) { try RecordBatchValidator.validate(&two, limits: Self.limits, now: Self.now) }
        var partial = one + one.prefix(20)
        #expect(throws: WharfError.self) { try RecordBatchValidator.validate(&partial, limits: Self.limits, now: Self.now) }
        var truncated = Array(one.dropLast())
        #expect(throws: WharfError.self) { try RecordBatchValidator.validate(&truncated, limits: Self.limits, now: Self.now) }
    }

    @Test func crcMagicAndSize() {
        var bytes = HostileRecordBatch(count: 2, baseTimestamp: Self.now).encoded()
        bytes[bytes.count - 1] ^= 0xff
        #expect(throws: WharfError.self) { try RecordBatchValidator.validate(&bytes, limits: Self.limits, now: Self.now) }
        var magic = HostileRecordBatch(count: 1, baseTimestamp: Self.now).encoded()
        magic[16] = 1
        #expect(throws: WharfError.self) { try RecordBatchValidator.validate(&magic, limits: Self.limits, now: Self.now) }
        var small = Self.limits
        small.maxBatchBytes = 64
        #expect(rejection(HostileRecordBatch(count: 5, baseTimestamp: Self.now), limits: small) == .recordTooLarge(HostileRecordBatch(count: 5, baseTimestamp: Self.now).encoded().count))
    }

    @Test func offsetRangeMustSpanExactlyTheRecords() {
        var batch = HostileRecordBatch(count: 1, baseTimestamp: Self.now)
        batch.lastOffsetDelta = .max  // finding 1: a 1-record batch that claims 2^31 offsets
        #expect(isInvalidRecord(rejection(batch)))
        var empty = HostileRecordBatch(count: 0, baseTimestamp: Self.now)
        empty.lastOffsetDelta = 0
        #expect(isInvalidRecord(rejection(empty)))
        var overcounted = HostileRecordBatch(count: 2, baseTimestamp: Self.now)
        overcounted.recordsCount = 3
        overcounted.lastOffsetDelta = 2
        #expect(isInvalidRecord(rejection(overcounted)))
        var undercounted = HostileRecordBatch(count: 3, baseTimestamp: Self.now)
        undercounted.recordsCount = 2
        undercounted.lastOffsetDelta = 1
        #expect(isInvalidRecord(rejection(undercounted)), "bytes left after the declared records")
    }

    @Test func recordOffsetDeltasAreZeroToNMinusOne() {
        var batch = HostileRecordBatch(count: 3, baseTimestamp: Self.now)
        batch.records[2].offsetDelta = 7
        #expect(isInvalidRecord(rejection(batch)))
        batch.records[2].offsetDelta = 1
        #expect(isInvalidRecord(rejection(batch)))
    }

    @Test func eachRecordFitsItsOwnLength() {
        var long = HostileRecordBatch(count: 2, baseTimestamp: Self.now)
        long.records[1].lengthAdjustment = 1000
        #expect(isInvalidRecord(rejection(long)))
        var short = HostileRecordBatch(count: 2, baseTimestamp: Self.now)
        short.records[0].lengthAdjustment = -2
        #expect(isInvalidRecord(rejection(short)))
        var negativeKey = HostileRecordBatch(count: 1, baseTimestamp: Self.now)
        negativeKey.records[0].key = nil
        negativeKey.records[0].value = nil
        negativeKey.records[0].headerBytes = []
        negativeKey.trailing = []
        #expect(rejection(negativeKey) == nil, "null key and value are legal")
    }

    @Test func headerCountIsBoundedByTheBytesPresent() {
        var bomb = HostileRecordBatch(count: 1, baseTimestamp: Self.now)
        bomb.records[0].headerCount = .max  // finding 6
        #expect(isInvalidRecord(rejection(bomb)))
        var honest = HostileRecordBatch(count: 1, baseTimestamp: Self.now)
        honest.records[0].headerCount = 1
        honest.records[0].headerBytes = [2, 0x68, 2, 0x76]  // "h" -> "v"
        #expect(rejection(honest) == nil)
        var nullKey = honest
        nullKey.records[0].headerBytes = [1, 2, 0x76]  // key length -1
        #expect(isInvalidRecord(rejection(nullKey)))
    }

    @Test func controlBatchesAndUnknownCodecsAreRefused() {
        var control = HostileRecordBatch(count: 1, baseTimestamp: Self.now)
        control.attributes = 0x20
        #expect(isInvalidRecord(rejection(control)))
        var codec = HostileRecordBatch(count: 1, baseTimestamp: Self.now)
        codec.attributes = 6
        #expect(isInvalidRecord(rejection(codec)))
    }

    @Test func timestampsOutsideTheWindowAreInvalidTimestamp() {
        var future = HostileRecordBatch(count: 2, baseTimestamp: Self.now)
        future.records[1].timestampDelta = 3_600_001
        #expect(isInvalidTimestamp(rejection(future)))
        future.records[1].timestampDelta = 3_600_000
        #expect(rejection(future) == nil, "the window's end is inclusive")

        var bounded = Self.limits
        bounded.timestampBeforeMaxMs = 1000
        #expect(isInvalidTimestamp(rejection(HostileRecordBatch(count: 1, baseTimestamp: Self.now - 1001), limits: bounded)))
        #expect(rejection(HostileRecordBatch(count: 1, baseTimestamp: Self.now - 1000), limits: bounded) == nil)
        // -1 is "no timestamp" and exempt, as in Kafka; old data is fine when `before` is unlimited.
        #expect(rejection(HostileRecordBatch(count: 1, baseTimestamp: -1), limits: bounded) == nil)
        #expect(rejection(HostileRecordBatch(count: 1, baseTimestamp: 0)) == nil)
        // Limits at the extremes cannot overflow the window.
        var wide = Self.limits
        wide.timestampAfterMaxMs = .max
        #expect(rejection(HostileRecordBatch(count: 1, baseTimestamp: .max), limits: wide) == nil)
        #expect(isInvalidTimestamp(rejection(HostileRecordBatch(count: 1, baseTimestamp: .min))), "older than any window around now")
    }

    @Test func baseTimestampPlusDeltaCannotOverflow() {
        var batch = HostileRecordBatch(count: 1, baseTimestamp: .max)  // finding 2
        batch.records[0].timestampDelta = 1
        #expect(isInvalidTimestamp(rejection(batch)))
        var wide = Self.limits
        wide.timestampAfterMaxMs = .max
        #expect(isInvalidTimestamp(rejection(batch, limits: wide)))
        batch.baseTimestamp = .min
        batch.records[0].timestampDelta = -1
        #expect(isInvalidTimestamp(rejection(batch, limits: wide)))
    }

    @Test func maxTimestampIsRecomputedFromTheRecordsAndTheCRCRewritten() throws {
        // sarama writes maxTimestamp -1; retention would take the batch for ancient.
        var sarama = HostileRecordBatch(count: 3, baseTimestamp: Self.now - 10)
        sarama.maxTimestamp = -1
        let stored = try validate(sarama)
        let header = try stored.withUnsafeBytes { try RecordBatchBytes.validate($0) }
        #expect(header.maxTimestamp == Self.now - 8)
        #expect(stored[RecordBatchHeader.size...] == sarama.encoded()[RecordBatchHeader.size...])

        // A client may not pick LogAppendTime (and with it the time every record reads as).
        var appendTime = HostileRecordBatch(count: 2, baseTimestamp: Self.now)
        appendTime.attributes = 0x8
        appendTime.maxTimestamp = Self.now - 7 * 86_400_000
        let fixed = try validate(appendTime)
        let h = try fixed.withUnsafeBytes { try RecordBatchBytes.validate($0) }
        #expect(!h.isLogAppendTime && h.maxTimestamp == Self.now + 1)
        #expect(try RecordBatchReader.records(in: fixed).map(\.timestamp) == [Self.now, Self.now + 1])
    }

    @Test func compressedBatchesAreCheckedAfterDecompression() throws {
        for codec: RecordBatchHeader.Compression in [.gzip, .snappy, .lz4, .zstd] {
            var good = HostileRecordBatch(count: 4, baseTimestamp: Self.now)
            good.attributes = Int16(codec.rawValue)
            good.maxTimestamp = -1
            var stored = good.encoded(section: BatchCompression.compress(codec, good.recordsSection))
            try RecordBatchValidator.validate(&stored, limits: Self.limits, now: Self.now)
            #expect(try RecordBatchReader.records(in: stored).map(\.offset) == [0, 1, 2, 3], "\(codec)")
            #expect(try stored.withUnsafeBytes { try RecordBatchHeader(parsing: $0) }.maxTimestamp == Self.now + 3, "\(codec)")

            // A compressed batch whose header claims more records than it holds.
            var lying = good
            lying.recordsCount = 1_000_000
            lying.lastOffsetDelta = 999_999
            var bytes = lying.encoded(section: BatchCompression.compress(codec, lying.recordsSection))
            #expect(throws: WharfError.self, "\(codec)") { try RecordBatchValidator.validate(&bytes, limits: Self.limits, now: Self.now) }
        }
    }

    @Test func aSnappyBlockCannotClaimMoreThanItsBytesCanProduce() {
        // A 7-byte raw snappy block whose length header claims 256 MiB: refused before any buffer.
        var claim: [UInt8] = []
        Varint.appendUnsigned(UInt64(BatchCompression.maxOutput), to: &claim)
        claim += [0, 0, 0]
        #expect(throws: WharfError.self) { try claim.withUnsafeBytes { try BatchCompression.decompress(.snappy, $0) } }
        let real = BatchCompression.compress(.snappy, [UInt8](repeating: 7, count: 100_000))
        #expect(throws: Never.self) { try real.withUnsafeBytes { try BatchCompression.decompress(.snappy, $0) } }
    }
}

/// Stored or fetched batches (another cluster's, or a damaged file) are read without trapping.
@Suite struct RecordBatchReaderHostileTests {
    @Test func timestampAndOffsetSumsSaturate() throws {
        var batch = HostileRecordBatch(count: 1, baseTimestamp: .max)
        batch.records[0].timestampDelta = 1
        batch.baseOffset = .max - 1
        batch.lastOffsetDelta = 5
        batch.records[0].offsetDelta = 5
        let records = try RecordBatchReader.records(in: batch.encoded())
        #expect(records.map(\.timestamp) == [.max] && records.map(\.offset) == [.max])
        let header = try batch.encoded().withUnsafeBytes { try RecordBatchHeader(parsing: $0) }
        #expect(header.lastOffset == .max && header.nextOffset == .max)
    }

    @Test func aHeaderCountBombIsAnErrorNotAnAllocation() {
        var batch = HostileRecordBatch(count: 1, baseTimestamp: 0)
        batch.records[0].headerCount = .max
        #expect(throws: WharfError.self) { try RecordBatchReader.records(in: batch.encoded()) }
    }
}
