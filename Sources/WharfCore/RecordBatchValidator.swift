/// Checks the records a client produced before they are stored, in the spirit of Kafka's
/// `LogValidator`: the broker stores batches verbatim and every reader decodes them later (the
/// CLI, the dashboard by itself, other clients), so anything malformed is refused here, where one
/// Produce gets an error code instead of every later reader tripping over it.
///
/// Rules, each with the Kafka error code the listener answers:
/// - exactly one whole v2 batch, CRC-32C correct (CORRUPT_MESSAGE), at most `maxBatchBytes`
///   (MESSAGE_TOO_LARGE), a known codec, not a control batch (INVALID_RECORD);
/// - `lastOffsetDelta == recordsCount - 1`, record offset deltas 0, 1, ..., n-1, exactly
///   `recordsCount` records filling the records section, each record's length, key, value and
///   headers inside its own bytes (INVALID_RECORD);
/// - each CreateTime record timestamp within `[now - before, now + after]` (KIP-937; -1, "no
///   timestamp", is exempt as in Kafka), with arithmetic that cannot overflow (INVALID_TIMESTAMP).
///
/// Then, as Kafka does for CreateTime topics, the batch's `maxTimestamp` is set to the largest
/// record timestamp (and the LogAppendTime bit a client may not set is cleared), rewriting the CRC
/// only when something changed. Retention trusts `maxTimestamp`, so a client that writes -1 there
/// (sarama) must not make acknowledged data look ancient.
///
/// Records are walked in place: nothing is allocated per record; a compressed batch is
/// decompressed once, to at most `maxDecompressedBytes` (a bomb is CORRUPT_MESSAGE before it
/// costs more memory than that).
public enum RecordBatchValidator {
    public struct Limits: Sendable, Equatable {
        /// Largest batch accepted, header included (`max.message.bytes`).
        public var maxBatchBytes: Int
        /// How far before now a record timestamp may lie (`log.message.timestamp.before.max.ms`).
        public var timestampBeforeMaxMs: Int64
        /// How far after now a record timestamp may lie (`log.message.timestamp.after.max.ms`).
        public var timestampAfterMaxMs: Int64

        public init(maxBatchBytes: Int, timestampBeforeMaxMs: Int64, timestampAfterMaxMs: Int64) {
            self.maxBatchBytes = maxBatchBytes
            self.timestampBeforeMaxMs = timestampBeforeMaxMs
            self.timestampAfterMaxMs = timestampAfterMaxMs
        }

        /// The most a compressed batch may inflate to: `decompressionRatio` times the largest
        /// batch accepted (at least 1 MiB, at most `BatchCompression.maxOutput`). Real producers
        /// stay far below it: librdkafka caps a batch's uncompressed messages at `batch.size`
        /// (1 MB), and Java's `batch.size` (16 KiB) already counts compressed bytes. A
        /// gzip/lz4/zstd bomb (1000:1 and more) is refused at this bound instead of holding
        /// 256 MiB per request while it is checked.
        public var maxDecompressedBytes: Int {
            let (scaled, overflow) = max(maxBatchBytes, Self.decompressionFloor).multipliedReportingOverflow(by: Self.decompressionRatio)
            return overflow ? BatchCompression.maxOutput : min(scaled, BatchCompression.maxOutput)
        }

        public static let decompressionRatio = 8
        static let decompressionFloor = 1 << 20
    }

    /// Kafka's `RecordBatch.NO_TIMESTAMP`: a record without a timestamp, exempt from the window.
    static let noTimestamp: Int64 = -1
    static let logAppendTimeBit: Int16 = 0x8

    /// Validates one Produce partition's `records` and fixes its `maxTimestamp` in place.
    /// Returns the batch header as it will be stored.
    @discardableResult
    public static func validate(_ bytes: inout [UInt8], limits: Limits, now: Int64) throws(WharfError) -> RecordBatchHeader {
        let header = try bytes.withBytes { (raw) throws(WharfError) -> RecordBatchHeader in try checkBatch(raw, limits: limits) }
        let window = TimestampWindow(now: now, limits: limits)
        let maxTimestamp = try bytes.withBytes { (raw) throws(WharfError) -> Int64 in
            let section = UnsafeRawBufferPointer(rebasing: raw[RecordBatchHeader.size..<header.totalSize])
            if header.compression == .none { return try checkRecords(of: header, section: section, window: window) }
            let plain = try BatchCompression.decompress(header.compression, section, maxOutput: limits.maxDecompressedBytes)
            return try plain.withBytes { (raw) throws(WharfError) -> Int64 in try checkRecords(of: header, section: raw, window: window) }
        }
        let attributes = header.attributes & ~logAppendTimeBit
        guard attributes != header.attributes || maxTimestamp != header.maxTimestamp else { return header }
        bytes.withUnsafeMutableBytes { RecordBatchBytes.setTimestamps(attributes: attributes, maxTimestamp: maxTimestamp, in: $0, totalSize: header.totalSize) }
        var stored = header
        stored.attributes = attributes
        stored.maxTimestamp = maxTimestamp
        stored.crc = bytes.withUnsafeBytes { $0.loadBigEndian(at: RecordBatchHeader.crcOffset, as: UInt32.self) }
        return stored
    }

    /// The batch-level rules: one whole batch, size, CRC, codec, not control, offset range.
    static func checkBatch(_ raw: UnsafeRawBufferPointer, limits: Limits) throws(WharfError) -> RecordBatchHeader {
        let parsed = try RecordBatchHeader(parsing: raw)
        guard parsed.totalSize <= limits.maxBatchBytes else { throw .recordTooLarge(parsed.totalSize) }
        let header = try RecordBatchBytes.validate(raw)
        guard header.totalSize == raw.count else {
            throw .invalidRecord("a produce request may carry exactly one record batch per partition (\(raw.count - header.totalSize) bytes follow the first)")
        }
        guard header.hasKnownCompression else { throw .invalidRecord("unknown compression codec \(header.attributes & 0x7)") }
        guard !header.isControl else { throw .invalidRecord("clients may not write control batches") }
        try RecordBatchBytes.checkOffsetRange(header)
        return header
    }

    /// Walks every record of an (uncompressed) records section; returns the largest timestamp.
    static func checkRecords(of header: RecordBatchHeader, section: UnsafeRawBufferPointer,
                             window: TimestampWindow) throws(WharfError) -> Int64 {
        var reader = ByteReader(section)
        var maxTimestamp = noTimestamp
        for index in 0..<header.recordsCount {
            do throws(WharfError) {
                let timestamp = try checkRecord(&reader, index: index, baseTimestamp: header.baseTimestamp)
                try window.check(timestamp, index: index)
                maxTimestamp = max(maxTimestamp, timestamp)
            } catch .malformed(let why) {
                throw .invalidRecord("record \(index): \(why)")
            }
        }
        guard reader.remaining == 0 else {
            throw .invalidRecord("\(reader.remaining) bytes follow the batch's \(header.recordsCount) records")
        }
        return maxTimestamp
    }

    /// One record (Kafka's `DefaultRecord`): its length, then fields that must end exactly there.
    static func checkRecord(_ reader: inout ByteReader, index: Int32, baseTimestamp: Int64) throws(WharfError) -> Int64 {
        let length = Int(try reader.readVarint())
        guard length >= 0, length <= reader.remaining else { throw .invalidRecord("record \(index) length \(length) runs past its batch") }
        let end = reader.position + length
        var record = ByteReader(UnsafeRawBufferPointer(rebasing: reader.bytes[..<end]), at: reader.position)
        _ = try record.readInt8()
        let timestampDelta = try record.readVarlong()
        let (timestamp, overflow) = baseTimestamp.addingReportingOverflow(timestampDelta)
        guard !overflow else { throw .invalidTimestamp("record \(index): base timestamp \(baseTimestamp) + delta \(timestampDelta) overflows") }
        let offsetDelta = try record.readVarint()
        guard offsetDelta == index else { throw .invalidRecord("record \(index) has offset delta \(offsetDelta)") }
        try skipNullableBytes(&record, what: "key", index: index)
        try skipNullableBytes(&record, what: "value", index: index)
        let headerCount = Int(try record.readVarint())
        // Each header takes at least two bytes (two varint lengths), so the count is bounded by
        // the bytes present before anything trusts it.
        guard headerCount >= 0, headerCount <= record.remaining / 2 else {
            throw .invalidRecord("record \(index) claims \(headerCount) headers in \(record.remaining) bytes")
        }
        for _ in 0..<headerCount {
            let keyLength = Int(try record.readVarint())
            guard keyLength >= 0 else { throw .invalidRecord("record \(index) has a header with a null key") }
            try record.skip(keyLength)
            try skipNullableBytes(&record, what: "header value", index: index)
        }
        guard record.remaining == 0 else { throw .invalidRecord("record \(index) declares \(length) bytes but its fields end \(record.remaining) bytes earlier") }
        try reader.skip(length)
        return timestamp
    }

    /// A varint length (-1 for null) and that many bytes.
    static func skipNullableBytes(_ reader: inout ByteReader, what: String, index: Int32) throws(WharfError) {
        let length = Int(try reader.readVarint())
        guard length >= -1 else { throw .invalidRecord("record \(index) has \(what) length \(length)") }
        if length > 0 { try reader.skip(length) }
    }

    /// The accepted timestamps around `now`, its ends clamped to Int64's range.
    struct TimestampWindow {
        let now: Int64
        let earliest: Int64
        let latest: Int64

        init(now: Int64, limits: Limits) {
            self.now = now
            earliest = now.subtractingSaturating(max(0, limits.timestampBeforeMaxMs))
            latest = now.addingSaturating(max(0, limits.timestampAfterMaxMs))
        }

        func check(_ timestamp: Int64, index: Int32) throws(WharfError) {
            guard timestamp != RecordBatchValidator.noTimestamp else { return }
            if timestamp < earliest {
                throw .invalidTimestamp("record \(index) timestamp \(timestamp) is more than \(now.subtractingSaturating(earliest)) ms before the broker's time \(now)")
            }
            if timestamp > latest {
                throw .invalidTimestamp("record \(index) timestamp \(timestamp) is more than \(latest.subtractingSaturating(now)) ms after the broker's time \(now)")
            }
        }
    }
}
