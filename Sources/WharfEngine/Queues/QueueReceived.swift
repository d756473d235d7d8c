import WharfCore

/// Messages taken by `QueueStore.beginReceive`: to hand out once `waits` report success (none
/// unless the policy is `always`). If one fails, the journal stopped: the locks lapse as a
/// dropped connection's do.
public struct QueueReceived: Sendable {
    public let messages: [QueueMessage]
    public let waits: [DurabilityWait]
}
