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
    /// Most partitions one topic may have, for CreateTopics, CreatePartitions and auto-creation.
    /// Every partition holds open files, so this and `maxPartitions` keep one client from
    /// exhausting file descriptors.
    public var maxPartitionsPerTopic: Int32 = 1_000
    /// Most partitions of all topics together, internal ones included.
    public var maxPartitions: Int = 10_000
    /// Smallest `segment.bytes` a topic may set (Kafka 4's minimum: 1 MiB). Each segment keeps
    /// a file open and each roll costs fsyncs, so tiny segments are a way to exhaust both.
    public var minSegmentBytes: Int = 1 << 20
    /// How many topics a burst of Metadata requests may auto-create, and how many more each
    /// minute after that (a token bucket): names past it stay unknown (UNKNOWN_TOPIC_OR_PARTITION).
    public var autoCreateBurst: Int = 100
    public var autoCreatePerMinute: Int = 100
    /// Most descriptors of sealed segments the engine keeps open at once (least recently read
    /// closed first; see `SegmentFileCache`). Active segments hold one each on top of this.
    public var maxOpenSegmentFiles: Int = SegmentFileCache.defaultCapacity
    /// The session and rebalance timeouts the group coordinator accepts.
    public var groupTimeouts = GroupTimeoutLimits()
    /// Longest `transaction.timeout.ms` a transactional producer may ask for (Kafka's
    /// `transaction.max.timeout.ms`, 15 minutes); a transaction open longer is aborted.
    public var transactionMaxTimeoutMs: Int32 = 900_000
    /// Heartbeat interval and session timeout of KIP-848 consumer groups.
    public var consumerGroups = ConsumerGroupSettings()

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
        if let v = meta.messageTimestampBeforeMaxMs { c.messageTimestampBeforeMaxMs = v }
        if let v = meta.messageTimestampAfterMaxMs { c.messageTimestampAfterMaxMs = v }
        if let v = meta.maxMessageBytes { c.maxBatchBytes = v }
        return c
    }
}
