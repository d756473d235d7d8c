/// Encodes records into one RecordBatch v2 (uncompressed, CreateTime). Reusable: `reset` keeps the
/// buffer's capacity, so a producer loop encodes batch after batch without allocating.
///
/// The base offset is written as 0; the log assigns the real one on append.
public struct RecordBatchBuilder: Sendable {
    public private(set) var buffer: [UInt8] = []
    public private(set) var count: Int32 = 0
    private var baseTimestamp: Int64 = 0
    private var maxTimestamp: Int64 = 0
    private var producerId: Int64 = -1
    private var producerEpoch: Int16 = -1
    private var baseSequence: Int32 = -1

    public init(capacity: Int = 16 * 1024) {
        buffer.reserveCapacity(capacity)
        reset()
    }

    public var isEmpty: Bool { count == 0 }
    public var sizeInBytes: Int { buffer.count }

    /// Starts a new batch; an idempotent producer passes its id, epoch and first sequence.
    public mutating func reset(producerId: Int64 = -1, producerEpoch: Int16 = -1, baseSequence: Int32 = -1) {
        buffer.removeAll(keepingCapacity: true)
        buffer.append(contentsOf: repeatElement(0, count: RecordBatchHeader.size))
        count = 0
        self.producerId = producerId
        self.producerEpoch = producerEpoch
        self.baseSequence = baseSequence
    }

    public mutating func append(_ record: Record, defaultTimestamp: Int64) {
        let ts = record.timestamp ?? defaultTimestamp
        record.key.withOptionalBytes { key in
            record.value.withOptionalBytes { value in
                append(key: key, value: value, headers: record.headers, timestamp: ts)
            }
        }
    }

    /// Appends one record from borrowed bytes (nil = null key or value).
    public mutating func append(key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer?, headers: [RecordHeader] = [], timestamp: Int64) {
        if count == 0 {
            baseTimestamp = timestamp
            maxTimestamp = timestamp
        }
        maxTimestamp = max(maxTimestamp, timestamp)
        let tsDelta = timestamp - baseTimestamp
        let offsetDelta = Int64(count)

        var bodySize = 1 + Varint.size(tsDelta) + Varint.size(offsetDelta)
        bodySize += Varint.size(Int64(key?.count ?? -1)) + (key?.count ?? 0)
        bodySize += Varint.size(Int64(value?.count ?? -1)) + (value?.count ?? 0)
        bodySize += Varint.size(Int64(headers.count))
        for h in headers {
            let k = h.key.utf8.count
            bodySize += Varint.size(Int64(k)) + k
            bodySize += Varint.size(Int64(h.value?.count ?? -1)) + (h.value?.count ?? 0)
        }

        Varint.append(Int64(bodySize), to: &buffer)
        buffer.append(0)  // record attributes, unused
        Varint.append(tsDelta, to: &buffer)
        Varint.append(offsetDelta, to: &buffer)
        appendNullable(key)
        appendNullable(value)
        Varint.append(Int64(headers.count), to: &buffer)
        for h in headers {
            Varint.append(Int64(h.key.utf8.count), to: &buffer)
            buffer.append(contentsOf: h.key.utf8)
            if let v = h.value {
                Varint.append(Int64(v.count), to: &buffer)
                buffer.append(contentsOf: v)
            } else {
                Varint.append(-1, to: &buffer)
            }
        }
        count += 1
    }

    private mutating func appendNullable(_ bytes: UnsafeRawBufferPointer?) {
        guard let bytes else { return Varint.append(-1, to: &buffer) }
        Varint.append(Int64(bytes.count), to: &buffer)
        buffer.append(contentsOf: bytes)
    }

    /// Fills in the header and CRC; the returned bytes are one complete batch.
    /// Call only when at least one record was appended.
    public mutating func finish() -> [UInt8] {
        precondition(count > 0, "a record batch needs at least one record")
        buffer.setBigEndian(Int64(0), at: 0)
        buffer.setBigEndian(Int32(buffer.count - RecordBatchHeader.lengthPrefix), at: 8)
        buffer.setBigEndian(Int32(-1), at: 12)
        buffer[16] = 2
        buffer.setBigEndian(Int16(0), at: 21)
        buffer.setBigEndian(count - 1, at: 23)
        buffer.setBigEndian(baseTimestamp, at: 27)
        buffer.setBigEndian(maxTimestamp, at: 35)
        buffer.setBigEndian(producerId, at: 43)
        buffer.setBigEndian(producerEpoch, at: 51)
        buffer.setBigEndian(baseSequence, at: 53)
        buffer.setBigEndian(count, at: 57)
        let crc = buffer.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[RecordBatchHeader.crcStart...])) }
        buffer.setBigEndian(crc, at: RecordBatchHeader.crcOffset)
        return buffer
    }

    /// Encodes `records` as one batch in one call (an idempotent producer's when `producerId`
    /// is given).
    public static func encode(_ records: [Record], defaultTimestamp: Int64,
                              producerId: Int64 = -1, producerEpoch: Int16 = -1, baseSequence: Int32 = -1) -> [UInt8] {
        var builder = RecordBatchBuilder(capacity: records.reduce(RecordBatchHeader.size) { $0 + 24 + ($1.key?.count ?? 0) + ($1.value?.count ?? 0) })
        builder.reset(producerId: producerId, producerEpoch: producerEpoch, baseSequence: baseSequence)
        for r in records { builder.append(r, defaultTimestamp: defaultTimestamp) }
        return builder.finish()
    }
}

extension Optional where Wrapped == [UInt8] {
    @inlinable func withOptionalBytes<R>(_ body: (UnsafeRawBufferPointer?) -> R) -> R {
        switch self {
        case .none: return body(nil)
        case .some(let a): return a.withUnsafeBytes { body($0) }
        }
    }
}
