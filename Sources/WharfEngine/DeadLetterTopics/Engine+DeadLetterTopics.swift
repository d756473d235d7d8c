import WharfAdmin
import WharfCore

extension Engine {
    /// The topics whose records carry a dead-letter header convention (Spring, Kafka Connect,
    /// KIP-1191), recognised from the oldest retained record of each partition, and the topics
    /// declared dead-letter topics (`setDeadLetterFor`), even when empty. Reasons and
    /// original topics are sampled from up to `sample` of the newest records per partition, so
    /// a call costs a few small reads per partition whatever the topic's size.
    public func deadLetterTopics(sample: Int = 200) -> [DeadLetterTopicSummary] {
        listTopics().compactMap { try? deadLetterSummary(topic: $0, sample: sample) }
    }

    /// The summary of `topic` if it is a dead-letter topic, else nil.
    public func deadLetterSummary(topic: String, sample: Int = 200) throws(WharfError) -> DeadLetterTopicSummary? {
        let t = try self.topic(topic)
        guard !t.meta.isInternal else { return nil }
        var builder = DeadLetterTopicSummary.Builder()
        for log in t.logs {
            let (start, end) = (log.logStartOffset, log.logEndOffset)
            guard end > start else { continue }
            let first = try Self.decodeRecords(of: log, from: start, maxRecords: 1).first
            guard builder.addPartition(retained: end - start, first: first) else { continue }
            builder.addSample(try Self.decodeRecords(of: log, from: max(start, end - Int64(sample)), maxRecords: sample))
        }
        // A declared dead-letter topic is one even when its records carry no convention's headers.
        return builder.build(topic: topic, declaredFor: t.meta.deadLetterFor)
    }
}

extension Engine {
    /// Records retained in `topic` over all partitions (log end minus log start).
    public func retainedRecords(topic: String) throws(WharfError) -> Int64 {
        try self.topic(topic).logs.reduce(0) { $0 + ($1.logEndOffset - $1.logStartOffset) }
    }

    /// Purges a topic: deletes every partition's records up to its end (DeleteRecords to the
    /// high watermark). Returns how many records went; they cannot be restored.
    /// Each partition's deletion is one `records.delete` entry of the audit log.
    public func purgeTopic(_ topic: String, actor: AuditActor = .thisProcess) throws(WharfError) -> Int64 {
        var purged: Int64 = 0
        for (index, log) in try self.topic(topic).logs.enumerated() {
            let start = log.logStartOffset
            purged += try deleteRecords(topic: topic, partition: Int32(index), before: -1, actor: actor) - start
        }
        return purged
    }
}
