/// Runtime counts of one queue at one instant (Service Bus "runtime properties").
/// `active + locked + deferred + scheduled` are the messages in the queue itself;
/// `deadLettered` is the depth of its dead-letter subqueue.
public struct QueueSnapshot: Equatable, Sendable {
    public var name: String
    public var active: Int64
    public var locked: Int64
    public var deferred: Int64
    public var scheduled: Int64
    public var deadLettered: Int64
    public var sizeBytes: Int64
    /// Age of the oldest message in the queue; nil when it is empty.
    public var oldestAgeMs: Int64?

    public init(name: String, active: Int64 = 0, locked: Int64 = 0, deferred: Int64 = 0, scheduled: Int64 = 0,
                deadLettered: Int64 = 0, sizeBytes: Int64 = 0, oldestAgeMs: Int64? = nil) {
        self.name = name
        self.active = active
        self.locked = locked
        self.deferred = deferred
        self.scheduled = scheduled
        self.deadLettered = deadLettered
        self.sizeBytes = sizeBytes
        self.oldestAgeMs = oldestAgeMs
    }

    /// Messages in the queue itself (not its dead-letter queue).
    public var total: Int64 { active + locked + deferred + scheduled }
}
