/// Reads the records of encoded v2 batches. Iteration is by callback over borrowed slices
/// (`forEachRecord`), so scanning a fetch result allocates nothing per record; `records(in:)`
/// materialises `StoredRecord` values for callers that want them (CLI, dashboard).
public enum RecordBatchReader {
    /// A record's fields as borrowed slices of the batch bytes; valid only inside the callback.
    public struct RecordView {
        public var offset: Int64
        public var timestamp: Int64
        public var key: UnsafeRawBufferPointer?
        public var value: UnsafeRawBufferPointer?
        /// Header bytes still encoded; decode with `headers()` or `forEachHeader`.
        public var headerCount: Int
        var headerBytes: UnsafeRawBufferPointer

        public func headers() throws(WharfError) -> [RecordHeader] {
            var out: [RecordHeader] = []
            // The count is untrusted; a header takes at least two bytes, so reserve no more than fit.
            out.reserveCapacity(min(headerCount, headerBytes.count / 2))
            try forEachHeader { key, value in
                out.append(RecordHeader(key: String(decoding: key, as: UTF8.self), value: value.map { Array($0) }))
            }
            return out
        }

        /// Calls `body` with each header's key and value (nil: a null value) as borrowed slices,
        /// valid only inside the call: a reader that looks for known keys allocates nothing.
        public func forEachHeader(_ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer?) throws(WharfError) -> Void) throws(WharfError) {
            var reader = ByteReader(headerBytes)
            for _ in 0..<headerCount {
                let klen = Int(try reader.readVarint())
                guard klen >= 0 else { throw .malformed("negative header key length") }
                let key = try reader.readSlice(klen)
                let vlen = Int(try reader.readVarint())
                try body(key, vlen < 0 ? nil : try reader.readSlice(vlen))
            }
        }
    }

    /// Calls `body` for each record of every batch in `bytes` (whole batches, back to back; a
    /// trailing partial batch is ignored, as Kafka clients do). Control batches are skipped.
    /// Compressed batches are decompressed first (one allocation per batch, not per record).
    public static func forEachRecord(in bytes: UnsafeRawBufferPointer, _ body: (RecordView) throws -> Void) throws {
        var position = 0
        while bytes.count - position >= RecordBatchHeader.size {
            let slice = UnsafeRawBufferPointer(rebasing: bytes[position...])
            let header = try RecordBatchHeader(parsing: slice)
            guard header.totalSize <= slice.count else { break }
            defer { position += header.totalSize }
            if header.isControl { continue }
            let section = UnsafeRawBufferPointer(rebasing: slice[RecordBatchHeader.size..<header.totalSize])
            if header.compression == .none {
                try forEachRecord(of: header, inSection: section, body)
            } else {
                let plain = try BatchCompression.decompress(header.compression, section)
                try plain.withUnsafeBytes { try forEachRecord(of: header, inSection: $0, body) }
            }
        }
    }

    /// The records of one batch, from its (uncompressed) records section.
    private static func forEachRecord(of header: RecordBatchHeader, inSection section: UnsafeRawBufferPointer,
                                      _ body: (RecordView) throws -> Void) throws {
        var reader = ByteReader(section)
        for _ in 0..<header.recordsCount {
            let length = Int(try reader.readVarint())
            guard length >= 0 else { throw WharfError.malformed("negative record length") }
            let end = reader.position + length
            guard end <= reader.bytes.count else { throw WharfError.malformed("record runs past its batch") }
            _ = try reader.readInt8()
            let tsDelta = try reader.readVarlong()
            let offsetDelta = try reader.readVarint()
            let klen = Int(try reader.readVarint())
            let key = klen < 0 ? nil : try reader.readSlice(klen)
            let vlen = Int(try reader.readVarint())
            let value = vlen < 0 ? nil : try reader.readSlice(vlen)
            let hcount = Int(try reader.readVarint())
            guard end >= reader.position, hcount >= 0, hcount <= (end - reader.position) / 2 else {
                throw WharfError.malformed("bad header count \(hcount)")
            }
            let headerBytes = try reader.readSlice(end - reader.position)
            // Saturating: stored or fetched batches (any cluster's, with `--bootstrap`) may hold any values.
            let ts = header.isLogAppendTime ? header.maxTimestamp : header.baseTimestamp.addingSaturating(tsDelta)
            try body(RecordView(offset: header.baseOffset.addingSaturating(Int64(offsetDelta)), timestamp: ts, key: key, value: value,
                                headerCount: hcount, headerBytes: headerBytes))
        }
    }

    /// Decodes the records in `bytes` whose offset is at least `fromOffset`, at most `limit` of
    /// them: records past the limit are not even decoded.
    public static func records(in bytes: [UInt8], fromOffset: Int64 = .min, limit: Int = .max) throws -> [StoredRecord] {
        var out: [StoredRecord] = []
        guard limit > 0 else { return out }
        do {
            try bytes.withUnsafeBytes { raw in
                try forEachRecord(in: raw) { view in
                    guard view.offset >= fromOffset else { return }
                    out.append(StoredRecord(offset: view.offset, timestamp: view.timestamp,
                                            key: view.key.map { Array($0) }, value: view.value.map { Array($0) },
                                            headers: try view.headers()))
                    if out.count >= limit { throw LimitReached() }
                }
            }
        } catch is LimitReached {}
        return out
    }

    private struct LimitReached: Error {}

    /// Headers of whole batches in `bytes`, without touching record bodies.
    public static func batchHeaders(in bytes: UnsafeRawBufferPointer) throws(WharfError) -> [RecordBatchHeader] {
        var out: [RecordBatchHeader] = []
        var position = 0
        while bytes.count - position >= RecordBatchHeader.size {
            let h = try RecordBatchHeader(parsing: UnsafeRawBufferPointer(rebasing: bytes[position...]))
            guard h.totalSize <= bytes.count - position else { break }
            out.append(h)
            position += h.totalSize
        }
        return out
    }
}
