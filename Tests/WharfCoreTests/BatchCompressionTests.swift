import Testing
@testable import WharfCore

@Suite struct BatchCompressionTests {
    let records = (0..<200).map { Record(key: "k\($0 % 7)", value: "value \($0) " + String(repeating: "x", count: $0 % 50), headers: [RecordHeader("n", "\($0)")], timestamp: 1_000 + Int64($0)) }

    @Test(arguments: [RecordBatchHeader.Compression.gzip, .snappy, .lz4, .zstd])
    func compressedBatchesReadBackExactly(codec: RecordBatchHeader.Compression) throws {
        let plain = RecordBatchBuilder.encode(records, defaultTimestamp: 0)
        let packed = BatchCompression.compressBatch(plain, with: codec)
        #expect(packed.count < plain.count, "\(codec) did not compress")
        let header = try packed.withUnsafeBytes { try RecordBatchBytes.validate($0) }
        #expect(header.compression == codec)
        let decoded = try RecordBatchReader.records(in: packed)
        #expect(decoded.count == records.count)
        for (d, r) in zip(decoded, records) {
            #expect(d.key == r.key && d.value == r.value && d.headers == r.headers && d.timestamp == r.timestamp)
        }
    }

    /// Java producers frame snappy the xerial way; librdkafka writes raw snappy. Both must read.
    @Test func xerialFramedSnappyReads() throws {
        let plain = RecordBatchBuilder.encode(records, defaultTimestamp: 0)
        let section = Array(plain[RecordBatchHeader.size...])
        let half = section.count / 2
        var xerial = BatchCompression.xerialMagic + [0, 0, 0, 1, 0, 0, 0, 1]
        for part in [Array(section[..<half]), Array(section[half...])] {
            let block = BatchCompression.compress(.snappy, part)
            xerial.appendBigEndian(Int32(block.count))
            xerial += block
        }
        #expect(try xerial.withUnsafeBytes { try BatchCompression.decompress(.snappy, $0) } == section)
    }

    @Test(arguments: [RecordBatchHeader.Compression.gzip, .snappy, .lz4, .zstd])
    func corruptCompressedDataIsAnErrorNotACrash(codec: RecordBatchHeader.Compression) {
        let packed = BatchCompression.compress(codec, Array(repeating: 0x61, count: 5000))
        for cut in [1, packed.count / 2, packed.count - 1] {
            let truncated = Array(packed[..<cut])
            #expect(throws: WharfError.self) { try truncated.withUnsafeBytes { try BatchCompression.decompress(codec, $0) } }
        }
        var garbage = packed
        for i in stride(from: min(4, garbage.count - 1), to: garbage.count, by: 3) { garbage[i] ^= 0x5a }
        // Either an error or some bytes: never a trap.
        _ = try? garbage.withUnsafeBytes { try BatchCompression.decompress(codec, $0) }
    }
}
