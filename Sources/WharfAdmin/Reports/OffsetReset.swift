import WharfCore

/// Where a reset ("replay") moves a group's committed offsets, as kafka-consumer-groups offers.
public enum OffsetResetSpec: Sendable, Equatable {
    case earliest
    case latest
    case offset(Int64)
    /// The first offset at or after this time (ms since the epoch).
    case datetime(Int64)
    /// Current committed offset plus N (negative moves back).
    case shiftBy(Int64)
    /// The first offset at or after now minus this many milliseconds.
    case byDuration(Int64)
}

/// One partition of a reset, exactly as previewed and as executed.
public struct ResetPlanRow: Sendable, Equatable, Codable {
    public var topic: String
    public var partition: Int32
    /// The committed offset now, nil when the group has none for this partition.
    public var currentOffset: Int64?
    public var newOffset: Int64
    /// Records the group will read again (negative: records it will skip).
    public var recordsToReread: Int64

    public init(topic: String, partition: Int32, currentOffset: Int64?, newOffset: Int64, recordsToReread: Int64) {
        self.topic = topic
        self.partition = partition
        self.currentOffset = currentOffset
        self.newOffset = newOffset
        self.recordsToReread = recordsToReread
    }
}

public struct ResetResult: Sendable, Equatable {
    public var rows: [ResetPlanRow]
    /// True when live members were fenced and must rejoin to pick up the new offsets.
    public var fencedLiveMembers: Bool

    public init(rows: [ResetPlanRow], fencedLiveMembers: Bool) {
        self.rows = rows
        self.fencedLiveMembers = fencedLiveMembers
    }
}
