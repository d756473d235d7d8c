import WharfCore

/// Per-partition log settings (Kafka's topic-level `segment.bytes`, `segment.ms`, `retention.ms`,
/// `retention.bytes`, `index.interval.bytes`, `max.message.bytes`,
/// `message.timestamp.{before,after}.max.ms`, plus Wharf's fsync policy).
/// Changes take effect on the next append or retention run (`PartitionLog.updateConfig`).
public struct LogConfig: Sendable, Equatable {
    /// Roll when the active segment would exceed this many bytes (a single append bigger than
    /// this still goes into an empty segment).
    public var segmentBytes: Int = 64 << 20
    /// Roll when the active segment's first append is older than this (injected clock).
    public var segmentMs: Int64 = 7 * 24 * 3_600_000
    /// -1 keeps forever; otherwise whole non-active segments whose newest record timestamp is
    /// older than `now - retentionMs` are deleted, oldest first.
    public var retentionMs: Int64 = 7 * 24 * 3_600_000
    /// -1 is unlimited; otherwise the oldest non-active segments are deleted while the log would
    /// still hold at least `retentionBytes` without them (Kafka's rule).
    public var retentionBytes: Int64 = -1
    /// The sparse indexes get one entry per this many bytes of batches.
    public var indexIntervalBytes: Int = 4096
    /// Largest accepted batch (whole batch, header included).
    public var maxBatchBytes: Int = 8 << 20
    public var fsync: FsyncPolicy = .interval(milliseconds: 1000)
    /// `message.timestamp.before.max.ms`: how old a produced record's timestamp may be (Kafka 4's
    /// default: unlimited).
    public var messageTimestampBeforeMaxMs: Int64 = .max
    /// `message.timestamp.after.max.ms`: how far in the future a produced record's timestamp may
    /// be (Kafka 4's default: one hour).
    public var messageTimestampAfterMaxMs: Int64 = 3_600_000

    /// What `RecordBatchValidator` checks a client's batch against.
    public var batchLimits: RecordBatchValidator.Limits {
        .init(maxBatchBytes: maxBatchBytes, timestampBeforeMaxMs: messageTimestampBeforeMaxMs,
              timestampAfterMaxMs: messageTimestampAfterMaxMs)
    }

    public init() {}
}
