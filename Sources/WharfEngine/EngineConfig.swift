import WharfCore
import WharfStorage

/// How an engine is opened: where its data lives and the defaults new topics get.
public struct EngineConfig: Sendable {
    public var dataDirectory: String
    public var fsync: FsyncPolicy
    /// Partition count for topics created without one (CLI default, auto-creation).
    public var defaultPartitions: Int32 = 3
    /// Defaults for new topics' logs; `fsync` above overrides the one in here.
    public var defaultLog: LogConfig = LogConfig()
    /// Partitions of the internal `__consumer_offsets` topic (Kafka uses 50; any count works for readers).
    public var offsetsTopicPartitions: Int32 = 1
    /// Segment size of `__consumer_offsets`: small, because compaction works on closed segments.
    public var offsetsSegmentBytes: Int = 4 << 20
    /// How long an empty group waits after its first JoinGroup before completing the first
    /// rebalance, extended as members join, up to the rebalance timeout (Kafka's
    /// `group.initial.rebalance.delay.ms`). 0 here, because an embedding process (the CLI, the
    /// dashboard) usually has a single member; `wharf serve` uses Kafka's 3000.
    public var groupInitialRebalanceDelayMs: Int64 = 0
    /// Test seam: every partition log (topics, `__consumer_offsets`, queues) opens its files
    /// with it, so crash-consistency tests can journal the engine's I/O (see `FaultInjector`).
    package var faults: FaultInjector?

    public init(dataDirectory: String, fsync: FsyncPolicy = .interval(milliseconds: 1000)) {
        self.dataDirectory = dataDirectory
        self.fsync = fsync
    }

    func logConfig(for meta: TopicMetadata) -> LogConfig {
        var c = defaultLog
        c.fsync = fsync
        if let v = meta.retentionMs { c.retentionMs = v }
        if let v = meta.retentionBytes { c.retentionBytes = v }
        if let v = meta.segmentBytes { c.segmentBytes = v }
        if let v = meta.segmentMs { c.segmentMs = v }
        return c
    }
}
