import WharfCore

/// The dialog or overlay on top of the view (at most one).
public enum Modal: Equatable, Sendable {
    case help
    case palette(PaletteState)
    /// `/` typing; `previous` is restored by Esc.
    case filter(input: TextInput, previous: String)
    case reset(ResetDialog)
    case purge(PurgeDialog)
    case confirmUndo
    /// Outbox view: revive `dead` dead rows of `outbox`?
    case confirmRetryDead(outbox: String, dead: Int64)
    /// Records view: jump to an offset or a date-time.
    case seek(TextInput)
    /// Requeue, purge and undo of the Queues and Dead letters views.
    case queue(QueueModal)
    case rebuildProjection(RebuildDialog)
    case replayParked(ReplayParkedDialog)
    case createTopic(CreateTopicDialog)
    case deleteTopic(DeleteTopicDialog)
    /// Audit view: undo the reset this entry records?
    case confirmAuditUndo(AuditEntry)
}

public struct PaletteState: Equatable, Sendable {
    public var input = TextInput()
    public var selected = 0
}
