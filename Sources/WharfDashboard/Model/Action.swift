import WharfCore

/// Everything that can happen to the dashboard: input, time passing, and effect results.
public enum Action: Equatable, Sendable {
    case key(Key)
    /// A new snapshot arrived (one per refresh tick).
    case tick(ClusterSnapshot)
    /// The terminal changed size.
    case resize(width: Int, height: Int)
    /// Answer to `.previewReset`: the rows for one topic of the pending preview.
    case resetPreviewed(group: String, rows: [ResetPlanRow])
    /// Answer to `.loadRecords`.
    case recordsLoaded([RecordRow])
    /// Answer to `.loadDeadLetters`.
    case deadLettersLoaded(entity: String, rows: [DeadLetterMessageRow])
    /// Answer to `.previewRequeue`.
    case requeuePreviewed(RequeuePreview)
    /// A requeue, purge or undo of `entity` finished; the text goes to the status line and an
    /// open browser of that entity reloads.
    case queueEntityChanged(entity: String, message: String)
    /// An effect finished; the text is shown in the status line.
    case operationSucceeded(String)
    /// The audit log, oldest first, and what to tell the operator (an undo's outcome).
    case auditLoaded([AuditEntry], message: String?)
    case traceLoaded(TraceSnapshot)
    /// Answer to `.loadOutboxRows`: the outbox's newest rows, newest first.
    case outboxRowsLoaded(outbox: String, rows: [OutboxRowSnapshot])
    case operationFailed(String)
}
