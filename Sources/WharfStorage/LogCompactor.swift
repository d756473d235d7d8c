import WharfCore

/// Key-based compaction of whole batches (Kafka's log cleaner, for internal topics such as
/// `__consumer_offsets`): keep only the newest record of each key.
///
/// Rules: records with a null key are always kept; tombstones (null value) are kept (Wharf does
/// not expire them); compressed and control batches are kept verbatim (they cannot be decoded
/// here). A batch whose records all survive is copied byte for byte. A batch that loses some keeps
/// its header (base offset, `lastOffsetDelta`, timestamps, producer fields) with `recordsCount`
/// lowered and a new CRC; the surviving records' bytes are copied unchanged, so their offset and
/// timestamp deltas still hold. `maxTimestamp` is kept as it was (it may now overstate the
/// batch's newest record, which only makes time lookups scan one batch more and retention wait). Offsets are preserved and gaps appear; a batch left empty is
/// dropped. Pure functions over bytes; `PartitionLog.compact` does the file work.
enum LogCompactor {
    /// Calls `body(key, offset)` for each record of an uncompressed, non-control batch, passing
    /// also the byte range of the whole record inside `batch`.
    static func forEachRecord(in batch: UnsafeRawBufferPointer, header: RecordBatchHeader,
                              _ body: (UnsafeRawBufferPointer?, Int64, Range<Int>) -> Void) throws(WharfError) {
        var reader = ByteReader(UnsafeRawBufferPointer(rebasing: batch[..<header.totalSize]), at: RecordBatchHeader.size)
        for _ in 0..<header.recordsCount {
            let start = reader.position
            let length = Int(try reader.readVarint())
            guard length >= 0 else { throw .malformed("negative record length") }
            let end = reader.position + length
            guard end <= reader.bytes.count else { throw .malformed("record runs past its batch") }
            _ = try reader.readInt8()
            _ = try reader.readVarlong()
            let offsetDelta = try reader.readVarint()
            let keyLength = Int(try reader.readVarint())
            let key = keyLength < 0 ? nil : try reader.readSlice(keyLength)
            body(key, header.baseOffset + Int64(offsetDelta), start..<end)
            try reader.skip(end - reader.position)
        }
    }

    static func isDecodable(_ header: RecordBatchHeader) -> Bool { header.compression == .none && !header.isControl }

    /// Records the offset of every keyed record (later offsets overwrite earlier ones).
    static func collectKeys(batch: UnsafeRawBufferPointer, header: RecordBatchHeader, into latest: inout [[UInt8]: Int64]) throws(WharfError) {
        guard isDecodable(header) else { return }
        try forEachRecord(in: batch, header: header) { key, offset, _ in
            if let key { latest[Array(key)] = offset }
        }
    }

    enum Outcome: Equatable { case keptAll, kept(records: Int), keptNone }

    /// Appends to `out` the batch with only the records to keep (`latest[key] == offset` or no
    /// key); returns what happened and how many records were removed.
    static func filter(batch: UnsafeRawBufferPointer, header: RecordBatchHeader, latest: [[UInt8]: Int64],
                       into out: inout [UInt8]) throws(WharfError) -> (Outcome, removed: Int) {
        let whole = UnsafeRawBufferPointer(rebasing: batch[..<header.totalSize])
        guard isDecodable(header) else {
            out.append(contentsOf: whole)
            return (.keptAll, 0)
        }
        var keep: [Range<Int>] = []
        var total = 0
        try forEachRecord(in: whole, header: header) { key, offset, range in
            total += 1
            if let key, latest[Array(key)] != offset { return }
            keep.append(range)
        }
        if keep.count == total {
            out.append(contentsOf: whole)
            return (.keptAll, 0)
        }
        if keep.isEmpty { return (.keptNone, total) }
        let start = out.count
        out.append(contentsOf: UnsafeRawBufferPointer(rebasing: whole[..<RecordBatchHeader.size]))
        for range in keep { out.append(contentsOf: UnsafeRawBufferPointer(rebasing: whole[range])) }
        let size = out.count - start
        out.setBigEndian(Int32(size - RecordBatchHeader.lengthPrefix), at: start + 8)
        out.setBigEndian(Int32(keep.count), at: start + 57)
        let crc = out.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[(start + RecordBatchHeader.crcStart)...])) }
        out.setBigEndian(crc, at: start + RecordBatchHeader.crcOffset)
        return (.kept(records: keep.count), total - keep.count)
    }
}
