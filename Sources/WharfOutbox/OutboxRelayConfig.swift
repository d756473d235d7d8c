import WharfCore

/// Settings of one relay.
public struct OutboxRelayConfig: Sendable {
    /// Rows claimed per poll.
    public var batchSize: Int = 100
    /// A row that failed this many times becomes dead (stops being retried; `retry-dead` revives it).
    public var maxAttempts: Int = 10
    /// Back-off after the n-th failure: `backoffBaseMs * 2^(n-1)`, at most `backoffMaxMs`.
    public var backoffBaseMs: Int64 = 1_000
    public var backoffMaxMs: Int64 = 60_000
    /// Published rows are deleted this long after publication (-1: never).
    public var retentionMs: Int64 = 24 * 3_600_000
    /// How often `run()` deletes expired published rows.
    public var cleanupIntervalMs: Int64 = 60_000
    /// Sleep between polls when the last poll found less than a full batch.
    public var pollIntervalMs: Int64 = 200
    /// The topic of an aggregate type (Debezium's `route.topic.replacement`).
    public var topic: @Sendable (String) -> String = { "outbox.event.\($0)" }

    public init() {}

    /// Delay before the next attempt after `attempts` failures (attempts >= 1).
    public func backoffMs(afterAttempts attempts: Int) -> Int64 {
        let shift = min(max(attempts - 1, 0), 30)
        let delay = backoffBaseMs.multipliedReportingOverflow(by: Int64(1) << shift)
        return delay.overflow ? backoffMaxMs : min(backoffMaxMs, delay.partialValue)
    }
}

/// What the relay is doing, for the dashboard.
public enum RelayState: String, Sendable, Codable, Equatable {
    /// Not started, or stopped.
    case stopped
    case running
    /// Paused by an operator: polls nothing until resumed.
    case paused
    /// The last poll failed (database unreachable, broker errors) or rows are failing.
    case failing
}

/// A point-in-time view of one outbox for the dashboard: the table's counts plus the relay's
/// own counters. Rates come from successive snapshots (`publishedTotal` over `takenAtMs`).
public struct OutboxMetricsSnapshot: Sendable, Equatable, Codable {
    /// `database/table`, naming this outbox.
    public var outbox: String
    public var takenAtMs: Int64
    /// From the table: pending, oldestPendingAgeMs, published, dead, failures.
    public var counts: OutboxCounts
    /// Rows this relay marked published since it started (publish rate input).
    public var publishedTotal: Int64
    /// Failed row attempts of this relay since it started (failure rate input).
    public var failuresTotal: Int64
    /// Rows that became dead through this relay since it started.
    public var deadTotal: Int64
    public var state: RelayState
    public var lastError: String?
    /// When the last poll finished (ms), nil before the first.
    public var lastPollAtMs: Int64?

    public var pending: Int { counts.pending }
    public var oldestPendingAgeMs: Int64 { counts.oldestPendingAgeMs }
    public var published: Int { counts.published }
    public var dead: Int { counts.dead }
    public var failures: Int { counts.failures }

    public init(outbox: String, takenAtMs: Int64, counts: OutboxCounts, publishedTotal: Int64, failuresTotal: Int64,
                deadTotal: Int64, state: RelayState, lastError: String?, lastPollAtMs: Int64?) {
        self.outbox = outbox
        self.takenAtMs = takenAtMs
        self.counts = counts
        self.publishedTotal = publishedTotal
        self.failuresTotal = failuresTotal
        self.deadTotal = deadTotal
        self.state = state
        self.lastError = lastError
        self.lastPollAtMs = lastPollAtMs
    }
}
