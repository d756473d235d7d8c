/// Work the dashboard asks the outside world to do. `update` only returns these; the
/// executable (or `TerminalApp` through a `DashboardDriver`) runs them and feeds results back
/// as `Action`s. Dangerous effects are never produced under read-only or without the
/// matching `SourceCapabilities`.
public enum Effect: Equatable, Sendable {
    /// Dry-run of a reset for the partitions of one topic (empty `partitions` = all of them).
    /// Answered by `.resetPreviewed`.
    case previewReset(group: String, topic: String, partitions: [Int32], spec: ResetSpec)
    /// Commit exactly the previewed plan. Dangerous.
    case executeReset(group: String, plan: [ResetPlanRow])
    /// Restore the offsets saved before the last reset. Dangerous.
    case undoLastReset
    /// Delete records of one partition below `beforeOffset`. Dangerous.
    case purge(topic: String, partition: Int32, beforeOffset: Int64)
    /// Read up to `max` records; answered by `.recordsLoaded`.
    case loadRecords(topic: String, partition: Int32, from: RecordStart, max: Int)
    /// Pause or resume the relay of an outbox (by `OutboxSnapshot.name`). Dangerous: while
    /// paused no event gets out.
    case setOutboxRelayPaused(outbox: String, paused: Bool)
    /// Make the outbox's dead rows pending again (attempts reset). Dangerous.
    case retryDeadOutboxRows(outbox: String)
    /// Send a persistent subscription's parked events back to it. Dangerous.
    case replayParked(group: String, source: String)
    /// Empty a projection's read model and replay its source from the start. Dangerous.
    case rebuildProjection(name: String)
    /// Create a topic. Dangerous: it changes the cluster (absent under `--read-only`).
    case createTopic(name: String, partitions: Int32)
    /// Delete a topic and its records. Dangerous.
    case deleteTopic(name: String)
    /// Change how often snapshots are taken.
    case setRefresh(ms: Int)
    /// Read up to `max` dead-lettered messages of `entity`; answered by `.deadLettersLoaded`.
    case loadDeadLetters(entity: String, max: Int)
    /// Dry run of a requeue; answered by `.requeuePreviewed`.
    case previewRequeue(RequeueRequest)
    /// Move the previewed messages (a `.sequenceNumbers` selection). Dangerous.
    case requeue(RequeueRequest)
    /// Purge every message of a queue or dead-letter queue (restorable for a while). Dangerous.
    case purgeQueue(entity: String)
    /// Restore what the last purge of `entity` removed. Dangerous.
    case undoQueuePurge(entity: String)
    case quit
    /// Read the audit log (answered with `.auditLoaded`).
    case loadAudit
    /// Put back the offsets the reset recorded as audit entry `id` replaced (answered with
    /// `.auditLoaded`, the log read again).
    case undoAuditEntry(id: String)
    /// Read the newest `max` rows of an outbox (by `OutboxSnapshot.name`); answered by `.outboxRowsLoaded`.
    case loadOutboxRows(outbox: String, max: Int)
    /// Trace one event (`topic/partition/offset` or an event id; answered with `.traceLoaded`).
    case loadTrace(query: String)

    /// True for effects that change data; used to assert read-only mode in tests.
    public var isDangerous: Bool {
        switch self {
        case .executeReset, .undoLastReset, .purge, .requeue, .purgeQueue, .undoQueuePurge, .setOutboxRelayPaused, .retryDeadOutboxRows,
             .replayParked, .rebuildProjection, .createTopic, .deleteTopic, .undoAuditEntry: true
        case .previewReset, .loadRecords, .setRefresh, .quit, .loadDeadLetters, .previewRequeue, .loadAudit, .loadTrace, .loadOutboxRows: false
        }
    }
}
