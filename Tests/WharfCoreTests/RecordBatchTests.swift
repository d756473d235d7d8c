import Testing
@testable import WharfCore

@Suite struct RecordBatchTests {
    let records = [
        Record(key: "k1", value: "hello", headers: [RecordHeader("h", "v")], timestamp: 1_700_000_000_000),
        Record(key: nil, value: Array("world".utf8), timestamp: 1_700_000_000_005),
        Record(key: Array("k3".utf8), value: nil, headers: [RecordHeader(key: "null", value: nil)], timestamp: 1_699_999_999_990),
        Record(key: "", value: "", timestamp: 1_700_000_000_001),
    ]

    @Test func roundTripPreservesEveryField() throws {
        let bytes = RecordBatchBuilder.encode(records, defaultTimestamp: 0)
        let header = try bytes.withUnsafeBytes { try RecordBatchBytes.validate($0) }
        #expect(header.magic == 2)
        #expect(header.recordsCount == 4)
        #expect(header.lastOffsetDelta == 3)
        #expect(header.totalSize == bytes.count)
        #expect(header.baseTimestamp == 1_700_000_000_000)
        #expect(header.maxTimestamp == 1_700_000_000_005)
        #expect(header.producerId == -1 && header.baseSequence == -1)
        let decoded = try RecordBatchReader.records(in: bytes)
        #expect(decoded.map(\.offset) == [0, 1, 2, 3])
        for (d, r) in zip(decoded, records) {
            #expect(d.key == r.key)
            #expect(d.value == r.value)
            #expect(d.headers == r.headers)
            #expect(d.timestamp == r.timestamp)
        }
    }

    @Test func baseOffsetRewriteKeepsCRCValid() throws {
        var bytes = RecordBatchBuilder.encode(records, defaultTimestamp: 0)
        bytes.withUnsafeMutableBytes { RecordBatchBytes.setBaseOffset(1000, in: $0) }
        let header = try bytes.withUnsafeBytes { try RecordBatchBytes.validate($0) }
        #expect(header.baseOffset == 1000)
        #expect(try RecordBatchReader.records(in: bytes).map(\.offset) == [1000, 1001, 1002, 1003])
    }

    @Test func logAppendTimeOverridesRecordTimestamps() throws {
        var bytes = RecordBatchBuilder.encode(records, defaultTimestamp: 0)
        let size = bytes.count
        bytes.withUnsafeMutableBytes { RecordBatchBytes.stampLogAppendTime(42, in: $0, totalSize: size) }
        let header = try bytes.withUnsafeBytes { try RecordBatchBytes.validate($0) }
        #expect(header.isLogAppendTime)
        #expect(try RecordBatchReader.records(in: bytes).allSatisfy { $0.timestamp == 42 })
    }

    @Test func corruptionIsDetected() {
        var bytes = RecordBatchBuilder.encode(records, defaultTimestamp: 0)
        bytes[bytes.count - 3] ^= 0x40
        #expect(throws: WharfError.self) { try bytes.withUnsafeBytes { try RecordBatchBytes.validate($0) } }
        let truncated = Array(RecordBatchBuilder.encode(records, defaultTimestamp: 0).dropLast(5))
        #expect(throws: WharfError.self) { try truncated.withUnsafeBytes { try RecordBatchBytes.validate($0) } }
        var wrongMagic = RecordBatchBuilder.encode(records, defaultTimestamp: 0)
        wrongMagic[16] = 1
        #expect(throws: WharfError.self) { try wrongMagic.withUnsafeBytes { try RecordBatchBytes.validate($0) } }
    }

    @Test func readerStopsAtTrailingPartialBatchAndReadsConcatenatedBatches() throws {
        var a = RecordBatchBuilder.encode(Array(records.prefix(2)), defaultTimestamp: 0)
        var b = RecordBatchBuilder.encode(Array(records.suffix(2)), defaultTimestamp: 0)
        b.withUnsafeMutableBytes { RecordBatchBytes.setBaseOffset(2, in: $0) }
        a.append(contentsOf: b)
        a.append(contentsOf: b.prefix(30))  // a torn third batch
        #expect(try RecordBatchReader.records(in: a).map(\.offset) == [0, 1, 2, 3])
        #expect(try a.withUnsafeBytes { try RecordBatchReader.batchHeaders(in: $0) }.count == 2)
        #expect(try RecordBatchReader.records(in: a, fromOffset: 1).map(\.offset) == [1, 2, 3])
    }

    @Test func builderIsReusableAndCarriesProducerFields() throws {
        var builder = RecordBatchBuilder()
        for round in 0..<3 {
            builder.reset(producerId: 77, producerEpoch: 2, baseSequence: Int32(round * 10))
            for i in 0..<10 { builder.append(Record(key: nil, value: "v\(round)-\(i)", timestamp: 5), defaultTimestamp: 0) }
            let bytes = builder.finish()
            let h = try bytes.withUnsafeBytes { try RecordBatchBytes.validate($0) }
            #expect(h.producerId == 77 && h.producerEpoch == 2 && h.baseSequence == Int32(round * 10))
            #expect(try RecordBatchReader.records(in: bytes).map { String(decoding: $0.value!, as: UTF8.self) } == (0..<10).map { "v\(round)-\($0)" })
        }
    }

    /// A batch as Kafka's Java producer writes it (one record, key null, value "a", no headers,
    /// timestamp 0): pins the byte layout, not just our own round trip.
    @Test func byteLayoutMatchesKafka() throws {
        var b = RecordBatchBuilder()
        b.append(key: nil, value: nil, timestamp: 0)
        let bytes = b.finish()
        // 61-byte header + record: length varint(6)=0x0c, attrs 0, tsDelta 0, offsetDelta 0,
        // key -1 (0x01), value -1 (0x01), headers 0.
        #expect(bytes.count == 61 + 7)
        #expect(Array(bytes[61...]) == [0x0c, 0x00, 0x00, 0x00, 0x01, 0x01, 0x00])
        #expect(Array(bytes[8..<12]) == [0, 0, 0, UInt8(61 + 7 - 12)])
        #expect(bytes[16] == 2)
    }
}
