import WharfCore

/// The session and rebalance timeouts a JoinGroup may ask for (Kafka's
/// `group.min.session.timeout.ms` and `group.max.session.timeout.ms`). Without an upper bound
/// one client joining with `Int32.max` would freeze any group's rebalance for 24.8 days.
public struct GroupTimeoutLimits: Sendable, Equatable {
    /// `group.min.session.timeout.ms` (Kafka: 6 s).
    public var minSessionTimeoutMs: Int32
    /// `group.max.session.timeout.ms` (Kafka: 30 min). Also the longest rebalance timeout.
    public var maxSessionTimeoutMs: Int32

    public init(minSessionTimeoutMs: Int32 = 6_000, maxSessionTimeoutMs: Int32 = 1_800_000) {
        self.minSessionTimeoutMs = minSessionTimeoutMs
        self.maxSessionTimeoutMs = maxSessionTimeoutMs
    }

    /// Throws `.invalidSessionTimeout` (INVALID_SESSION_TIMEOUT) for a session timeout outside
    /// the bounds, as Kafka does. The rebalance timeout (a client's `max.poll.interval.ms`,
    /// which Kafka does not bound and Kafka Streams sets to `Int32.max`) is clamped to the
    /// bounds instead, so such clients still join and no rebalance waits longer than the maximum.
    func check(sessionTimeoutMs: Int32, rebalanceTimeoutMs: Int32) throws(WharfError) -> Int32 {
        guard sessionTimeoutMs >= max(1, minSessionTimeoutMs), sessionTimeoutMs <= maxSessionTimeoutMs else {
            throw .invalidSessionTimeout("session timeout \(sessionTimeoutMs) ms is outside [\(minSessionTimeoutMs), \(maxSessionTimeoutMs)] ms (group.min/max.session.timeout.ms)")
        }
        return min(max(rebalanceTimeoutMs, 1), maxSessionTimeoutMs)
    }
}
