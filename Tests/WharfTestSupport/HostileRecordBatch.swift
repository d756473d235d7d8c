import WharfCore

/// Hand-made RecordBatch v2 bytes with every field chosen by the test, and a correct CRC-32C, so
/// a hostile batch gets past the checksum and reaches the code under test (as an attacker's
/// would). `RecordBatchBuilder` cannot make these: it only writes consistent batches.
public struct HostileRecordBatch {
    public var baseOffset: Int64 = 0
    public var attributes: Int16 = 0
    public var lastOffsetDelta: Int32?
    public var baseTimestamp: Int64 = 1_700_000_000_000
    /// nil: the largest record timestamp, as a well-behaved client writes it.
    public var maxTimestamp: Int64?
    public var producerId: Int64 = -1
    public var producerEpoch: Int16 = -1
    public var baseSequence: Int32 = -1
    public var recordsCount: Int32?
    public var records: [Record] = []
    /// Bytes appended after the records (inside the batch, covered by the CRC).
    public var trailing: [UInt8] = []

    /// One record's fields; `headerCount` and `headerBytes` are written as given.
    public struct Record {
        public var timestampDelta: Int64
        public var offsetDelta: Int32
        public var key: [UInt8]?
        public var value: [UInt8]?
        public var headerCount: Int32
        public var headerBytes: [UInt8]
        /// Added to the true length in the record's length prefix (a lying length).
        public var lengthAdjustment: Int32

        public init(timestampDelta: Int64 = 0, offsetDelta: Int32, key: [UInt8]? = nil, value: [UInt8]? = Array("v".utf8),
                    headerCount: Int32 = 0, headerBytes: [UInt8] = [], lengthAdjustment: Int32 = 0) {
            self.timestampDelta = timestampDelta
            self.offsetDelta = offsetDelta
            self.key = key
            self.value = value
            self.headerCount = headerCount
            self.headerBytes = headerBytes
            self.lengthAdjustment = lengthAdjustment
        }

        func encoded() -> [UInt8] {
            var body: [UInt8] = [0]
            Varint.append(timestampDelta, to: &body)
            Varint.append(Int64(offsetDelta), to: &body)
            for field in [key, value] {
                if let field {
                    Varint.append(Int64(field.count), to: &body)
                    body += field
                } else {
                    Varint.append(-1, to: &body)
                }
            }
            Varint.append(Int64(headerCount), to: &body)
            body += headerBytes
            var out: [UInt8] = []
            Varint.append(Int64(body.count) + Int64(lengthAdjustment), to: &out)
            return out + body
        }
    }

    public init() {}

    /// `count` plain records at deltas 0..<count, timestamps `baseTimestamp + i`.
    public init(count: Int, baseTimestamp: Int64 = 1_700_000_000_000) {
        self.baseTimestamp = baseTimestamp
        records = (0..<count).map { Record(timestampDelta: Int64($0), offsetDelta: Int32($0)) }
    }

    /// The records section before any compression.
    public var recordsSection: [UInt8] { records.flatMap { $0.encoded() } + trailing }

    /// The whole batch, with `section` as its records section (e.g. compressed) and a valid CRC.
    public func encoded(section: [UInt8]? = nil) -> [UInt8] {
        let section = section ?? recordsSection
        let largest = records.map { baseTimestamp &+ $0.timestampDelta }.max() ?? baseTimestamp
        var out = [UInt8](repeating: 0, count: RecordBatchHeader.size)
        out.setBigEndian(baseOffset, at: 0)
        out.setBigEndian(Int32(truncatingIfNeeded: RecordBatchHeader.size - RecordBatchHeader.lengthPrefix + section.count), at: 8)
        out.setBigEndian(Int32(-1), at: 12)
        out[16] = 2
        out.setBigEndian(attributes, at: 21)
        out.setBigEndian(lastOffsetDelta ?? Int32(max(0, records.count - 1)), at: 23)
        out.setBigEndian(baseTimestamp, at: 27)
        out.setBigEndian(maxTimestamp ?? largest, at: 35)
        out.setBigEndian(producerId, at: 43)
        out.setBigEndian(producerEpoch, at: 51)
        out.setBigEndian(baseSequence, at: 53)
        out.setBigEndian(recordsCount ?? Int32(records.count), at: 57)
        out += section
        let crc = out.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[RecordBatchHeader.crcStart...])) }
        out.setBigEndian(crc, at: RecordBatchHeader.crcOffset)
        return out
    }
}
