import WharfAdmin
import WharfCore
import WharfDashboard

/// What the drivers say on the status line after an effect, whatever the source, so the engine's
/// and the cluster's dashboards word the same outcome the same way.
public enum DriverMessages {
    public static let resetsDisabled = "read-only: resets are disabled"
    public static let purgeDisabled = "read-only: purge is disabled"
    public static let requeueDisabled = "read-only: requeue is disabled"
    public static let outboxDisabled = "read-only: outbox actions are disabled"
    public static let topicCreationDisabled = "read-only: topics cannot be created"
    public static let topicDeletionDisabled = "read-only: topics cannot be deleted"
    public static let noResetToUndo = "no reset to undo"
    public static let nothingToRestore = "the last reset set partitions that had no commit before; nothing to restore"

    public static func reset(_ group: String, _ rows: [WharfAdmin.ResetPlanRow], fencedLiveMembers: Bool = false) -> String {
        "reset \(group) on \(rows.count) partition(s): \(OffsetMath.sum(rows.lazy.map(\.recordsToReread))) records to re-read"
            + (fencedLiveMembers ? "; live members fenced and rejoining" : "")
    }

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
}

extension RecordRow {
    /// The records browser's row of a stored record, read from either source.
    public init(topic: String, partition: Int32, record r: StoredRecord) {
        self.init(topic: topic, partition: partition, offset: r.offset, timestampMs: r.timestamp, key: r.key, value: r.value,
                  headers: r.headers.map { WharfDashboard.RecordHeader(key: $0.key, value: $0.value) })
    }
}
