import CWharfCompression

/// Decompression (and, for tests and producers, compression) of a record batch's records
/// section, with the system libraries. Wharf stores and serves compressed batches exactly as
/// clients sent them; this is for the places where Wharf itself must read records (CLI,
/// dashboard, requeue).
///
/// Formats as Kafka clients write them: gzip is a gzip stream; snappy is either raw snappy
/// (librdkafka) or xerial-framed (`\x82SNAPPY\0`, Java); lz4 is the LZ4 frame format; zstd is a
/// zstd frame. Output is capped so a hostile batch cannot exhaust memory: by `maxOutput` when
/// reading stored batches, and by the partition's tighter bound when a client produces
/// (`RecordBatchValidator.Limits.maxDecompressedBytes`). The cap is checked before each chunk
/// is appended, so a bomb costs at most the cap, never more.
public enum BatchCompression {
    public static let maxOutput = 256 << 20

    public static func decompress(_ codec: RecordBatchHeader.Compression, _ input: UnsafeRawBufferPointer,
                                  maxOutput limit: Int = maxOutput) throws(WharfError) -> [UInt8] {
        switch codec {
        case .none: return Array(input)
        case .gzip: return try gunzip(input, limit: limit)
        case .snappy: return try unsnappy(input, limit: limit)
        case .lz4: return try unlz4(input, limit: limit)
        case .zstd: return try unzstd(input, limit: limit)
        }
    }

    /// Appends `chunk[..<count]` to `out` unless that would pass `limit`.
    private static func append(_ chunk: [UInt8], _ count: Int, to out: inout [UInt8], limit: Int, codec: String) throws(WharfError) {
        guard count <= limit - out.count else { throw fail(codec, "output exceeds \(limit) bytes") }
        out.append(contentsOf: chunk[..<count])
    }

    private static func fail(_ codec: String, _ why: String) -> WharfError {
        .corrupt("cannot decompress \(codec) record batch: \(why)")
    }

    // MARK: gzip

    static func gunzip(_ input: UnsafeRawBufferPointer, limit: Int = maxOutput) throws(WharfError) -> [UInt8] {
        var stream = z_stream()
        // 15 + 32: a zlib or gzip header, detected automatically.
        guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { throw fail("gzip", "inflateInit failed") }
        defer { inflateEnd(&stream) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: UInt8.self))
        stream.avail_in = UInt32(input.count)
        while true {
            let status: Int32 = chunk.withUnsafeMutableBytes { buf in
                stream.next_out = buf.baseAddress?.assumingMemoryBound(to: UInt8.self)
                stream.avail_out = UInt32(buf.count)
                return inflate(&stream, Z_NO_FLUSH)
            }
            let produced = chunk.count - Int(stream.avail_out)
            try append(chunk, produced, to: &out, limit: limit, codec: "gzip")
            if status == Z_STREAM_END { return out }
            guard status == Z_OK || (status == Z_BUF_ERROR && produced > 0) else { throw fail("gzip", "zlib status \(status)") }
            if stream.avail_in == 0 && produced == 0 { throw fail("gzip", "truncated stream") }
        }
    }

    // MARK: snappy

    static let xerialMagic: [UInt8] = [0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]

    static func unsnappy(_ input: UnsafeRawBufferPointer, limit: Int = maxOutput) throws(WharfError) -> [UInt8] {
        if input.count >= 16, Array(input[0..<8]) == xerialMagic {
            var out: [UInt8] = []
            var at = 16  // magic, version, compatible version
            while at < input.count {
                guard input.count - at >= 4 else { throw fail("snappy", "truncated xerial block header") }
                let length = Int(input.loadBigEndian(at: at, as: Int32.self))
                at += 4
                guard length >= 0, length <= input.count - at else { throw fail("snappy", "xerial block runs past the batch") }
                let block = try rawSnappy(UnsafeRawBufferPointer(rebasing: input[at..<(at + length)]), limit: limit - out.count)
                out.append(contentsOf: block)
                at += length
            }
            return out
        }
        return try rawSnappy(input, limit: limit)
    }

    /// The most output `count` bytes of raw snappy can produce: a 3-byte copy element writes at
    /// most 64 bytes, and every other element writes less per input byte.
    static func snappyMaxExpansion(of count: Int) -> Int { (count / 3 + 1) * 64 }

    static func rawSnappy(_ input: UnsafeRawBufferPointer, limit: Int = maxOutput) throws(WharfError) -> [UInt8] {
        let src = input.baseAddress?.assumingMemoryBound(to: CChar.self)
        var length = 0
        guard snappy_uncompressed_length(src, input.count, &length) == SNAPPY_OK else { throw fail("snappy", "bad length header") }
        guard length <= limit else { throw fail("snappy", "output exceeds \(limit) bytes") }
        // The buffer is zero-filled before decompressing, so a claim must be one the input can
        // honour: no snappy element expands more than a copy does (64 bytes from 3).
        guard length <= snappyMaxExpansion(of: input.count) else {
            throw fail("snappy", "block of \(input.count) bytes claims \(length) bytes of output")
        }
        var out = [UInt8](repeating: 0, count: length)
        var produced = length
        let status = out.withUnsafeMutableBytes { snappy_uncompress(src, input.count, $0.baseAddress?.assumingMemoryBound(to: CChar.self), &produced) }
        guard status == SNAPPY_OK else { throw fail("snappy", "corrupt block") }
        return Array(out[..<produced])
    }

    // MARK: lz4

    static func unlz4(_ input: UnsafeRawBufferPointer, limit: Int = maxOutput) throws(WharfError) -> [UInt8] {
        var ctx: OpaquePointer?
        guard LZ4F_isError(LZ4F_createDecompressionContext(&ctx, UInt32(LZ4F_VERSION))) == 0, let ctx else { throw fail("lz4", "no context") }
        defer { LZ4F_freeDecompressionContext(ctx) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        var at = 0
        while true {
            var srcSize = input.count - at
            var dstSize = chunk.count
            let hint = chunk.withUnsafeMutableBytes { dst in
                LZ4F_decompress(ctx, dst.baseAddress, &dstSize, input.baseAddress.map { $0 + at }, &srcSize, nil)
            }
            if LZ4F_isError(hint) != 0 { throw fail("lz4", String(cString: LZ4F_getErrorName(hint))) }
            try append(chunk, dstSize, to: &out, limit: limit, codec: "lz4")
            at += srcSize
            if hint == 0 { return out }
            if at >= input.count && dstSize == 0 { throw fail("lz4", "truncated frame") }
        }
    }

    // MARK: zstd

    static func unzstd(_ input: UnsafeRawBufferPointer, limit: Int = maxOutput) throws(WharfError) -> [UInt8] {
        guard let stream = ZSTD_createDStream() else { throw fail("zstd", "no context") }
        defer { ZSTD_freeDStream(stream) }
        ZSTD_initDStream(stream)
        var inBuf = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let (hint, produced): (Int, Int) = chunk.withUnsafeMutableBytes { dst in
                var outBuf = ZSTD_outBuffer(dst: dst.baseAddress, size: dst.count, pos: 0)
                let h = ZSTD_decompressStream(stream, &outBuf, &inBuf)
                return (h, outBuf.pos)
            }
            if ZSTD_isError(hint) != 0 { throw fail("zstd", String(cString: ZSTD_getErrorName(hint))) }
            try append(chunk, produced, to: &out, limit: limit, codec: "zstd")
            if hint == 0 { return out }
            if inBuf.pos >= inBuf.size && produced == 0 { throw fail("zstd", "truncated frame") }
        }
    }

    // MARK: compression (producers, tests)

    /// Compresses a records section as a Kafka client would (raw snappy, as librdkafka does).
    public static func compress(_ codec: RecordBatchHeader.Compression, _ input: [UInt8]) -> [UInt8] {
        input.withUnsafeBytes { src -> [UInt8] in
            switch codec {
            case .none:
                return input
            case .gzip:
                var stream = z_stream()
                deflateInit2_(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
                defer { deflateEnd(&stream) }
                var out = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(input.count))) + 32)
                stream.next_in = UnsafeMutablePointer(mutating: src.baseAddress?.assumingMemoryBound(to: UInt8.self))
                stream.avail_in = UInt32(input.count)
                let n = out.withUnsafeMutableBytes { dst -> Int in
                    stream.next_out = dst.baseAddress?.assumingMemoryBound(to: UInt8.self)
                    stream.avail_out = UInt32(dst.count)
                    deflate(&stream, Z_FINISH)
                    return dst.count - Int(stream.avail_out)
                }
                return Array(out[..<n])
            case .snappy:
                var length = snappy_max_compressed_length(input.count)
                var out = [UInt8](repeating: 0, count: length)
                _ = out.withUnsafeMutableBytes {
                    snappy_compress(src.baseAddress?.assumingMemoryBound(to: CChar.self), input.count, $0.baseAddress?.assumingMemoryBound(to: CChar.self), &length)
                }
                return Array(out[..<length])
            case .lz4:
                var out = [UInt8](repeating: 0, count: LZ4F_compressFrameBound(input.count, nil))
                let n = out.withUnsafeMutableBytes { LZ4F_compressFrame($0.baseAddress, $0.count, src.baseAddress, input.count, nil) }
                return Array(out[..<n])
            case .zstd:
                var out = [UInt8](repeating: 0, count: ZSTD_compressBound(input.count))
                let n = out.withUnsafeMutableBytes { ZSTD_compress($0.baseAddress, $0.count, src.baseAddress, input.count, 3) }
                return Array(out[..<n])
            }
        }
    }

    /// Re-encodes an uncompressed batch with its records section compressed by `codec`.
    public static func compressBatch(_ batch: [UInt8], with codec: RecordBatchHeader.Compression) -> [UInt8] {
        let records = Array(batch[RecordBatchHeader.size...])
        var out = Array(batch[..<RecordBatchHeader.size]) + compress(codec, records)
        let attributes = (Int16(bigEndian: out.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 21, as: Int16.self) }) & ~0x7) | Int16(codec.rawValue)
        out.setBigEndian(attributes, at: 21)
        out.setBigEndian(Int32(out.count - RecordBatchHeader.lengthPrefix), at: 8)
        let crc = out.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[RecordBatchHeader.crcStart...])) }
        out.setBigEndian(crc, at: RecordBatchHeader.crcOffset)
        return out
    }
}
