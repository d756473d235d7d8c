import WharfAdmin
import WharfCore
import WharfDashboard

/// The one effect handler of every dashboard: each effect is a `ClusterSource` operation (or an
/// engine-only panel's), refused when the source lacks the capability, and reported with the
/// words of `DriverMessages`. Resets remember what they replaced, so `u` undoes the last one.
extension SourceDashboardDriver {
    public func perform(_ effect: Effect) async -> Action? {
        do {
            return try await run(effect)
        } catch {
            return .operationFailed(DriverMessages.describe(error))
        }
    }

    private func run(_ effect: Effect) async throws -> Action? {
        if let entity = Self.deadLetterEntity(of: effect) {
            // Queues and their dead-letter subqueues are the engine's; a topic is a dead-letter topic.
            if panels.queues != nil, !(await isDeadLetterTopic(entity)) { return try performQueueEffect(effect) }
            return try await performDeadLetterTopicEffect(effect)
        }
        switch effect {
        case .previewReset(let group, let topic, let partitions, let spec):
            let rows = try await source.planReset(group: group, topic: topic, partitions: partitions.isEmpty ? nil : partitions,
                                                  to: OffsetResetSpec(spec))
            return .resetPreviewed(group: group, rows: rows.map(WharfDashboard.ResetPlanRow.init))
        case .executeReset(let group, let plan):
            guard capabilities.canReset else { return .operationFailed(DriverMessages.resetsDisabled) }
            return .operationSucceeded(try await executeReset(group: group, plan: plan.map(WharfAdmin.ResetPlanRow.init)))
        case .undoLastReset:
            guard capabilities.canUndoReset else { return .operationFailed(DriverMessages.resetsDisabled) }
            return try await undoLastReset()
        case .purge(let topic, let partition, let before):
            guard capabilities.canPurge else { return .operationFailed(DriverMessages.purgeDisabled) }
            let deletion = try await source.deleteRecords(topic: topic, partition: partition, before: before)
            return .operationSucceeded(DriverMessages.purged(deletion.deleted, topic: topic, partition: partition, logStart: deletion.logStart))
        case .loadRecords(let topic, let partition, let from, let max):
            let records = try await source.readRecords(topic: topic, partition: partition, from: ReadStart(from), max: max)
            return .recordsLoaded(records.map { RecordRow(topic: topic, partition: partition, record: $0) })
        case .createTopic(let name, let partitions):
            guard capabilities.contains(.manageTopics) else { return .operationFailed(DriverMessages.topicCreationDisabled) }
            try await source.createTopic(name, partitions: partitions)
            return .operationSucceeded(DriverMessages.createdTopic(name, partitions: partitions))
        case .deleteTopic(let name):
            guard capabilities.contains(.manageTopics) else { return .operationFailed(DriverMessages.topicDeletionDisabled) }
            try await source.deleteTopic(name)
            return .operationSucceeded(DriverMessages.deletedTopic(name))
        case .loadOutboxRows(let name, let max):
            guard let outbox = outboxes.first(where: { $0.name == name }) else { return .operationFailed(DriverMessages.noOutbox(name)) }
            return .outboxRowsLoaded(outbox: name, rows: try await outbox.recentRows(max: max))
        case .setOutboxRelayPaused(let name, _), .retryDeadOutboxRows(let name):
            guard capabilities.canControlOutbox else { return .operationFailed(DriverMessages.outboxDisabled) }
            guard let outbox = outboxes.first(where: { $0.name == name }) else { return .operationFailed(DriverMessages.noOutbox(name)) }
            return try await outbox.perform(effect)
        case .replayParked, .rebuildProjection:
            return try await performEvents(effect)
        case .loadTrace, .loadAudit, .undoAuditEntry:
            return try await performAuditEffect(effect)
        case .setRefresh, .quit, .loadDeadLetters, .previewRequeue, .requeue, .purgeQueue, .undoQueuePurge:
            return nil
        }
    }

    /// Commits a planned reset and remembers what it replaced, for `undoLastReset`.
    func executeReset(group: String, plan: [WharfAdmin.ResetPlanRow]) async throws -> String {
        let result = try await source.executeReset(group: group, plan: plan)
        lastReset = (group, plan)
        return DriverMessages.reset(group, plan, fencedLiveMembers: result.fencedLiveMembers)
    }

    /// Puts back the offsets the last reset replaced (`ResetPlanner.undo`), once.
    func undoLastReset() async throws -> Action {
        guard let last = lastReset else { return .operationFailed(DriverMessages.noResetToUndo) }
        let back = ResetPlanner.undo(last.rows)
        guard !back.isEmpty else { return .operationFailed(DriverMessages.nothingToRestore) }
        _ = try await source.executeReset(group: last.group, plan: back)
        lastReset = nil
        return .operationSucceeded(DriverMessages.undid(last.group, restored: back.count))
    }

    /// The Dead letters view's entity an effect addresses (a queue, a dead-letter subqueue or a
    /// dead-letter topic); nil for other effects.
    static func deadLetterEntity(of effect: Effect) -> String? {
        switch effect {
        case .loadDeadLetters(let e, _), .purgeQueue(let e), .undoQueuePurge(let e): e
        case .previewRequeue(let r), .requeue(let r): r.entity
        default: nil
        }
    }
}
