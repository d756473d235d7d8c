/// What one AMQP client may cost (issue 15: limits that beat the emulator's 10 connections and
/// fixed 256 KB messages).
public struct AMQPListenerLimits: Sendable, Equatable {
    /// Clients connected at once; the next connection is closed as soon as it is accepted.
    public var maxConnections = 1_000
    /// The max-frame-size Wharf announces and enforces on inbound frames.
    public var maxFrameSize: UInt32 = 1 << 20
    /// Largest message (a batch counts whole) a sender may transfer; bigger ones are rejected
    /// with `amqp:link:message-size-exceeded`. Service Bus Standard's 256 KB by default.
    public var maxMessageSize = 256 * 1024
    /// The idle-time-out Wharf announces (reference §1.5: ≥ 120 s, so idle Python senders whose
    /// keep-alive runs every 30 s are never cut); a connection silent for twice as long is closed.
    public var idleTimeoutMs: UInt32 = 120_000
    /// Sessions per connection and links per session.
    public var maxSessions = 256
    public var maxLinksPerSession = 1_024

    public init() {}

    /// A one-line reason when a value is out of range.
    public var problem: String? {
        if maxConnections < 1 { return "--amqp-max-connections must be at least 1" }
        if maxFrameSize < 4096 { return "--amqp-max-frame-size must be at least 4096" }
        if maxMessageSize < 1024 || maxMessageSize > 100 * 1024 * 1024 { return "--amqp-max-message-size must be between 1 KiB and 100 MiB" }
        if idleTimeoutMs < 1000 { return "--amqp-idle-timeout-ms must be at least 1000" }
        return nil
    }
}
