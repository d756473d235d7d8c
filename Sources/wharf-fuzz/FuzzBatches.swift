import WharfCore

/// Record batches (v2) for Produce: valid ones with a correct CRC32C, and ones whose header
/// fields or record varints carry hostile values, re-checksummed so the broker cannot reject
/// them on the CRC alone and has to validate what they say.
enum FuzzBatches {
    /// One record, encoded by hand so every varint can be chosen (the builder only writes
    /// consistent values).
    struct RawRecord {
        var timestampDelta: Int64 = 0
        var offsetDelta: Int64 = 0
        var key: [UInt8]? = nil
        var value: [UInt8]? = []
        var headerCount: Int64 = 0
        var headerBytes: [UInt8] = []

        func encoded() -> [UInt8] {
            var body: [UInt8] = [0]
            Varint.append(timestampDelta, to: &body)
            Varint.append(offsetDelta, to: &body)
            append(key, to: &body)
            append(value, to: &body)
            Varint.append(headerCount, to: &body)
            body += headerBytes
            var out: [UInt8] = []
            Varint.append(Int64(body.count), to: &out)
            return out + body
        }

        private func append(_ bytes: [UInt8]?, to out: inout [UInt8]) {
            guard let bytes else { return Varint.append(-1, to: &out) }
            Varint.append(Int64(bytes.count), to: &out)
            out += bytes
        }
    }

    /// The batch header fields, written over the builder's header before the CRC is computed.
    struct Header {
        var baseOffset: Int64 = 0
        var partitionLeaderEpoch: Int32 = -1
        var magic: Int8 = 2
        var attributes: Int16 = 0
        var lastOffsetDelta: Int32 = 0
        var baseTimestamp: Int64 = 0
        var maxTimestamp: Int64 = 0
        var producerId: Int64 = -1
        var producerEpoch: Int16 = -1
        var baseSequence: Int32 = -1
        var recordsCount: Int32 = 0
    }

    /// A complete batch: header, then `records` as given, length and CRC32C computed (a
    /// `lengthOverride` or `corruptCRC` breaks them on purpose).
    static func batch(_ h: Header, records: [RawRecord], lengthOverride: Int32? = nil, corruptCRC: Bool = false) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: RecordBatchHeader.size)
        for r in records { out += r.encoded() }
        out.setBigEndian(h.baseOffset, at: 0)
        out.setBigEndian(lengthOverride ?? Int32(truncatingIfNeeded: out.count - RecordBatchHeader.lengthPrefix), at: 8)
        out.setBigEndian(h.partitionLeaderEpoch, at: 12)
        out[RecordBatchHeader.magicOffset] = UInt8(bitPattern: h.magic)
        out.setBigEndian(h.attributes, at: 21)
        out.setBigEndian(h.lastOffsetDelta, at: 23)
        out.setBigEndian(h.baseTimestamp, at: 27)
        out.setBigEndian(h.maxTimestamp, at: 35)
        out.setBigEndian(h.producerId, at: 43)
        out.setBigEndian(h.producerEpoch, at: 51)
        out.setBigEndian(h.baseSequence, at: 53)
        out.setBigEndian(h.recordsCount, at: 57)
        var crc = out.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[RecordBatchHeader.crcStart...])) }
        if corruptCRC { crc = ~crc }
        out.setBigEndian(crc, at: RecordBatchHeader.crcOffset)
        return out
    }

    /// A consistent batch of `count` records with `valueSize`-byte values, as a real producer
    /// sends it (optionally idempotent).
    static func valid(count: Int, valueSize: Int, timestamp: Int64, producerId: Int64 = -1, producerEpoch: Int16 = -1,
                      baseSequence: Int32 = -1, fill: UInt8 = 0x61) -> [UInt8] {
        let n = max(1, count)
        let records = (0..<n).map { i in
            RawRecord(timestampDelta: 0, offsetDelta: Int64(i), key: Array("k\(i)".utf8), value: [UInt8](repeating: fill, count: max(0, valueSize)))
        }
        let header = Header(lastOffsetDelta: Int32(truncatingIfNeeded: n - 1), baseTimestamp: timestamp, maxTimestamp: timestamp,
                            producerId: producerId, producerEpoch: producerEpoch, baseSequence: baseSequence,
                            recordsCount: Int32(truncatingIfNeeded: n))
        return batch(header, records: records)
    }

    /// A batch whose header fields and record varints are each, with the values' mutation
    /// rate, replaced by a hostile value; the CRC is recomputed unless that too is mutated.
    static func fuzzed(_ v: inout FuzzValues, now: Int64, producer: (id: Int64, epoch: Int16, sequence: Int32)?) -> [UInt8] {
        let n = v.random.int(1...4)
        var records: [RawRecord] = []
        for i in 0..<n {
            var r = RawRecord()
            r.timestampDelta = v.int64("record.timestampDelta", Int64(i))
            r.offsetDelta = v.int64("record.offsetDelta", Int64(i))
            r.key = v.random.chance(0.5) ? nil : v.bytes("record.key", Array("key-\(i)".utf8))
            r.value = v.bytes("record.value", [UInt8](repeating: 0x76, count: v.random.int(0...200)))
            if v.random.chance(0.3) {
                r.headerCount = 1
                var h: [UInt8] = []
                Varint.append(2, to: &h)
                h += Array("hk".utf8)
                Varint.append(2, to: &h)
                h += Array("hv".utf8)
                r.headerBytes = h
            }
            r.headerCount = v.int64("record.headerCount", r.headerCount)
            records.append(r)
        }
        var h = Header()
        h.baseOffset = v.int64("batch.baseOffset", 0)
        h.partitionLeaderEpoch = v.int32("batch.partitionLeaderEpoch", -1)
        h.magic = v.int8("batch.magic", 2)
        h.attributes = v.int16("batch.attributes", v.random.chance(0.1) ? v.random.pick([1, 2, 3, 4, 8, 16, 32]) : 0)
        h.lastOffsetDelta = v.int32("batch.lastOffsetDelta", Int32(truncatingIfNeeded: n - 1))
        h.baseTimestamp = v.int64("batch.baseTimestamp", now)
        h.maxTimestamp = v.int64("batch.maxTimestamp", now &+ Int64(n - 1))
        h.producerId = v.int64("batch.producerId", producer?.id ?? -1)
        h.producerEpoch = v.int16("batch.producerEpoch", producer?.epoch ?? -1)
        h.baseSequence = v.int32("batch.baseSequence", producer?.sequence ?? -1)
        h.recordsCount = v.int32("batch.recordsCount", Int32(truncatingIfNeeded: n))
        let length: Int32? = v.mutate("batch.batchLength") ? v.interesting(Int32.self) : nil
        return batch(h, records: records, lengthOverride: length, corruptCRC: v.mutate("batch.crc"))
    }
}
