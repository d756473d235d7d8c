import Synchronization
import WharfCore
import WharfStorage

/// Backs the group coordinator's commit log with a partition of `__consumer_offsets`, so commits
/// are stored in Kafka's own key/value layout where tools such as Burrow can read them.
struct OffsetsTopicCommitLog: CommitLog {
    let log: PartitionLog
    let clock: any WallClock
    /// The partitions commits point into (bound once the engine exists).
    let dataLogs = EngineLogs()

    /// Under `interval` the committed partition and `__consumer_offsets` are synced
    /// independently: without this, a power cut could keep a commit and erase the records below it.
    func makeDurable(below offsets: [TopicPartition: Int64]) async throws(WharfError) {
        for (tp, offset) in offsets {
            try await dataLogs.log(tp)?.durable(below: offset)
        }
    }

    func write(_ records: [Record]) throws(WharfError) -> CommitLogWrite {
        guard !records.isEmpty else { return .durable }
        var bytes = RecordBatchBuilder.encode(records, defaultTimestamp: clock.nowMillis())
        return CommitLogWrite(pending: try log.write(&bytes))
    }

    func readAll() throws(WharfError) -> [StoredRecord] {
        try Engine.decodeRecords(of: log, from: log.logStartOffset, maxRecords: .max, maxBytes: 4 << 20)
    }
}

/// The engine whose partition logs offset commits point into, held weakly (the engine owns the
/// coordinator, which owns the commit log) and bound after the engine is built, since the
/// coordinator is built first. Thread-safe (a `Mutex`).
final class EngineLogs: Sendable {
    private struct Reference: Sendable { weak var engine: Engine? }
    private let reference = Mutex(Reference())

    func bind(_ engine: Engine) {
        reference.withLock { $0.engine = engine }
    }

    /// The log of `tp`, nil before binding or for an unknown topic or partition.
    func log(_ tp: TopicPartition) -> PartitionLog? {
        guard let engine = reference.withLock({ $0.engine }) else { return nil }
        return try? engine.log(tp.topic, tp.partition)
    }
}
