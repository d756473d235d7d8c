/// The fixed 61-byte header of a Kafka RecordBatch v2 (`DefaultRecordBatch.java`), big-endian:
///
///     0 baseOffset i64 | 8 batchLength i32 | 12 partitionLeaderEpoch i32 | 16 magic i8 (=2)
///     17 crc u32 (CRC-32C of bytes 21..end) | 21 attributes i16 | 23 lastOffsetDelta i32
///     27 baseTimestamp i64 | 35 maxTimestamp i64 | 43 producerId i64 | 51 producerEpoch i16
///     53 baseSequence i32 | 57 recordsCount i32 | 61 records...
///
/// `batchLength` counts the bytes after its own field, so a batch occupies `batchLength + 12`.
/// The broker assigns offsets by rewriting `baseOffset`, which the CRC does not cover, so stored
/// bytes are served unchanged to every reader.
public struct RecordBatchHeader: Equatable, Sendable {
    public static let size = 61
    /// Offset of the length field's end: a batch's total size is `batchLength + lengthPrefix`.
    public static let lengthPrefix = 12
    public static let magicOffset = 16
    public static let crcOffset = 17
    public static let crcStart = 21

    public var baseOffset: Int64
    public var batchLength: Int32
    public var partitionLeaderEpoch: Int32
    public var magic: Int8
    public var crc: UInt32
    public var attributes: Int16
    public var lastOffsetDelta: Int32
    public var baseTimestamp: Int64
    public var maxTimestamp: Int64
    public var producerId: Int64
    public var producerEpoch: Int16
    public var baseSequence: Int32
    public var recordsCount: Int32

    public var totalSize: Int { Int(batchLength) + Self.lengthPrefix }
    /// Saturating: a batch fetched from another cluster (or a damaged file) may claim any base offset.
    public var lastOffset: Int64 { baseOffset.addingSaturating(Int64(lastOffsetDelta)) }
    public var nextOffset: Int64 { lastOffset.addingSaturating(1) }
    public var compression: Compression { Compression(rawValue: Int(attributes & 0x7)) ?? .none }
    /// False for codec ids 5...7, which no Kafka version defines (`compression` reads them as none).
    public var hasKnownCompression: Bool { Compression(rawValue: Int(attributes & 0x7)) != nil }
    public var isLogAppendTime: Bool { attributes & 0x8 != 0 }
    public var isTransactional: Bool { attributes & 0x10 != 0 }
    public var isControl: Bool { attributes & 0x20 != 0 }

    public enum Compression: Int, Sendable, CustomStringConvertible {
        case none = 0, gzip = 1, snappy = 2, lz4 = 3, zstd = 4
        public var description: String { ["none", "gzip", "snappy", "lz4", "zstd"][rawValue] }
    }

    /// Parses the header at the start of `bytes`; it does not check the CRC.
    public init(parsing bytes: UnsafeRawBufferPointer) throws(WharfError) {
        guard bytes.count >= Self.size else { throw .malformed("record batch header needs \(Self.size) bytes, have \(bytes.count)") }
        baseOffset = bytes.loadBigEndian(at: 0, as: Int64.self)
        batchLength = bytes.loadBigEndian(at: 8, as: Int32.self)
        partitionLeaderEpoch = bytes.loadBigEndian(at: 12, as: Int32.self)
        magic = Int8(bitPattern: bytes[16])
        crc = bytes.loadBigEndian(at: 17, as: UInt32.self)
        attributes = bytes.loadBigEndian(at: 21, as: Int16.self)
        lastOffsetDelta = bytes.loadBigEndian(at: 23, as: Int32.self)
        baseTimestamp = bytes.loadBigEndian(at: 27, as: Int64.self)
        maxTimestamp = bytes.loadBigEndian(at: 35, as: Int64.self)
        producerId = bytes.loadBigEndian(at: 43, as: Int64.self)
        producerEpoch = bytes.loadBigEndian(at: 51, as: Int16.self)
        baseSequence = bytes.loadBigEndian(at: 53, as: Int32.self)
        recordsCount = bytes.loadBigEndian(at: 57, as: Int32.self)
        guard magic == 2 else { throw .malformed("unsupported record batch magic \(magic) (only v2 is accepted)") }
        guard batchLength >= Int32(Self.size - Self.lengthPrefix) else { throw .malformed("record batch length \(batchLength) is too small") }
        guard lastOffsetDelta >= 0, recordsCount >= 0 else { throw .malformed("negative record count or offset delta") }
    }
}

/// Validation and in-place edits of whole encoded batches.
public enum RecordBatchBytes {
    /// Checks that `bytes` holds exactly one whole v2 batch whose CRC matches; returns its header.
    public static func validate(_ bytes: UnsafeRawBufferPointer) throws(WharfError) -> RecordBatchHeader {
        let header = try RecordBatchHeader(parsing: bytes)
        guard header.totalSize <= bytes.count else {
            throw .malformed("record batch claims \(header.totalSize) bytes, only \(bytes.count) present")
        }
        let covered = UnsafeRawBufferPointer(rebasing: bytes[RecordBatchHeader.crcStart..<header.totalSize])
        let actual = CRC32C.checksum(covered)
        guard actual == header.crc else {
            throw .corrupt("record batch CRC mismatch (stored \(hex(header.crc)), computed \(hex(actual)))")
        }
        return header
    }

    /// Writes the broker-assigned base offset into an encoded batch (outside the CRC's range).
    public static func setBaseOffset(_ offset: Int64, in bytes: UnsafeMutableRawBufferPointer) {
        bytes.storeBytes(of: offset.bigEndian, toByteOffset: 0, as: Int64.self)
    }

    /// Sets LogAppendTime: the attribute bit and maxTimestamp, then recomputes the CRC (as Kafka does).
    public static func stampLogAppendTime(_ time: Int64, in bytes: UnsafeMutableRawBufferPointer, totalSize: Int) {
        let attributes = Int16(bigEndian: bytes.loadUnaligned(fromByteOffset: 21, as: Int16.self)) | 0x8
        setTimestamps(attributes: attributes, maxTimestamp: time, in: bytes, totalSize: totalSize)
    }

    /// The checks on a batch's header that cost nothing per record, for every append (a client's
    /// or the engine's own): at least one record, and offsets that span exactly the records, so a
    /// batch advances the log end by its record count and no more (Kafka's "Inconsistent batch
    /// offset range"). Records themselves are checked by `RecordBatchValidator`.
    public static func checkOffsetRange(_ header: RecordBatchHeader) throws(WharfError) {
        guard header.recordsCount >= 1 else { throw .invalidRecord("record batch has no records") }
        guard Int64(header.lastOffsetDelta) == Int64(header.recordsCount) - 1 else {
            throw .invalidRecord("inconsistent batch offset range: lastOffsetDelta \(header.lastOffsetDelta) with \(header.recordsCount) records")
        }
    }

    /// Rewrites attributes and maxTimestamp of an encoded batch and recomputes its CRC.
    public static func setTimestamps(attributes: Int16, maxTimestamp: Int64, in bytes: UnsafeMutableRawBufferPointer, totalSize: Int) {
        bytes.storeBytes(of: attributes.bigEndian, toByteOffset: 21, as: Int16.self)
        bytes.storeBytes(of: maxTimestamp.bigEndian, toByteOffset: 35, as: Int64.self)
        let crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[RecordBatchHeader.crcStart..<totalSize]))
        bytes.storeBytes(of: crc.bigEndian, toByteOffset: RecordBatchHeader.crcOffset, as: UInt32.self)
    }

    static func hex(_ v: UInt32) -> String { "0x" + String(v, radix: 16) }
}
