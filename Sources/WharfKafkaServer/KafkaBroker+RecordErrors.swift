import KafkaProtocol
import WharfCore

/// KIP-467: a Produce refused because of some of its records says which ones
/// (`record_errors`, v8+), so the client fails those records with INVALID_RECORD and the
/// others of the batch with "invalid different record" instead of guessing.
/// The one such rule Wharf has: a compacted topic takes no record without a key (compaction
/// keeps the newest record per key; a keyless one could never be cleaned).
extension KafkaBroker {
    /// The indexes, within the batch, of the records without a key; empty when every record has
    /// one, or when the bytes are not one readable batch (the engine's validation then answers).
    /// A compressed batch is inflated to at most `maxDecompressedBytes`, as the validation does.
    static func keylessRecords(in bytes: [UInt8], maxDecompressedBytes: Int) -> [Int32] {
        bytes.withUnsafeBytes { raw -> [Int32] in
            guard let header = try? RecordBatchHeader(parsing: raw), header.totalSize == raw.count, !header.isControl,
                  header.totalSize >= RecordBatchHeader.size else { return [] }
            let section = UnsafeRawBufferPointer(rebasing: raw[RecordBatchHeader.size..<header.totalSize])
            if header.compression == .none { return keyless(section, count: header.recordsCount) }
            guard let plain = try? BatchCompression.decompress(header.compression, section, maxOutput: maxDecompressedBytes) else { return [] }
            return plain.withUnsafeBytes { keyless($0, count: header.recordsCount) }
        }
    }

    /// Walks `count` records (Kafka's `DefaultRecord`) reading only up to each key's length.
    private static func keyless(_ section: UnsafeRawBufferPointer, count: Int32) -> [Int32] {
        var reader = ByteReader(section)
        var found: [Int32] = []
        for index in 0..<max(count, 0) {
            guard let length = try? reader.readVarint(), length >= 0, Int(length) <= reader.remaining else { return [] }
            let end = reader.position + Int(length)
            guard (try? reader.readInt8()) != nil, (try? reader.readVarlong()) != nil, (try? reader.readVarint()) != nil,
                  let keyLength = try? reader.readVarint(), reader.position <= end else { return [] }
            if keyLength < 0 { found.append(index) }
            reader = ByteReader(section, at: end)
        }
        return found
    }
}
