/// What a source can do (`ClusterSource.capabilities`). The dashboard hides keys and dialogs for
/// the rest, so an operator never sees an action that would only fail. The queues, event-stream
/// and outbox-relay operations exist only where their panels do (the embedded engine; outboxes
/// also with `--outbox` over a cluster).
public struct SourceCapabilities: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Reset a group's committed offsets (with a dry-run preview).
    public static let reset = SourceCapabilities(rawValue: 1 << 0)
    /// Undo the last reset (offsets were snapshotted before it).
    public static let undoReset = SourceCapabilities(rawValue: 1 << 1)
    /// Delete records below an offset.
    public static let purge = SourceCapabilities(rawValue: 1 << 2)
    /// Read records for the Records view.
    public static let browseRecords = SourceCapabilities(rawValue: 1 << 3)
    /// Pause and resume outbox relays, and revive dead outbox rows.
    public static let outboxControl = SourceCapabilities(rawValue: 1 << 8)

    /// List and read dead-lettered messages (the dead-letter browser).
    public static let browseDeadLetters = SourceCapabilities(rawValue: 1 << 4)
    /// Move dead-lettered messages back to a queue or topic (with a dry-run preview).
    public static let requeue = SourceCapabilities(rawValue: 1 << 5)
    /// Purge a queue or a dead-letter queue (restorable within the undo window).
    public static let purgeQueue = SourceCapabilities(rawValue: 1 << 6)
    /// Undo the last purge of a queue or dead-letter queue.
    public static let undoQueuePurge = SourceCapabilities(rawValue: 1 << 7)
    /// Replay a persistent subscription's parked events.
    public static let replayParked = SourceCapabilities(rawValue: 1 << 12)
    /// Rebuild a projection.
    public static let rebuildProjection = SourceCapabilities(rawValue: 1 << 13)
    /// Reset a group that has live members: the embedded engine fences them (they rejoin at the
    /// new offsets). A remote cluster's coordinator cannot be fenced by us, so without this the
    /// dashboard offers a reset only for an empty group, as kafka-consumer-groups does.
    public static let resetLiveGroups = SourceCapabilities(rawValue: 1 << 14)
    /// Create and delete topics.
    public static let manageTopics = SourceCapabilities(rawValue: 1 << 15)
    /// Read the data directory's audit log (`:audit`); with `.undoReset`, undo a reset listed
    /// there. Only a source with a data directory has one, so it is not part of `.all`.
    public static let audit = SourceCapabilities(rawValue: 1 << 16)
    /// Trace an event (`t`): the records it became, who consumed them, dead letters and requeues.
    public static let trace = SourceCapabilities(rawValue: 1 << 17)

    public static let all: SourceCapabilities = [.reset, .undoReset, .purge, .browseRecords, .browseDeadLetters, .requeue,
                                                 .purgeQueue, .undoQueuePurge, .outboxControl, .replayParked, .rebuildProjection, .resetLiveGroups, .manageTopics]
    /// The capabilities that change data; none of them exists under `--read-only`.
    public static let dangerous: SourceCapabilities = [.reset, .undoReset, .purge, .requeue, .purgeQueue, .undoQueuePurge,
                                                       .outboxControl, .replayParked, .rebuildProjection, .resetLiveGroups,
                                                       .manageTopics]

    /// What a Kafka-protocol cluster lets an operator do (`KafkaClusterSource`'s set, and what the
    /// dashboard's cluster tests assume): no queues, event streams or projections over the wire,
    /// no fencing of a remote coordinator's live group (`.resetLiveGroups` is absent), and a
    /// dead-letter topic's purge deletes records for good (no `.undoQueuePurge`). Outboxes are
    /// those given with `--outbox`, relayed into the cluster. A trace answers what a cluster
    /// knows: records, dead-letter copies, requeues and committed offsets (no audit log).
    public static let kafkaCluster: SourceCapabilities = [.reset, .undoReset, .purge, .browseRecords, .browseDeadLetters, .requeue,
                                                          .purgeQueue, .manageTopics, .outboxControl, .trace]

    public var canReset: Bool { contains(.reset) }
    public var canUndoReset: Bool { contains(.undoReset) }
    public var canPurge: Bool { contains(.purge) }
    public var canBrowseRecords: Bool { contains(.browseRecords) }
    public var canControlOutbox: Bool { contains(.outboxControl) }
}
