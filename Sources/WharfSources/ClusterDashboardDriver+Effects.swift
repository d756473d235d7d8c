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
            guard capabilities.canReset else { return .operationFailed("read-only: resets are disabled") }
            let rows = plan.map(EngineDashboardDriver.engineRow)
            try await ClusterReset.execute(client, group: group, plan: rows)
            lastReset = (group, rows)
            let moved = OffsetMath.sum(rows.lazy.map(\.recordsToReread))
            return .operationSucceeded("reset \(group) on \(rows.count) partition(s): \(moved) records to re-read")
        case .undoLastReset:
            guard capabilities.canUndoReset else { return .operationFailed("read-only: resets are disabled") }
            guard let last = lastReset else { return .operationFailed("no reset to undo") }
            let back = ResetPlanner.undo(last.rows)
            guard !back.isEmpty else { return .operationFailed("the last reset set partitions that had no commit before; nothing to restore") }
            try await ClusterReset.execute(client, group: last.group, plan: back)
            lastReset = nil
            return .operationSucceeded("undid the last reset of \(last.group) (\(back.count) partition(s) restored)")
        case .purge(let topic, let partition, let before):
            guard capabilities.canPurge else { return .operationFailed("read-only: purge is disabled") }
            let tp = TopicPartition(topic, partition)
            let old = try await client.logOffsets([tp])[tp]?.start ?? 0
            let start = try await client.deleteRecords([tp: before])[tp] ?? old
            return .operationSucceeded("purged \(max(0, start - old)) records from \(topic)/\(partition); log start is now \(start)")
        case .loadRecords(let topic, let partition, let from, let max):
            return .recordsLoaded(try await records(topic: topic, partition: partition, from: from, max: max))
        case .createTopic(let name, let partitions):
            guard capabilities.contains(.manageTopics) else { return .operationFailed("read-only: topics cannot be created") }
            try await client.createTopic(name, partitions: partitions)
            return .operationSucceeded("created topic \(name) with \(partitions) partition\(partitions == 1 ? "" : "s")")
        case .deleteTopic(let name):
            guard capabilities.contains(.manageTopics) else { return .operationFailed("read-only: topics cannot be deleted") }
            try await client.deleteTopic(name)
            return .operationSucceeded("deleted topic \(name)")
        case .setOutboxRelayPaused(let name, _), .retryDeadOutboxRows(let name):
            guard capabilities.canControlOutbox else { return .operationFailed("read-only: outbox actions are disabled") }
            guard let outbox = outboxes.first(where: { $0.name == name }) else { return .operationFailed("no outbox named \(name)") }
            return try await outbox.perform(effect)
        case .replayParked, .rebuildProjection:
            return .operationFailed("a Kafka cluster has no Wharf event streams")
        case .loadDeadLetters(let entity, _), .purgeQueue(let entity), .undoQueuePurge(let entity):
            return .operationFailed("\(entity) is not a topic here: queues are Wharf's own, open the data directory with --data")
        case .previewRequeue(let request), .requeue(let request):
            return .operationFailed("\(request.entity) is not a topic here: queues are Wharf's own, open the data directory with --data")
        case .setRefresh, .quit:
            return nil
        }
    }

    /// Up to `max` records of one partition from an offset (clamped to what is retained) or the
    /// first record at or after a time, in as few Fetches as it takes.
    public func records(topic: String, partition: Int32, from: RecordStart, max: Int) async throws -> [RecordRow] {
        let tp = TopicPartition(topic, partition)
        guard let bounds = try await client.logOffsets([tp])[tp] else { throw WharfError.unknownPartition(topic: topic, partition: partition) }
        var offset: Int64
        switch from {
        case .offset(let o): offset = Swift.min(Swift.max(o, bounds.start), bounds.end)
        case .timestamp(let t):
            let found = try await client.listOffsets([tp], timestamp: t)[tp] ?? -1
            offset = found < 0 ? bounds.end : found
        }
        var rows: [RecordRow] = []
        while rows.count < max, offset < bounds.end {
            guard let fetched = try await client.fetch([tp: offset], maxRecords: max - rows.count)[tp], !fetched.records.isEmpty else { break }
            for r in fetched.records where rows.count < max {
                rows.append(RecordRow(topic: topic, partition: partition, offset: r.offset, timestampMs: r.timestamp, key: r.key, value: r.value,
                                      headers: r.headers.map { WharfDashboard.RecordHeader(key: $0.key, value: $0.value) }))
            }
            offset = fetched.records[fetched.records.count - 1].offset + 1
        }
        return rows
    }
}
