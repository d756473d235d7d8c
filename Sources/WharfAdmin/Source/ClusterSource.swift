import WharfCore

/// What an operator can ask of any cluster, whatever holds the data: the embedded engine
/// (`EngineSource`, WharfEngine) or a Kafka-protocol cluster over the wire (`KafkaClusterSource`,
/// WharfClusterSource). Both answer in this module's report types and apply its rules
/// (`ResetPlanner`, `LagRules`, `RequeueRules`), so the same data gives the same answers on both;
/// `WharfClusterSourceTests` runs one conformance suite over the two.
///
/// `capabilities` says which operations the source supports; the dashboard hides the rest. The
/// queues, event-stream and outbox panels are not part of this protocol: they exist only where
/// the engine runs in-process, and their capabilities only there.
///
/// Time comes from `clock` (injected), never from the wall clock directly.
public protocol ClusterSource: Sendable {
    /// The operations this source supports (before `--read-only` takes the dangerous ones away).
    var capabilities: SourceCapabilities { get }
    /// The clock time lag, reset times (`byDuration`) and snapshot times are measured against.
    var clock: any WallClock { get }

    // MARK: Reading

    /// Every topic (internal ones too with `includeInternal`), sorted by name.
    func describeTopics(includeInternal: Bool) async throws -> [TopicDescription]
    /// One topic, as `describeTopics` describes it (an unknown one is an error).
    func describeTopic(_ name: String) async throws -> TopicDescription
    /// Every consumer group with its state, member count and total lag, Wharf's bookkeeping
    /// groups included (a caller hides them: `InternalNames.isInternalGroup`).
    func groupSummaries() async throws -> [GroupSummary]
    /// One group's lag on every partition of the topics it committed to or is assigned.
    func groupLag(_ group: String) async throws -> GroupLag
    /// Every broker: partitions led and held, copies out of sync, its log volume's free space.
    func describeBrokers() async throws -> [BrokerDescription]
    /// One refresh of everything the dashboard shows of the cluster itself: topics, groups with
    /// their members and lag, brokers, the fullest log volume. Dead-letter topics are asked apart
    /// (`deadLetterSummaries`), so a caller can cache their verdicts.
    func readOverview() async throws -> ClusterOverview
    /// Up to `max` records of one partition from an offset (clamped to what is retained) or from
    /// the first record at or after a time.
    func readRecords(topic: String, partition: Int32, from start: ReadStart, max: Int) async throws -> [StoredRecord]

    /// A topic read as `wharf consume` reads it without a group: each partition (or only
    /// `partition`) from `start` to its end as it was when that partition was started, partition
    /// by partition, until `limit` records in all went to `emit`. An unknown topic or partition,
    /// or an offset outside the retained range, is an error.
    func readTopic(_ topic: String, partition: Int32?, from start: ConsumeStart, limit: Int,
                   emit: (ConsumedRecord) -> Void) async throws
    /// A new member of `group` subscribed to `topics` (which must exist), starting at `startAt`
    /// where the group has no commit; the caller polls, commits and closes it.
    func joinGroup(_ group: String, topics: [String], clientId: String, startAt: ConsumerStartPosition) async throws -> any GroupConsuming

    // MARK: Changing data

    /// The dry run of a reset: exactly what `executeReset` would commit.
    func planReset(group: String, topic: String, partitions: [Int32]?, to spec: OffsetResetSpec) async throws -> [ResetPlanRow]
    /// Commits a planned reset.
    func executeReset(group: String, plan: [ResetPlanRow]) async throws -> ResetResult
    /// Deletes the records of a partition below `before` (Kafka's DeleteRecords).
    func deleteRecords(topic: String, partition: Int32, before: Int64) async throws -> RecordDeletion
    /// Deletes a group and its committed offsets; refused while it has members.
    func deleteGroup(_ group: String) async throws
    /// `topic` opened for appends, checked before any record is read (unknown or internal topic,
    /// partition out of range); with `create`, a missing topic is created first with the
    /// source's defaults.
    func openAppender(topic: String, partition: Int32?, create: Bool) async throws -> any RecordAppending
    /// Creates a topic with the settings given (the rest are the source's defaults).
    func createTopic(_ name: String, _ topic: NewTopic) async throws
    /// Grows a topic to `totalCount` partitions in all (Kafka's CreatePartitions): its records
    /// stay where they are, the new partitions start empty. A count not above the current one,
    /// or an unknown topic, is an error. Returns the topic as `describeTopic` describes it.
    func addPartitions(_ name: String, totalCount: Int32) async throws -> TopicDescription
    func deleteTopic(_ name: String) async throws

    // MARK: Dead-letter topics (Spring, Kafka Connect, KIP-1191 headers)

    /// The summaries of those of `topics` that are dead-letter topics (unknown topics and
    /// ordinary ones are left out); `sample`: the newest records per partition read for reasons.
    func deadLetterSummaries(topics: [String], sample: Int) async throws -> [DeadLetterTopicSummary]
    /// The oldest `max` records of each partition, partition by partition.
    func deadLetterRecords(topic: String, max: Int) async throws -> [PartitionRecord]
    /// Moves selected dead letters back to their original topics (or `to`), exactly once, with
    /// the bookmark `RequeueRules.group(for:)` shared by every source; `dryRun` changes nothing.
    func requeueDeadLetters(topic: String, selection: DeadLetterTopicSelection, to override: String?,
                            dryRun: Bool) async throws -> DeadLetterRequeueResult
    /// Deletes every record of the topic (up to each partition's end); returns how many went.
    func purgeTopic(_ name: String) async throws -> Int64
    /// Records a `purgeTopic` would delete now: retained records over all partitions.
    func retainedRecords(topic: String) async throws -> Int64

    // MARK: Tracing (`.trace`)

    /// One event followed through the source (`TOPIC/PARTITION/OFFSET` or an event id): the
    /// records it became, who consumed them, dead letters and requeues; at most `maxRecords`
    /// records are read (the trace says when it stopped). `outbox`: the row it started as.
    func trace(_ query: String, outbox: OutboxRowState?, maxRecords: Int) async throws -> EventTrace
}

extension ClusterSource {
    /// Creates a topic of `partitions` partitions with the source's default settings.
    public func createTopic(_ name: String, partitions: Int32) async throws {
        try await createTopic(name, NewTopic(partitions: partitions))
    }

    /// Every dead-letter topic among the source's topics (internal ones never are), by name, as
    /// `wharf dlq list` reports it; ages are measured on the source's clock after the read.
    public func deadLetterTopicReports(sample: Int = 200) async throws -> [DeadLetterTopicReport] {
        let names = try await describeTopics(includeInternal: false).map(\.name)
        let summaries = try await deadLetterSummaries(topics: names, sample: sample)
        let now = clock.nowMillis()
        return summaries.map { DeadLetterTopicReport($0, now: now) }
    }
}

/// Where a read of records starts.
public enum ReadStart: Sendable, Equatable {
    /// This offset, clamped into the partition's retained range.
    case offset(Int64)
    /// The first record at or after this time (ms since the epoch); the log end if none is.
    case timestamp(Int64)
}

/// What a `deleteRecords` did: the log start before and after.
public struct RecordDeletion: Sendable, Equatable {
    public var previousLogStart: Int64
    public var logStart: Int64
    /// Records deleted (never negative).
    public var deleted: Int64 { Swift.max(0, OffsetMath.subtract(logStart, previousLogStart)) }

    public init(previousLogStart: Int64, logStart: Int64) {
        self.previousLogStart = previousLogStart
        self.logStart = logStart
    }
}

/// A record and the partition it was read from.
public struct PartitionRecord: Sendable, Equatable {
    public var partition: Int32
    public var record: StoredRecord

    public init(partition: Int32, record: StoredRecord) {
        self.partition = partition
        self.record = record
    }
}
