import WharfCore

/// A persistent subscription group's settings and counters at one moment (what EventStoreDB's
/// GetInfo and List report).
public struct PersistentSubscriptionStatus: Sendable, Equatable {
    public struct Connection: Sendable, Equatable {
        public var consumerName: String
        /// Events delivered to this consumer and not yet acked or nacked.
        public var inFlight: Int
    }

    public var info: PersistentSubscriptionInfo
    /// The checkpoint last written to disk (position for `.all`, revision for a stream).
    public var checkpoint: UInt64?
    /// The source's last position (`.all`) or revision (stream); nil when it is empty.
    public var lastKnown: UInt64?
    /// Parked events not yet replayed.
    public var parkedCount: UInt64
    /// Events read ahead and ready to deliver (not in flight), retries included.
    public var readyCount: Int
    /// Of those, events waiting for another attempt.
    public var retryCount: Int
    public var inFlightCount: Int
    public var connections: [Connection]
}
