import WharfCore

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
    public var recordCount: Int64 { OffsetMath.sum(partitions.lazy.map { max(0, OffsetMath.subtract($0.logEnd, $0.logStart)) }) }
    /// Bytes on disk; `PartitionSnapshot.unknownSize` when a partition's size is unknown.
    public var sizeBytes: Int64 {
        partitions.contains { $0.sizeBytes < 0 } ? PartitionSnapshot.unknownSize : partitions.reduce(0) { $0 + $1.sizeBytes }
    }
    /// Sum of log end offsets: grows by one per record appended, used for the in-rate.
    public var endOffsetSum: Int64 { OffsetMath.sum(partitions.lazy.map(\.logEnd)) }
    public var underReplicatedCount: Int { partitions.reduce(0) { $0 + ($1.isUnderReplicated ? 1 : 0) } }
    public var offlineCount: Int { partitions.reduce(0) { $0 + ($1.isOffline ? 1 : 0) } }
}

public struct PartitionSnapshot: Equatable, Sendable {
    public var partition: Int32
    /// First retained offset (advances with retention and purge).
    public var logStart: Int64
    /// High watermark: the offset the next record will get.
    public var logEnd: Int64
    /// Bytes on disk, or `unknownSize` (a broker that does not answer DescribeLogDirs).
    public var sizeBytes: Int64
    public static let unknownSize: Int64 = -1
    /// The broker leading the partition on a cluster (-1: none, the partition is offline); nil
    /// on the embedded engine, which is its own single broker.
    public var leader: Int32?
    /// On a cluster: how many brokers hold a copy, and how many of those copies are in sync with
    /// the leader. nil on the embedded engine (one copy, always in sync).
    public var replicas: Int?
    public var inSyncReplicas: Int?
    /// The last stable offset and the open transactions, when a transaction is open (nil: none,
    /// or a source that cannot tell).
    public var lastStable: Int64?
    public var openTransactions: Int = 0

    public init(partition: Int32, logStart: Int64, logEnd: Int64, sizeBytes: Int64, leader: Int32? = nil,
                replicas: Int? = nil, inSyncReplicas: Int? = nil) {
        self.partition = partition
        self.logStart = logStart
        self.logEnd = logEnd
        self.sizeBytes = sizeBytes
        self.leader = leader
        self.replicas = replicas
        self.inSyncReplicas = inSyncReplicas
    }

    /// A copy has fallen behind or its broker is gone: one more failure may lose acknowledged writes.
    public var isUnderReplicated: Bool {
        guard let replicas, let inSyncReplicas else { return false }
        return inSyncReplicas < replicas
    }
    /// No leader: nothing can be produced to or read from the partition.
    public var isOffline: Bool { (leader ?? 0) < 0 }
}
