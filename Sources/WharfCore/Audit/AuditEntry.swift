/// One change, as `<data>/audit.log` holds it (one JSON object per line).
///
/// `before` and `after` map what changed to its value, in text: for an offset reset,
/// `"orders/0": "1200"` per partition (`"none"`: no committed offset); for a topic, its settings;
/// for a purge, the log start offsets. `result` is `ok` or the error's text: a refused change is
/// recorded too.
public struct AuditEntry: Codable, Sendable, Equatable {
    /// Unique in the log: the time and a random suffix (`undo` names an entry by it).
    public var id: String
    /// ISO-8601 UTC, for people and `jq`; `timeMs` for programs.
    public var time: String
    public var timeMs: Int64
    public var actor: AuditActor
    public var action: String
    public var target: String
    public var before: [String: String]?
    public var after: [String: String]?
    public var result: String
    /// The id of the entry this change undid, if it is an undo.
    public var undoes: String?

    public static let ok = "ok"
    /// The value of a partition without a committed offset in a reset's `before`/`after`.
    public static let noOffset = "none"

    public init(id: String, timeMs: Int64, actor: AuditActor, action: String, target: String,
                before: [String: String]? = nil, after: [String: String]? = nil, result: String = ok, undoes: String? = nil) {
        self.id = id
        self.time = TimeParsing.iso(timeMs)
        self.timeMs = timeMs
        self.actor = actor
        self.action = action
        self.target = target
        self.before = before
        self.after = after
        self.result = result
        self.undoes = undoes
    }

    public var succeeded: Bool { result == Self.ok }
}

/// The actions the log records, one name per kind of change (`wharf audit --action` filters by
/// them, or by a prefix such as `topic.`).
public enum AuditAction {
    public static let topicCreate = "topic.create"
    public static let topicDelete = "topic.delete"
    public static let topicAddPartitions = "topic.add-partitions"
    public static let topicAlterConfig = "topic.alter-config"
    public static let topicDeadLetterFor = "topic.dead-letter-for"
    public static let recordsDelete = "records.delete"
    public static let groupResetOffsets = "group.reset-offsets"
    public static let groupResetUndo = "group.reset-offsets.undo"
    /// An OffsetCommit from a client that is not a member of the group (generation -1, no member
    /// id: what `kafka-consumer-groups --reset-offsets` and admin tools send).
    public static let groupAdminCommit = "group.offsets.admin-commit"
    public static let groupDelete = "group.delete"
    public static let deadLetterTopicRequeue = "dead-letter-topic.requeue"
    public static let deadLetterTopicPurge = "dead-letter-topic.purge"
    public static let queueCreate = "queue.create"
    public static let queueUpdate = "queue.update"
    public static let queueDelete = "queue.delete"
    public static let queuePurge = "queue.purge"
    public static let queuePurgeUndo = "queue.purge.undo"
    public static let queueRequeue = "queue.requeue"
    public static let outboxPause = "outbox.pause"
    public static let outboxResume = "outbox.resume"
    public static let outboxRetryDead = "outbox.retry-dead"
    public static let userUpsert = "user.upsert"
    public static let userDelete = "user.delete"
    public static let aclCreate = "acl.create"
    public static let aclDelete = "acl.delete"
}

extension AuditEntry {
    /// `orders/0 1200→0, orders/1 900→0` (before→after per key, `-` where one side lacks it),
    /// the one-line form the CLI table and the dashboard's audit view print.
    public var changeSummary: String {
        let keys = Set((before ?? [:]).keys).union((after ?? [:]).keys).sorted()
        return keys.map { key in
            switch (before?[key], after?[key]) {
            case (let b?, let a?): b == a ? "\(key) \(a)" : "\(key) \(b)→\(a)"
            case (let b?, nil): after == nil ? "\(key) \(b)" : "\(key) \(b)→-"
            case (nil, let a?): before == nil ? "\(key) \(a)" : "\(key) -→\(a)"
            case (nil, nil): key
            }
        }.joined(separator: ", ")
    }

    /// Whether `wharf audit --action A` selects this entry: the action itself, or every action
    /// under a prefix (`topic` or `topic.` selects `topic.create` and `topic.delete`).
    public func matches(action filter: String) -> Bool {
        let prefix = filter.hasSuffix(".") ? filter : filter + "."
        return action == filter || action.hasPrefix(prefix)
    }

    /// Whether `undo` can reverse this entry: a successful offset reset (dashboard, CLI, an
    /// admin tool's commit over the wire, or an earlier undo).
    public var isUndoableReset: Bool {
        succeeded && before != nil
            && [AuditAction.groupResetOffsets, AuditAction.groupResetUndo, AuditAction.groupAdminCommit].contains(action)
    }
}
