import WharfCore

/// A group's lag on one partition, as any source reports it. `lag = logEndOffset - committedOffset`
/// (`LagRules.lag`); with no commit yet the lag counts from the log start and `hasCommit` is
/// false, so reports can say so.
public struct PartitionLag: Sendable, Equatable, Codable {
    public var topic: String
    public var partition: Int32
    public var committedOffset: Int64?
    public var logStartOffset: Int64
    public var logEndOffset: Int64
    public var lag: Int64
    /// Now minus the timestamp of the first unconsumed record; 0 when caught up.
    public var timeLagMs: Int64
    /// The member the partition is assigned to, if any (its client id and member id).
    public var owner: String?
    /// When the committed offset was written (nil: no commit).
    public var lastCommitMs: Int64? = nil
    public var hasCommit: Bool { committedOffset != nil }
    /// The committed offset fell below the log start: records it never read were deleted.
    public var committedBelowLogStart: Bool { (committedOffset ?? logStartOffset) < logStartOffset }
    /// Where the group reads next (`LagRules.position`).
    public var position: Int64 { LagRules.position(logStart: logStartOffset, committed: committedOffset) }

    /// The lag is not given: it follows from the offsets by `LagRules.lag`, the same for every source.
    public init(topic: String, partition: Int32, committedOffset: Int64?, logStartOffset: Int64, logEndOffset: Int64,
                timeLagMs: Int64, owner: String?, lastCommitMs: Int64? = nil) {
        self.topic = topic
        self.partition = partition
        self.committedOffset = committedOffset
        self.logStartOffset = logStartOffset
        self.logEndOffset = logEndOffset
        self.lag = LagRules.lag(logStart: logStartOffset, logEnd: logEndOffset, committed: committedOffset)
        self.timeLagMs = timeLagMs
        self.owner = owner
        self.lastCommitMs = lastCommitMs
    }
}

public struct GroupLag: Sendable, Equatable {
    public var group: String
    public var state: String
    public var members: Int
    public var partitions: [PartitionLag]
    public var totalLag: Int64 { OffsetMath.sum(partitions.lazy.map(\.lag)) }
    public var maxTimeLagMs: Int64 { partitions.map(\.timeLagMs).max() ?? 0 }

    public init(group: String, state: String, members: Int, partitions: [PartitionLag]) {
        self.group = group
        self.state = state
        self.members = members
        self.partitions = partitions
    }
}
