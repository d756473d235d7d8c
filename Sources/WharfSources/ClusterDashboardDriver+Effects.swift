import WharfClusterSource
import WharfCore
import WharfDashboard
import WharfEngine
import WharfKafkaClient

/// Dashboard effects over the Kafka protocol, with the same rules as the `--bootstrap` commands:
/// a reset is planned like `Engine.planReset` and committed by an administrative OffsetCommit
/// only when the group is empty (`ClusterReset`); a purge is DeleteRecords.
extension ClusterDashboardDriver {
    public func perform(_ effect: Effect) async -> Action? {
        do {
            return try await run(effect)
        } catch {
            return .operationFailed(Self.describe(error))
        }
    }

    private func run(_ effect: Effect) async throws -> Action? {
        if let action = try await performDeadLetterTopicEffect(effect) { return action }
        switch effect {
        case .previewReset(let group, let topic, let partitions, let spec):
            let rows = try await ClusterReset.plan(client, group: group, topic: topic, partitions: partitions.isEmpty ? nil : partitions,
                                                   to: EngineDashboardDriver.engineSpec(spec), nowMs: clock.nowMillis())
            return .resetPreviewed(group: group, rows: rows.map(EngineDashboardDriver.dashboardRow))
        case .executeReset(let group, let plan):
            guard capabilities.canReset else { return .operationFailed(DriverMessages.resetsDisabled) }
            let rows = plan.map(EngineDashboardDriver.engineRow)
            try await ClusterReset.execute(client, group: group, plan: rows)
            lastReset = (group, rows)
            return .operationSucceeded(DriverMessages.reset(group, rows))
        case .undoLastReset:
            guard capabilities.canUndoReset else { return .operationFailed(DriverMessages.resetsDisabled) }
            guard let last = lastReset else { return .operationFailed(DriverMessages.noResetToUndo) }
            let back = ResetPlanner.undo(last.rows)
            guard !back.isEmpty else { return .operationFailed(DriverMessages.nothingToRestore) }
            try await ClusterReset.execute(client, group: last.group, plan: back)
            lastReset = nil
            return .operationSucceeded(DriverMessages.undid(last.group, restored: back.count))
        case .purge(let topic, let partition, let before):
            guard capabilities.canPurge else { return .operationFailed(DriverMessages.purgeDisabled) }
            let tp = TopicPartition(topic, partition)
            let old = try await client.logOffsets([tp])[tp]?.start ?? 0
            let start = try await client.deleteRecords([tp: before])[tp] ?? old
            return .operationSucceeded(DriverMessages.purged(OffsetMath.subtract(start, old), topic: topic, partition: partition, logStart: start))
        case .loadRecords(let topic, let partition, let from, let max):
            return .recordsLoaded(try await records(topic: topic, partition: partition, from: from, max: max))
        case .createTopic(let name, let partitions):
            guard capabilities.contains(.manageTopics) else { return .operationFailed(DriverMessages.topicCreationDisabled) }
            try await client.createTopic(name, partitions: partitions)
            return .operationSucceeded(DriverMessages.createdTopic(name, partitions: partitions))
        case .deleteTopic(let name):
            guard capabilities.contains(.manageTopics) else { return .operationFailed(DriverMessages.topicDeletionDisabled) }
            try await client.deleteTopic(name)
            return .operationSucceeded(DriverMessages.deletedTopic(name))
        case .setOutboxRelayPaused(let name, _), .retryDeadOutboxRows(let name):
            guard capabilities.canControlOutbox else { return .operationFailed(DriverMessages.outboxDisabled) }
            guard let outbox = outboxes.first(where: { $0.name == name }) else { return .operationFailed(DriverMessages.noOutbox(name)) }
            return try await outbox.perform(effect)
        case .replayParked, .rebuildProjection:
            return .operationFailed("a Kafka cluster has no Wharf event streams")
        case .loadDeadLetters(let entity, _), .purgeQueue(let entity), .undoQueuePurge(let entity):
            return .operationFailed("\(entity) is not a topic here: queues are Wharf's own, open the data directory with --data")
        case .previewRequeue(let request), .requeue(let request):
            return .operationFailed("\(request.entity) is not a topic here: queues are Wharf's own, open the data directory with --data")
        case .loadTrace:
            return .operationFailed("tracing is not available over --bootstrap in the dashboard yet: use 'wharf trace'")
        case .loadAudit, .undoAuditEntry:
            return .operationFailed("a Kafka cluster has no Wharf audit log: open the data directory with --data")
        case .setRefresh, .quit:
            return nil
        }
    }

    /// Up to `max` records of one partition from an offset (clamped to what is retained) or the
    /// first record at or after a time, in as few Fetches as it takes.
    public func records(topic: String, partition: Int32, from: RecordStart, max: Int) async throws -> [RecordRow] {
        let tp = TopicPartition(topic, partition)
        guard let bounds = try await client.logOffsets([tp])[tp] else { throw WharfError.unknownPartition(topic: topic, partition: partition) }
        let offset: Int64
        switch from {
        case .offset(let o): offset = Swift.min(Swift.max(o, bounds.start), bounds.end)
        case .timestamp(let t): offset = try await client.firstOffsets(atOrAfter: t, in: [tp])[tp] ?? bounds.end
        }
        let read = try await ClusterRecordReader.read(client, [tp: .init(from: offset, until: bounds.end, limit: max)])
        return (read[tp] ?? []).map { RecordRow(topic: topic, partition: partition, record: $0) }
    }
}
