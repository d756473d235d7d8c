import WharfCore

/// The requeue rules both sources share, so they cannot drift apart: the engine applies them to
/// its logs, the cluster client to what it reads with Fetch and writes with Produce.
public enum RequeueRules {
    /// The internal group recording how far `topic` has been requeued: its committed offsets are
    /// the bookmark (`RequeueProgress`), read and written alike by the engine and over the wire.
    public static func group(for topic: String) -> String { "__wharf-requeue.\(topic)" }

    /// Whether `group` is such a bookmark: a group only to Wharf, which no source lists as one.
    public static func isBookmark(_ group: String) -> Bool { group.hasPrefix(Self.group(for: "")) }

    /// One record of a chunk to move, with its origin (from its dead-letter headers) and target topic.
    public struct Move: Sendable {
        public var record: StoredRecord
        public var origin: DeadLetterOrigin?
        public var target: String
    }

    /// The records of a chunk to requeue: not done yet, selected, and with a target (`to`, else
    /// the original topic the headers name, else `fallback`, a declared dead-letter topic's
    /// original); the selected offsets with no target are returned apart.
    public static func select(_ records: [StoredRecord], progress: RequeueProgress, selection: DeadLetterTopicSelection,
                              to override: String?, fallback: String? = nil) -> (moves: [Move], withoutTarget: [Int64]) {
        var moves: [Move] = []
        var withoutTarget: [Int64] = []
        for record in records where !progress.isDone(record.offset) {
            let origin = DeadLetterHeaders.parse(record.headers)
            guard selection.matches(record, origin) else { continue }
            guard let target = override ?? origin?.topic ?? fallback else {
                withoutTarget.append(record.offset)
                continue
            }
            moves.append(Move(record: record, origin: origin, target: target))
        }
        return (moves, withoutTarget)
    }

    /// Where a move goes: back to its original partition when the headers name one the target
    /// has (and no `to` redirected it), else placed by key as a Kafka producer would.
    public static func destination(_ move: Move, partitions: Int32, redirected: Bool, partitioner: Partitioner) -> TopicPartition {
        let keep = redirected ? nil : move.origin?.partition.flatMap { $0 >= 0 && $0 < partitions ? $0 : nil }
        return TopicPartition(move.target, keep ?? partitioner.partition(forKey: move.record.key, partitions: partitions))
    }
}

extension RequeueProvenance {
    /// The dead-letter offsets of `deadLetterTopic`/`partition` that `records` are copies of
    /// (what a recovery scan of an intent's range finds).
    public static func offsets(in records: [StoredRecord], from deadLetterTopic: String, partition: Int32) -> [Int64] {
        records.compactMap { offset(in: $0.headers, from: deadLetterTopic, partition: partition) }
    }
}
