import WharfCore
import WharfStorage

/// Backs the group coordinator's commit log with a partition of `__consumer_offsets`, so commits
/// are stored in Kafka's own key/value layout where tools such as Burrow can read them.
struct OffsetsTopicCommitLog: CommitLog {
    let log: PartitionLog
    let clock: any WallClock

    func append(_ records: [Record]) throws(WharfError) {
        guard !records.isEmpty else { return }
        var bytes = RecordBatchBuilder.encode(records, defaultTimestamp: clock.nowMillis())
        _ = try log.append(&bytes)
    }

    func readAll() throws(WharfError) -> [StoredRecord] {
        var out: [StoredRecord] = []
        var next = log.logStartOffset
        while next < log.logEndOffset {
            let chunk = try log.read(from: next, maxBytes: 4 << 20)
            if chunk.bytes.isEmpty { break }
            let decoded: [StoredRecord]
            do { decoded = try RecordBatchReader.records(in: chunk.bytes, fromOffset: next) } catch {
                throw .corrupt("__consumer_offsets at offset \(next): \(error)")
            }
            out.append(contentsOf: decoded)
            let end = chunk.bytes.withUnsafeBytes { (try? RecordBatchReader.batchHeaders(in: $0).last?.nextOffset) ?? nil }
            next = max(end ?? next + 1, (decoded.last?.offset ?? next) + 1)
        }
        return out
    }
}
