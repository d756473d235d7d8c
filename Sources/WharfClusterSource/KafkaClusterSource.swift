import WharfAdmin
import WharfCore
import WharfKafkaClient

/// A Kafka-protocol cluster (Apache Kafka, a remote `wharf serve`...) as a `ClusterSource`: the
/// same questions and operations as the embedded engine, over the wire, with the rules of
/// WharfAdmin (`ResetPlanner`, `LagRules`, `RequeueRules`) and the `--bootstrap` commands'
/// operations (`ClusterReset`, `ClusterDeadLetters`, `ClusterTopics`, `ClusterGroups`).
///
/// An actor because a refresh keeps caches between calls (`TimeLagCache`, `RetentionCache`), so
/// a dashboard's refresh stays a bounded number of requests whatever the cluster's size. Time
/// comes from `clock` only.
public actor KafkaClusterSource: ClusterSource {
    public let client: KafkaClient
    public nonisolated let clock: any WallClock
    public nonisolated var capabilities: SourceCapabilities { .kafkaCluster }

    /// Timestamps of the first unconsumed record per partition and position.
    var timeLag = TimeLagCache()
    var retention = RetentionCache()

    public init(client: KafkaClient, clock: any WallClock) {
        self.client = client
        self.clock = clock
    }

    public func describeTopics(includeInternal: Bool) async throws -> [TopicDescription] {
        try await ClusterTopics.describeAll(client, includeInternal: includeInternal)
    }

    public func describeTopic(_ name: String) async throws -> TopicDescription {
        try await ClusterTopics.describe(client, name: name)
    }

    public func describeBrokers() async throws -> [BrokerDescription] {
        try await ClusterBrokers.describeAll(client)
    }

    public func groupSummaries() async throws -> [GroupSummary] {
        try await ClusterGroups.list(client)
    }

    public func groupLag(_ group: String) async throws -> GroupLag {
        try await ClusterGroups.describe(client, group: group, clock: clock)
    }

    public func readRecords(topic: String, partition: Int32, from start: ReadStart, max: Int) async throws -> [StoredRecord] {
        let tp = TopicPartition(topic, partition)
        guard let bounds = try await client.logOffsets([tp])[tp] else { throw WharfError.unknownPartition(topic: topic, partition: partition) }
        let offset: Int64
        switch start {
        case .offset(let o): offset = Swift.min(Swift.max(o, bounds.start), bounds.end)
        case .timestamp(let t): offset = try await client.firstOffsets(atOrAfter: t, in: [tp])[tp] ?? bounds.end
        }
        return try await ClusterRecordReader.read(client, [tp: .init(from: offset, until: bounds.end, limit: max)])[tp] ?? []
    }

    /// Nonisolated: it keeps no state of the source's, so `emit` (the caller's) never crosses an actor.
    public nonisolated func readTopic(_ topic: String, partition: Int32?, from start: ConsumeStart, limit: Int,
                                      emit: (ConsumedRecord) -> Void) async throws {
        try await ClusterRecordReader.readTopic(client, topic, partition: partition, from: start, limit: limit, emit: emit)
    }

    /// A real member over the wire (`ClusterGroupConsumer`: JoinGroup, range assignment).
    /// `clientId` is the connection's, already set when the client was made.
    public func joinGroup(_ group: String, topics: [String], clientId: String, startAt: ConsumerStartPosition) async throws -> any GroupConsuming {
        for topic in topics { _ = try await ClusterDeadLetters.topicMetadata(client, topic) }
        return ClusterGroupConsumer(client: client, group: group, topics: topics, startAt: startAt, clock: clock)
    }

    public func planReset(group: String, topic: String, partitions: [Int32]?, to spec: OffsetResetSpec) async throws -> [ResetPlanRow] {
        try await ClusterReset.plan(client, group: group, topic: topic, partitions: partitions, to: spec, nowMs: clock.nowMillis())
    }

    /// A remote coordinator cannot be fenced: a group with live members is refused (`ClusterReset`).
    public func executeReset(group: String, plan: [ResetPlanRow]) async throws -> ResetResult {
        try await ClusterReset.execute(client, group: group, plan: plan)
        return ResetResult(rows: plan, fencedLiveMembers: false)
    }

    public func deleteRecords(topic: String, partition: Int32, before: Int64) async throws -> RecordDeletion {
        let tp = TopicPartition(topic, partition)
        // A partition the cluster does not have is an error, as on the engine.
        guard let old = try await client.logOffsets([tp])[tp]?.start else { throw WharfError.unknownPartition(topic: topic, partition: partition) }
        guard let new = try await client.deleteRecords([tp: before])[tp] else { throw WharfError.unknownPartition(topic: topic, partition: partition) }
        return RecordDeletion(previousLogStart: old, logStart: new)
    }

    public func deleteGroup(_ group: String) async throws {
        try await client.deleteGroups([group])
    }

    public func openAppender(topic: String, partition: Int32?, create: Bool) async throws -> any RecordAppending {
        try await ClusterAppender.open(client, topic: topic, partition: partition, create: create, clock: clock)
    }

    public func createTopic(_ name: String, _ topic: NewTopic) async throws {
        try await client.createTopic(name, partitions: topic.partitions, configs: topic.kafkaConfigs)
    }

    public func deleteTopic(_ name: String) async throws {
        try await client.deleteTopic(name)
    }

    public func addPartitions(_ name: String, totalCount: Int32) async throws -> TopicDescription {
        try await client.createPartitions(name, totalCount: totalCount)
        return try await ClusterTopics.describe(client, name: name)
    }

    public func deadLetterSummaries(topics: [String], sample: Int) async throws -> [DeadLetterTopicSummary] {
        try await ClusterDeadLetters.summaries(client, topics: topics, sample: sample)
    }

    public func deadLetterRecords(topic: String, max: Int) async throws -> [PartitionRecord] {
        try await ClusterDeadLetters.records(client, topic: topic, max: max).map { PartitionRecord(partition: $0.partition, record: $0.record) }
    }

    public func requeueDeadLetters(topic: String, selection: DeadLetterTopicSelection, to override: String?,
                                   dryRun: Bool) async throws -> DeadLetterRequeueResult {
        try await ClusterDeadLetters.requeue(client, topic: topic, selection: selection, to: override, dryRun: dryRun, clock: clock)
    }

    public func purgeTopic(_ name: String) async throws -> Int64 {
        try await ClusterDeadLetters.purge(client, topic: name)
    }

    public func retainedRecords(topic: String) async throws -> Int64 {
        try await ClusterDeadLetters.retained(client, topic: topic)
    }

    public func trace(_ query: String, outbox: OutboxRowState?, maxRecords: Int) async throws -> EventTrace {
        try await ClusterTrace.trace(client, query: query, maxRecords: maxRecords, outbox: outbox)
    }
}
