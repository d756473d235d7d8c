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
        try Engine.decodeRecords(of: log, from: log.logStartOffset, maxRecords: .max, maxBytes: 4 << 20)
    }
}
