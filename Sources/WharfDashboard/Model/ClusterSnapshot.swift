/// Everything the dashboard knows about a cluster at one instant.
///
/// A source (the embedded engine, or a Kafka client for a real cluster) produces one per tick;
/// the dashboard never mutates it and derives rates, trends, ETAs and lag status by comparing
/// successive snapshots (`Metrics`). All times are Unix milliseconds, offsets are Kafka offsets.
public struct ClusterSnapshot: Equatable, Sendable {
    /// When the snapshot was taken (source clock); the header clock shows this.
    public var timeMs: Int64
    /// What is being watched: a data directory or a cluster address.
    public var source: String
    /// Kafka listener state when there is one ("listening on :9092", "off"); nil hides it.
    public var listener: String?
    public var topics: [TopicSnapshot]
    public var groups: [GroupSnapshot]
    /// nil: the source has no dead-letter queues yet (shown as "none yet").
    public var deadLetters: [DeadLetterSnapshot]?
    /// nil: the source has no outbox yet (shown as "none yet").
    public var outboxes: [OutboxSnapshot]?

    public init(timeMs: Int64, source: String, listener: String? = nil, topics: [TopicSnapshot] = [],
                groups: [GroupSnapshot] = [], deadLetters: [DeadLetterSnapshot]? = nil,
                outboxes: [OutboxSnapshot]? = nil) {
        self.timeMs = timeMs
        self.source = source
        self.listener = listener
        self.topics = topics
        self.groups = groups
        self.deadLetters = deadLetters
        self.outboxes = outboxes
    }

    public static let empty = ClusterSnapshot(timeMs: 0, source: "no source")

    public func topic(named name: String) -> TopicSnapshot? { topics.first { $0.name == name } }
    public func group(named name: String) -> GroupSnapshot? { groups.first { $0.name == name } }
}

public struct TopicSnapshot: Equatable, Sendable {
    public var name: String
    public var partitions: [PartitionSnapshot]
    /// Retention by time (nil: unlimited).
    public var retentionMs: Int64?
    /// Retention by size per partition (nil: unlimited).
    public var retentionBytes: Int64?
    /// Internal topics (`__consumer_offsets`) are listed dimmed.
    public var isInternal: Bool

    public init(name: String, partitions: [PartitionSnapshot], retentionMs: Int64? = nil,
                retentionBytes: Int64? = nil, isInternal: Bool = false) {
        self.name = name
        self.partitions = partitions
        self.retentionMs = retentionMs
        self.retentionBytes = retentionBytes
        self.isInternal = isInternal
    }

    /// Records currently retained (sum of end - start).
    public var recordCount: Int64 { partitions.reduce(0) { $0 + max(0, $1.logEnd - $1.logStart) } }
    public var sizeBytes: Int64 { partitions.reduce(0) { $0 + $1.sizeBytes } }
    /// Sum of log end offsets: grows by one per record appended, used for the in-rate.
    public var endOffsetSum: Int64 { partitions.reduce(0) { $0 + $1.logEnd } }
}

public struct PartitionSnapshot: Equatable, Sendable {
    public var partition: Int32
    /// First retained offset (advances with retention and purge).
    public var logStart: Int64
    /// High watermark: the offset the next record will get.
    public var logEnd: Int64
    public var sizeBytes: Int64

    public init(partition: Int32, logStart: Int64, logEnd: Int64, sizeBytes: Int64) {
        self.partition = partition
        self.logStart = logStart
        self.logEnd = logEnd
        self.sizeBytes = sizeBytes
    }
}

public struct GroupSnapshot: Equatable, Sendable {
    public var name: String
    /// Coordinator state as the source names it: "Stable", "PreparingRebalance", "Empty", "Dead"...
    public var state: String
    public var members: [GroupMember]
    /// One entry per partition the group has a committed offset for (or is assigned).
    public var partitions: [GroupPartitionSnapshot]

    public init(name: String, state: String, members: [GroupMember] = [], partitions: [GroupPartitionSnapshot] = []) {
        self.name = name
        self.state = state
        self.members = members
        self.partitions = partitions
    }

    public var totalLag: Int64 { partitions.reduce(0) { $0 + $1.lag } }
    /// The largest time lag over the group's partitions (the consumer is as late as its worst partition).
    public var maxTimeLagMs: Int64? { partitions.compactMap(\.timeLagMs).max() }
    public var committedSum: Int64 { partitions.reduce(0) { $0 + ($1.committed ?? 0) } }
    /// Distinct topics, in first-seen order.
    public var topics: [String] {
        var seen = Set<String>()
        return partitions.compactMap { seen.insert($0.topic).inserted ? $0.topic : nil }
    }
}

public struct GroupMember: Equatable, Sendable {
    public var memberId: String
    public var clientId: String
    public var host: String
    public var assigned: [TopicPartitionRef]

    public init(memberId: String, clientId: String, host: String, assigned: [TopicPartitionRef] = []) {
        self.memberId = memberId
        self.clientId = clientId
        self.host = host
        self.assigned = assigned
    }
}

/// A (topic, partition) pair, the dashboard's own so it does not depend on the engine's type.
public struct TopicPartitionRef: Equatable, Hashable, Sendable, Comparable {
    public var topic: String
    public var partition: Int32
    public init(topic: String, partition: Int32) {
        self.topic = topic
        self.partition = partition
    }
    public static func < (a: Self, b: Self) -> Bool { a.topic != b.topic ? a.topic < b.topic : a.partition < b.partition }
}

public struct GroupPartitionSnapshot: Equatable, Sendable {
    public var topic: String
    public var partition: Int32
    /// Committed offset (nil: nothing committed yet).
    public var committed: Int64?
    /// Log end offset (high watermark) at snapshot time.
    public var logEnd: Int64
    /// logEnd - committed (or logEnd - logStart when nothing is committed).
    public var lag: Int64
    /// now - append time of the first unconsumed record; 0 when caught up; nil when unknown.
    public var timeLagMs: Int64?
    /// Member id that owns the partition now (nil: unassigned).
    public var owner: String?
    /// When the committed offset was last written. With it, the Burrow window holds one entry
    /// per commit and STOP is detected; without it, one entry per snapshot.
    public var lastCommitMs: Int64?

    public init(topic: String, partition: Int32, committed: Int64?, logEnd: Int64, lag: Int64,
                timeLagMs: Int64? = nil, owner: String? = nil, lastCommitMs: Int64? = nil) {
        self.topic = topic
        self.partition = partition
        self.committed = committed
        self.logEnd = logEnd
        self.lag = lag
        self.timeLagMs = timeLagMs
        self.owner = owner
        self.lastCommitMs = lastCommitMs
    }

    public var ref: TopicPartitionRef { TopicPartitionRef(topic: topic, partition: partition) }
}

/// Depth of one dead-letter queue (filled by the DLQ issue).
public struct DeadLetterSnapshot: Equatable, Sendable {
    public var entity: String
    public var count: Int64
    public var oldestAgeMs: Int64?
    public init(entity: String, count: Int64, oldestAgeMs: Int64? = nil) {
        self.entity = entity
        self.count = count
        self.oldestAgeMs = oldestAgeMs
    }
}

/// Backlog of one outbox (filled by the outbox issue).
public struct OutboxSnapshot: Equatable, Sendable {
    public var name: String
    public var pending: Int64
    public var oldestAgeMs: Int64?
    public var dead: Int64
    public init(name: String, pending: Int64, oldestAgeMs: Int64? = nil, dead: Int64 = 0) {
        self.name = name
        self.pending = pending
        self.oldestAgeMs = oldestAgeMs
        self.dead = dead
    }
}
