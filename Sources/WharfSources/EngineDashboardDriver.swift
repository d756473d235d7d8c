import Foundation
import WharfAdmin
import WharfCore
import WharfDashboard
import WharfEngine
import WharfEvents
import WharfProjections

/// The dashboard's view of the embedded engine: snapshots built from the engine's own
/// descriptions and lag, and effects run through the same engine commands the CLI uses.
public actor EngineDashboardDriver: DashboardDriver {
    public let engine: Engine
    public let queues: QueueStore?
    /// The event store and its projections (Streams & projections view); nil hides them.
    public let events: EventStore?
    public let projections: ProjectionRegistry?
    public let source: String
    public let listener: @Sendable () -> String?
    /// Outboxes shown in the Outbox view (the demo's order service, `--outbox URL`).
    public let outboxes: [DashboardOutbox]
    public nonisolated let capabilities: SourceCapabilities
    /// The offsets a reset replaced, so `u` can put them back.
    private var lastReset: (group: String, rows: [WharfAdmin.ResetPlanRow])?
    /// Top dead-letter reasons per entity, recounted only when the entity changed.
    public var reasonCache: [String: ReasonSample] = [:]
    /// Dead-letter topic verdicts and summaries, read again only when the topic changed.
    public var deadLetterTopicCache: [String: DeadLetterTopicSample] = [:]

    public init(engine: Engine, queues: QueueStore? = nil, events: EventStore? = nil, projections: ProjectionRegistry? = nil,
         source: String, listener: @escaping @Sendable () -> String? = { nil }, readOnly: Bool,
         outboxes: [DashboardOutbox] = []) {
        self.outboxes = outboxes
        self.engine = engine
        self.queues = queues
        self.events = events
        self.projections = projections
        self.source = source
        self.listener = listener
        capabilities = readOnly ? [.browseRecords, .browseDeadLetters, .audit, .trace]
            : SourceCapabilities.all.union([.audit, .trace])
    }

    public func snapshot() async -> ClusterSnapshot {
        let topics = engine.describeAllTopics(includeInternal: true).map { t in
            TopicSnapshot(name: t.name,
                          partitions: t.partitions.map { PartitionSnapshot(partition: $0.partition, logStart: $0.logStartOffset, logEnd: $0.logEndOffset, sizeBytes: $0.sizeBytes) },
                          retentionMs: t.retentionMs < 0 ? nil : t.retentionMs,
                          retentionBytes: t.retentionBytes < 0 ? nil : t.retentionBytes,
                          isInternal: t.isInternal)
        }
        var groups: [GroupSnapshot] = []
        // The requeue bookmarks of dead-letter topics are groups only to the engine.
        for overview in await engine.listGroups() where !overview.groupId.hasPrefix(RequeueRules.group(for: "")) {
            guard let lag = try? await engine.groupLag(overview.groupId) else { continue }
            let description = await engine.coordinator.describe(groupId: overview.groupId)
            let members = (description?.members ?? []).map { ($0.memberId, $0.clientId, $0.clientHost, $0.assignedPartitions ?? []) }
            groups.append(GroupSnapshot(name: overview.groupId, state: lag.state, members: members, rows: lag.partitions) { $0.timeLagMs })
        }
        let topicDeadLetters = deadLetterTopicSnapshots(topics)
        // The data directory's volume (statvfs: microseconds, so every refresh).
        let volume = engine.logVolume()
        let deadLetters = queues.map { deadLetterSnapshots($0) + topicDeadLetters } ?? (topicDeadLetters.isEmpty ? nil : topicDeadLetters)
        var outboxSnapshots: [OutboxSnapshot] = []
        for o in outboxes { outboxSnapshots.append(await o.snapshot()) }
        return ClusterSnapshot(timeMs: engine.clock.nowMillis(), source: source, listener: listener(), topics: topics, groups: groups,
                               deadLetters: deadLetters, outboxes: outboxes.isEmpty ? nil : outboxSnapshots,
                               queues: queues.map(Self.queueSnapshots), events: eventsSnapshot(), disk: volume.map { DiskSnapshot($0, location: nil) },
                               brokers: [BrokerSnapshot(.embedded(partitions: topics.reduce(0) { $0 + $1.partitions.count }, volume: volume),
                                                        diskLocation: nil)])
    }


    public func perform(_ effect: Effect) async -> Action? {
        do {
            if let entity = Self.entity(of: effect), isDeadLetterTopic(entity) {
                return try await performDeadLetterTopicEffect(effect)
            }
            if let action = try performQueueEffect(effect) { return action }
            switch effect {
            case .previewReset(let group, let topic, let partitions, let spec):
                let rows = try await engine.planReset(group: group, topic: topic, partitions: partitions.isEmpty ? nil : partitions, to: Self.engineSpec(spec))
                return .resetPreviewed(group: group, rows: rows.map(Self.dashboardRow))
            case .executeReset(let group, let plan):
                guard capabilities.canReset else { return .operationFailed(DriverMessages.resetsDisabled) }
                let rows = plan.map(Self.engineRow)
                let result = try await engine.executeReset(group: group, plan: rows)
                lastReset = (group, rows)
                return .operationSucceeded(DriverMessages.reset(group, rows, fencedLiveMembers: result.fencedLiveMembers))
            case .undoLastReset:
                guard capabilities.canUndoReset else { return .operationFailed(DriverMessages.resetsDisabled) }
                guard let last = lastReset else { return .operationFailed(DriverMessages.noResetToUndo) }
                let back = ResetPlanner.undo(last.rows)
                guard !back.isEmpty else { return .operationFailed(DriverMessages.nothingToRestore) }
                _ = try await engine.executeReset(group: last.group, plan: back)
                lastReset = nil
                return .operationSucceeded(DriverMessages.undid(last.group, restored: back.count))
            case .purge(let topic, let partition, let before):
                guard capabilities.canPurge else { return .operationFailed(DriverMessages.purgeDisabled) }
                let old = try engine.offsets(topic: topic, partition: partition).logStart
                let start = try engine.deleteRecords(topic: topic, partition: partition, before: before)
                return .operationSucceeded(DriverMessages.purged(OffsetMath.subtract(start, old), topic: topic, partition: partition, logStart: start))
            case .loadRecords(let topic, let partition, let from, let max):
                let offset: Int64
                switch from {
                case .offset(let o):
                    let (s, e) = try engine.offsets(topic: topic, partition: partition)
                    offset = Swift.min(Swift.max(o, s), e)
                case .timestamp(let t): offset = try engine.listOffset(topic: topic, partition: partition, .timestamp(t))
                }
                let records = try engine.readRecords(topic: topic, partition: partition, from: offset, maxRecords: max)
                return .recordsLoaded(records.map { RecordRow(topic: topic, partition: partition, record: $0) })
            case .setOutboxRelayPaused(let name, _), .retryDeadOutboxRows(let name):
                guard capabilities.canControlOutbox else { return .operationFailed(DriverMessages.outboxDisabled) }
                guard let outbox = outboxes.first(where: { $0.name == name }) else { return .operationFailed(DriverMessages.noOutbox(name)) }
                return try await outbox.perform(effect)
            case .replayParked, .rebuildProjection:
                return await performEvents(effect)
            case .createTopic(let name, let partitions):
                guard capabilities.contains(.manageTopics) else { return .operationFailed(DriverMessages.topicCreationDisabled) }
                _ = try engine.createTopic(name, Engine.TopicSettings(partitions: partitions))
                return .operationSucceeded(DriverMessages.createdTopic(name, partitions: partitions))
            case .deleteTopic(let name):
                guard capabilities.contains(.manageTopics) else { return .operationFailed(DriverMessages.topicDeletionDisabled) }
                try engine.deleteTopic(name)
                return .operationSucceeded(DriverMessages.deletedTopic(name))
            case .loadTrace(let query):
                return .traceLoaded(Self.traceSnapshot(try await engine.trace(query)))
            case .loadAudit:
                return .auditLoaded(try engine.audit.read().entries, message: nil)
            case .undoAuditEntry(let id):
                guard capabilities.canUndoReset else { return .operationFailed(DriverMessages.resetsDisabled) }
                let result = try await engine.undoReset(auditEntry: id)
                return .auditLoaded(try engine.audit.read().entries,
                                    message: DriverMessages.undidEntry(id, restored: result.rows.count))
            case .setRefresh, .quit, .loadDeadLetters, .previewRequeue, .requeue, .purgeQueue, .undoQueuePurge:
                return nil
            }
        } catch {
            return .operationFailed("\(error)")
        }
    }

    public static func traceSnapshot(_ t: EventTrace) -> TraceSnapshot {
        TraceSnapshot(query: t.query, eventId: t.eventId, hops: t.hops.map { h in
            TraceSnapshot.Hop(role: h.role.rawValue, record: h.coordinates, timestampMs: h.timestamp, from: h.from, reason: h.reason,
                              consumedBy: h.consumedBy.map(\.group), pendingFor: h.pendingFor.map(\.group))
        }, now: t.now, truncated: t.truncated)
    }

    public static func engineSpec(_ s: ResetSpec) -> OffsetResetSpec {
        switch s {
        case .earliest: .earliest
        case .latest: .latest
        case .offset(let o): .offset(o)
        case .datetime(let t): .datetime(t)
        case .shiftBy(let n): .shiftBy(n)
        case .duration(let ms): .byDuration(ms)
        }
    }

    public static func dashboardRow(_ r: WharfAdmin.ResetPlanRow) -> WharfDashboard.ResetPlanRow {
        .init(topic: r.topic, partition: r.partition, current: r.currentOffset, new: r.newOffset, recordsToReread: r.recordsToReread)
    }

    public static func engineRow(_ r: WharfDashboard.ResetPlanRow) -> WharfAdmin.ResetPlanRow {
        .init(topic: r.topic, partition: r.partition, currentOffset: r.current, newOffset: r.new, recordsToReread: r.recordsToReread)
    }
}
