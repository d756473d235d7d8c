import WharfCore

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

    public var totalLag: Int64 { OffsetMath.sum(partitions.lazy.map(\.lag)) }
    /// The largest time lag over the group's partitions (the consumer is as late as its worst partition).
    public var maxTimeLagMs: Int64? { partitions.compactMap(\.timeLagMs).max() }
    public var committedSum: Int64 { OffsetMath.sum(partitions.lazy.map { $0.committed ?? 0 }) }
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
