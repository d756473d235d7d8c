import WharfCore
import WharfDashboard
import WharfEngine

/// The Queues and Dead letters views over the engine's `QueueStore` (an engine-only panel):
/// runtime counts for the snapshot, and the browser, requeue, purge and undo effects through the
/// same QueueStore calls the `wharf queue` / `wharf dlq` commands use.
extension SourceDashboardDriver {
    /// Dead letters read per entity per snapshot to count reasons; beyond it the reasons describe
    /// the oldest messages only (the count itself is always exact).
    public static var reasonSampleSize: Int { 500 }

    public static func queueSnapshots(_ q: QueueStore) -> [QueueSnapshot] {
        q.listQueues().compactMap { name -> QueueSnapshot? in
            guard let c = try? q.runtimeCounts(name) else { return nil }
            return QueueSnapshot(name: name, active: Int64(c.activeCount), locked: Int64(c.lockedCount), deferred: Int64(c.deferredCount),
                                 scheduled: Int64(c.scheduledCount), deadLettered: Int64(c.deadLetterCount), sizeBytes: c.sizeBytes,
                                 oldestAgeMs: c.oldestMessageAgeMillis)
        }
    }

    /// The reasons counted for one dead-letter queue, and the count and size they were counted at.
    public struct ReasonSample: Sendable {
        var count: Int
        var sizeBytes: Int64
        var top: [DeadLetterReasonCount]
    }

    /// Every dead-letter queue's depth and top reasons. Reasons need the messages read, so they
    /// are recounted only when the entity's count or size moved since the last snapshot: an idle
    /// dead-letter queue costs no reads per refresh.
    public func deadLetterSnapshots(_ q: QueueStore) -> [DeadLetterSnapshot] {
        let dlqs = q.listDeadLetterQueues()
        let snapshots = dlqs.compactMap { dlq -> DeadLetterSnapshot? in
            guard let c = try? q.runtimeCounts(dlq) else { return nil }
            var sample = reasonCache[dlq]
            if sample?.count != c.totalCount || sample?.sizeBytes != c.sizeBytes {
                var reasons: [String: Int64] = [:]
                if c.totalCount > 0, let messages = try? q.peek(dlq, fromSequenceNumber: 1, max: Self.reasonSampleSize) {
                    for m in messages { reasons[m.deadLetterReason ?? "(none)", default: 0] += 1 }
                }
                let top = reasons.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
                    .prefix(DeadLetterSnapshot.topReasonCount).map { DeadLetterReasonCount($0.key, $0.value) }
                sample = ReasonSample(count: c.totalCount, sizeBytes: c.sizeBytes, top: Array(top))
                reasonCache[dlq] = sample
            }
            return DeadLetterSnapshot(entity: dlq, count: Int64(c.totalCount), oldestAgeMs: c.oldestMessageAgeMillis,
                                      kind: .queue(source: QueueNames.parse(dlq).queue), topReasons: sample?.top ?? [])
        }
        if reasonCache.count > dlqs.count {
            let live = Set(dlqs)
            reasonCache = reasonCache.filter { live.contains($0.key) }
        }
        return snapshots
    }

    /// Runs a queue effect; nil when `effect` is not one.
    public func performQueueEffect(_ effect: Effect) throws -> Action? {
        switch effect {
        case .loadDeadLetters(let entity, let max):
            let messages = try store().peek(entity, fromSequenceNumber: 1, max: max)
            return .deadLettersLoaded(entity: entity, rows: messages.map(Self.row))
        case .previewRequeue(let request):
            let r = try store().requeue(request.entity, Self.selection(request.selection), to: request.target, dryRun: true)
            return .requeuePreviewed(RequeuePreview(entity: request.entity, target: r.target, sequenceNumbers: r.sequenceNumbers,
                                                    skipped: r.skipped))
        case .requeue(let request):
            guard capabilities.contains(.requeue) else { return .operationFailed(DriverMessages.requeueDisabled) }
            let r = try store().requeue(request.entity, Self.selection(request.selection), to: request.target)
            return .queueEntityChanged(entity: request.entity,
                                       message: DriverMessages.requeued(r.count, from: r.source, to: r.target, skipped: r.skipped.count))
        case .purgeQueue(let entity):
            guard capabilities.contains(.purgeQueue) else { return .operationFailed(DriverMessages.purgeDisabled) }
            let r = try store().purge(entity)
            return .queueEntityChanged(entity: entity, message: DriverMessages.purgedQueue(r.count, entity: r.entity, restorableUntil: r.restorableUntil))
        case .undoQueuePurge(let entity):
            guard capabilities.contains(.undoQueuePurge) else { return .operationFailed(DriverMessages.queueUndoDisabled) }
            let n = try store().undoPurge(entity)
            return n == 0 ? .operationFailed(DriverMessages.nothingToRestore(in: entity))
                : .queueEntityChanged(entity: entity, message: DriverMessages.restoredQueue(n, entity: entity))
        default:
            return nil
        }
    }

    private func store() throws(WharfError) -> QueueStore {
        guard let queues = panels.queues else { throw .invalidArgument("this source has no queues") }
        return queues
    }

    public static func selection(_ s: DeadLetterSelection) -> RequeueSelection {
        switch s {
        case .sequenceNumbers(let seqs): .sequenceNumbers(seqs)
        case .all: .all
        case .reason(let r): .reason(r)
        case .property(let n, let v): .property(name: n, value: v)
        case .bodyContains(let t): .bodyContains(t)
        }
    }

    public static func row(_ m: QueueMessage) -> DeadLetterMessageRow {
        // Reason and description have their own columns; the rest are the message's properties.
        let props = m.applicationProperties.filter { $0.key != "DeadLetterReason" && $0.key != "DeadLetterErrorDescription" }
            .sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        return DeadLetterMessageRow(sequenceNumber: m.sequenceNumber, messageId: m.messageId, enqueuedTimeMs: m.enqueuedTime,
                                    reason: m.deadLetterReason, errorDescription: m.deadLetterErrorDescription,
                                    deliveryCount: m.deliveryCount, properties: props, body: m.body)
    }
}
