import WharfAdmin
import WharfCore

extension EmbeddedConsumer: GroupConsuming {}

/// The embedded engine as a `ClusterSource`: every question answered by the engine commands the
/// CLI uses, every operation run by them (nothing re-implemented here). The engine is its own
/// single broker, can fence a live group on reset, and supports every operation; the queues,
/// event streams and outboxes beside it are the dashboard's engine-only panels.
public struct EngineSource: ClusterSource {
    public let engine: Engine

    public init(engine: Engine) {
        self.engine = engine
    }

    /// Everything, and the data directory's audit log and the causation trace besides.
    public var capabilities: SourceCapabilities { SourceCapabilities.all.union([.audit, .trace]) }
    public var clock: any WallClock { engine.clock }

    public func describeTopics(includeInternal: Bool) async throws -> [TopicDescription] {
        engine.describeAllTopics(includeInternal: includeInternal)
    }

    public func describeTopic(_ name: String) async throws -> TopicDescription {
        try engine.describeTopic(name)
    }

    public func groupSummaries() async throws -> [GroupSummary] {
        await engine.groupSummaries()
    }

    public func groupLag(_ group: String) async throws -> GroupLag {
        try await engine.groupLag(group)
    }

    /// The engine is its own single broker.
    public func describeBrokers() async throws -> [BrokerDescription] {
        [engine.describeBroker()]
    }

    public func readOverview() async throws -> ClusterOverview {
        let topics = engine.describeAllTopics(includeInternal: true)
        var groups: [GroupStatus] = []
        for overview in await engine.listGroups() where !RequeueRules.isBookmark(overview.groupId) {
            guard let lag = try? await engine.groupLag(overview.groupId) else { continue }
            let description = await engine.coordinator.describe(groupId: overview.groupId)
            let members = (description?.members ?? []).map {
                GroupStatus.Member(memberId: $0.memberId, clientId: $0.clientId, host: $0.clientHost, assigned: $0.assignedPartitions ?? [])
            }
            groups.append(GroupStatus(group: overview.groupId, state: lag.state, members: members, partitions: lag.partitions))
        }
        // The data directory's volume (statvfs: microseconds, so every refresh).
        let volume = engine.logVolume()
        return ClusterOverview(timeMs: engine.clock.nowMillis(), topics: topics, groups: groups,
                               brokers: [.embedded(partitions: topics.reduce(0) { $0 + $1.partitions.count }, volume: volume)],
                               disk: volume.map { .init(volume: $0, broker: nil) })
    }

    public func readRecords(topic: String, partition: Int32, from start: ReadStart, max: Int) async throws -> [StoredRecord] {
        let offset: Int64
        switch start {
        case .offset(let o):
            let (s, e) = try engine.offsets(topic: topic, partition: partition)
            offset = Swift.min(Swift.max(o, s), e)
        case .timestamp(let t): offset = try engine.listOffset(topic: topic, partition: partition, .timestamp(t))
        }
        return try engine.readRecords(topic: topic, partition: partition, from: offset, maxRecords: max)
    }

    public func readTopic(_ topic: String, partition: Int32?, from start: ConsumeStart, limit: Int,
                          emit: (ConsumedRecord) -> Void) async throws {
        let all = try engine.describeTopic(topic).partitions.map(\.partition)
        try engine.readTopic(topic, partitions: partition.map { [$0] } ?? all, from: start, limit: limit, emit: emit)
    }

    public func joinGroup(_ group: String, topics: [String], clientId: String, startAt: ConsumerStartPosition) async throws -> any GroupConsuming {
        for topic in topics { _ = try engine.describeTopic(topic) }
        return EmbeddedConsumer(engine: engine, group: group, topics: topics, clientId: clientId, startAt: startAt)
    }

    public func planReset(group: String, topic: String, partitions: [Int32]?, to spec: OffsetResetSpec) async throws -> [ResetPlanRow] {
        try await engine.planReset(group: group, topic: topic, partitions: partitions, to: spec)
    }

    public func executeReset(group: String, plan: [ResetPlanRow]) async throws -> ResetResult {
        try await engine.executeReset(group: group, plan: plan)
    }

    public func deleteRecords(topic: String, partition: Int32, before: Int64) async throws -> RecordDeletion {
        let old = try engine.offsets(topic: topic, partition: partition).logStart
        return RecordDeletion(previousLogStart: old, logStart: try engine.deleteRecords(topic: topic, partition: partition, before: before))
    }

    public func deleteGroup(_ group: String) async throws {
        try await engine.deleteGroup(group)
    }

    public func openAppender(topic: String, partition: Int32?, create: Bool) async throws -> any RecordAppending {
        if create, !engine.listTopics().contains(topic) { try engine.createTopic(topic) }
        _ = try engine.describeTopic(topic)  // an unknown topic fails here; the rest at the first append
        return EngineAppender(engine: engine, topic: topic, partition: partition)
    }

    public func createTopic(_ name: String, _ topic: NewTopic) async throws {
        _ = try engine.createTopic(name, Engine.TopicSettings(partitions: topic.partitions, retentionMs: topic.retentionMs,
                                                              retentionBytes: topic.retentionBytes, segmentBytes: topic.segmentBytes))
    }

    public func deleteTopic(_ name: String) async throws {
        try engine.deleteTopic(name)
    }

    public func addPartitions(_ name: String, totalCount: Int32) async throws -> TopicDescription {
        try engine.addPartitions(name, totalCount: totalCount)
    }

    public func deadLetterSummaries(topics: [String], sample: Int) async throws -> [DeadLetterTopicSummary] {
        // Unknown and internal topics are left out, as over the wire.
        let internalTopics = Set(engine.listTopics(includeInternal: true)).subtracting(engine.listTopics())
        return topics.filter { !internalTopics.contains($0) }.compactMap { (try? engine.deadLetterSummary(topic: $0, sample: sample)) ?? nil }
    }

    public func deadLetterRecords(topic: String, max: Int) async throws -> [PartitionRecord] {
        var out: [PartitionRecord] = []
        guard max > 0 else { return out }
        for p in try engine.describeTopic(topic).partitions {
            let (start, _) = try engine.offsets(topic: topic, partition: p.partition)
            out += try engine.readRecords(topic: topic, partition: p.partition, from: start, maxRecords: max).map {
                PartitionRecord(partition: p.partition, record: $0)
            }
        }
        return out
    }

    public func requeueDeadLetters(topic: String, selection: DeadLetterTopicSelection, to override: String?,
                                   dryRun: Bool) async throws -> DeadLetterRequeueResult {
        try await engine.requeueDeadLetters(topic: topic, selection: selection, to: override, dryRun: dryRun)
    }

    public func purgeTopic(_ name: String) async throws -> Int64 {
        try engine.purgeTopic(name)
    }

    public func retainedRecords(topic: String) async throws -> Int64 {
        try engine.retainedRecords(topic: topic)
    }

    public func trace(_ query: String, outbox: OutboxRowState?, maxRecords: Int) async throws -> EventTrace {
        try await engine.trace(query, outbox: outbox, maxRecords: maxRecords)
    }
}
