import WharfCore

/// A topic as any source reports it (CLI `topic describe`, dashboard snapshots): the embedded
/// engine, or a Kafka-protocol cluster (which cannot know segments, and leaves sizes it cannot
/// read at -1).
public struct TopicDescription: Sendable, Equatable, Codable {
    public var name: String
    public var isInternal: Bool
    public var retentionMs: Int64
    public var retentionBytes: Int64
    public var partitions: [PartitionDescription]

    public var records: Int64 { partitions.reduce(0) { $0 + $1.logEndOffset - $1.logStartOffset } }
    public var sizeBytes: Int64 { partitions.reduce(0) { $0 + $1.sizeBytes } }

    public init(name: String, isInternal: Bool, retentionMs: Int64, retentionBytes: Int64, partitions: [PartitionDescription]) {
        self.name = name
        self.isInternal = isInternal
        self.retentionMs = retentionMs
        self.retentionBytes = retentionBytes
        self.partitions = partitions
    }
}

public struct PartitionDescription: Sendable, Equatable, Codable {
    public var partition: Int32
    public var logStartOffset: Int64
    public var logEndOffset: Int64
    public var sizeBytes: Int64
    public var segments: Int
    /// The leader broker (-1: none, the partition is offline); nil where there are no brokers to
    /// name (the embedded engine). Left out of JSON when nil.
    public var leader: Int32?
    /// Copies of the partition, and how many of them are in sync; nil on the embedded engine.
    public var replicas: Int?
    public var inSyncReplicas: Int?
    /// Where read_committed readers stop (the first offset of the oldest open transaction) and
    /// how many transactions are open; nil when none is open or the source cannot tell.
    public var lastStableOffset: Int64?
    public var openTransactions: Int?

    /// `sizeBytes` and `segments` are -1 when the source cannot know them (a remote cluster).
    public init(partition: Int32, logStartOffset: Int64, logEndOffset: Int64, sizeBytes: Int64, segments: Int,
                leader: Int32? = nil, replicas: Int? = nil, inSyncReplicas: Int? = nil) {
        self.partition = partition
        self.logStartOffset = logStartOffset
        self.logEndOffset = logEndOffset
        self.sizeBytes = sizeBytes
        self.segments = segments
        self.leader = leader
        self.replicas = replicas
        self.inSyncReplicas = inSyncReplicas
    }
}
