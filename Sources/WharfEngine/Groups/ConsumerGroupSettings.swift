/// The coordinator's settings for KIP-848 consumer groups, named after Kafka's broker configs.
public struct ConsumerGroupSettings: Sendable, Equatable {
    /// `group.consumer.heartbeat.interval.ms` (Kafka: 5 s): how often members heartbeat, and so
    /// how quickly they learn of a new assignment.
    public var heartbeatIntervalMs: Int32
    /// `group.consumer.session.timeout.ms` (Kafka: 45 s): a member silent for longer is removed.
    public var sessionTimeoutMs: Int32

    public init(heartbeatIntervalMs: Int32 = 5_000, sessionTimeoutMs: Int32 = 45_000) {
        self.heartbeatIntervalMs = heartbeatIntervalMs
        self.sessionTimeoutMs = sessionTimeoutMs
    }
}
