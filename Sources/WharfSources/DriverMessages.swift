import WharfAdmin
import WharfCore
import WharfDashboard
import WharfKafkaClient

/// What the dashboard says on the status line after an effect, whatever the source: the one
/// catalogue of `SourceDashboardDriver`, so the engine's and the cluster's dashboards word the
/// same outcome the same way (the tmux suites wait for these words).
public enum DriverMessages {
    public static let resetsDisabled = "read-only: resets are disabled"
    public static let purgeDisabled = "read-only: purge is disabled"
    public static let requeueDisabled = "read-only: requeue is disabled"
    public static let outboxDisabled = "read-only: outbox actions are disabled"
    public static let topicCreationDisabled = "read-only: topics cannot be created"
    public static let topicDeletionDisabled = "read-only: topics cannot be deleted"
    public static let queueUndoDisabled = "read-only: undo is disabled"
    public static let replayDisabled = "read-only: replay is disabled"
    public static let rebuildDisabled = "read-only: rebuild is disabled"
    public static let noResetToUndo = "no reset to undo"
    public static let nothingToRestore = "the last reset set partitions that had no commit before; nothing to restore"

    public static func reset(_ group: String, _ rows: [WharfAdmin.ResetPlanRow], fencedLiveMembers: Bool = false) -> String {
        "reset \(group) on \(rows.count) partition(s): \(OffsetMath.sum(rows.lazy.map(\.recordsToReread))) records to re-read"
            + (fencedLiveMembers ? "; live members fenced and rejoining" : "")
    }

    public static let traceUnavailable = "this source cannot trace events"
    public static let noAuditLog = "a Kafka cluster has no Wharf audit log: open the data directory with --data"

    public static func undidEntry(_ id: String, restored: Int) -> String {
        "undid audit entry \(id) (\(restored) partition(s) restored)"
    }

    public static func undid(_ group: String, restored: Int) -> String {
        "undid the last reset of \(group) (\(restored) partition(s) restored)"
    }

    public static func purged(_ count: Int64, topic: String, partition: Int32, logStart: Int64) -> String {
        "purged \(max(0, count)) records from \(topic)/\(partition); log start is now \(logStart)"
    }

    public static func createdTopic(_ name: String, partitions: Int32) -> String {
        "created topic \(name) with \(CountText.of(partitions, "partition"))"
    }

    public static func deletedTopic(_ name: String) -> String { "deleted topic \(name)" }

    public static func noOutbox(_ name: String) -> String { "no outbox named \(name)" }

    /// After a dead-letter topic's requeue: how many records went where, and what had no target.
    public static func requeued(_ r: DeadLetterRequeueResult, from topic: String) -> String {
        let targets = r.byTarget.sorted { $0.key < $1.key }.map { "\($0.value) to \($0.key)" }.joined(separator: ", ")
        var text = "requeued \(r.moves.count) record(s) from \(topic)" + (targets.isEmpty ? "" : " (\(targets))")
        if !r.withoutTarget.isEmpty { text += "; \(r.withoutTarget.count) without an original topic (choose a target with t)" }
        return text
    }

    /// After a queue's requeue (`skipped`: locked or gone meanwhile).
    public static func requeued(_ count: Int, from source: String, to target: String, skipped: Int) -> String {
        "requeued \(count) message(s) from \(source) to \(target)" + (skipped > 0 ? "; \(skipped) skipped (locked or gone)" : "")
    }

    public static func purgedDeadLetterTopic(_ count: Int64, topic: String) -> String {
        "purged \(count) record(s) from dead-letter topic \(topic) (deleted for good)"
    }

    public static func topicPurgeCannotBeUndone(_ topic: String) -> String {
        "\(topic) is a topic: its purge deleted records, which cannot be restored"
    }

    /// After a queue's purge; `restorableUntil`: the end of the undo window (ms), if any.
    public static func purgedQueue(_ count: Int, entity: String, restorableUntil: Int64?) -> String {
        "purged \(count) message(s) from \(entity)" + (restorableUntil.map { ", u restores them until \(Format.clock(ms: $0)) UTC" } ?? "")
    }

    public static func restoredQueue(_ count: Int, entity: String) -> String { "restored \(count) purged message(s) to \(entity)" }

    public static func nothingToRestore(in entity: String) -> String {
        "nothing to restore in \(entity) (no purge within the undo window)"
    }

    public static func replaying<N: BinaryInteger>(_ count: N, to group: String) -> String { "replaying \(CountText.of(count, "parked event")) to \(group)" }

    public static func projectionNotHere(_ name: String) -> String { "\(name) is not running in this process: use wharf projection rebuild" }

    public static func rebuilding(_ name: String) -> String { "rebuilding \(name) from the start" }

    /// An error as one line: the client's and the engine's errors describe themselves.
    public static func describe(_ error: any Error) -> String {
        if let e = error as? KafkaClientError { return "\(e)" }
        if let e = error as? WharfError { return "\(e)" }
        return "\(error)"
    }
}

extension RecordRow {
    /// The records browser's row of a stored record, read from either source.
    public init(topic: String, partition: Int32, record r: StoredRecord) {
        self.init(topic: topic, partition: partition, offset: r.offset, timestampMs: r.timestamp, key: r.key, value: r.value,
                  headers: r.headers.map { WharfDashboard.RecordHeader(key: $0.key, value: $0.value) })
    }
}
