/// A consumer group's committed position in one partition: the offset of the next record the
/// group will consume (not the last one it consumed), as Kafka defines it.
public struct CommittedOffset: Sendable, Equatable {
    /// Next offset to consume.
    public var offset: Int64
    /// Opaque client metadata stored with the commit ("" when none).
    public var metadata: String
    /// When the coordinator accepted the commit, ms since the epoch.
    public var commitTimestamp: Int64
    /// Leader epoch of the last consumed record; -1 when unknown (Wharf has no replication).
    public var leaderEpoch: Int32

    public init(offset: Int64, metadata: String = "", commitTimestamp: Int64, leaderEpoch: Int32 = -1) {
        self.offset = offset
        self.metadata = metadata
        self.commitTimestamp = commitTimestamp
        self.leaderEpoch = leaderEpoch
    }
}
