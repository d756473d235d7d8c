/// One outbox at one instant: the table's counts plus its relay's counters and state.
///
/// Counts (`pending`, `oldestAgeMs`, `dead`, `failing`) are read from the table, so they are
/// true whoever wrote the rows. `publishedTotal` and `failuresTotal` are counters of the relay
/// (they only grow while it runs, and restart at zero with it): `Metrics` derives the publish
/// and failure rates from successive snapshots, and the backlog sparkline from `pending`.
public struct OutboxSnapshot: Equatable, Sendable {
    /// Short name shown in tables ("order-service", "app.db").
    public var name: String
    /// Where the rows live ("sqlite:/var/lib/app.db · outbox"); shown in the detail panel.
    public var location: String
    /// Rows neither published nor dead.
    public var pending: Int64
    /// Age of the oldest pending row; nil when nothing is pending.
    public var oldestAgeMs: Int64?
    /// Rows that reached the attempt limit (`retry-dead` revives them).
    public var dead: Int64
    /// Pending rows that failed at least once and wait for a retry.
    public var failing: Int64
    /// Rows the relay marked published since it started (publish-rate input).
    public var publishedTotal: Int64
    /// Failed publish attempts since the relay started (failure-rate input).
    public var failuresTotal: Int64
    public var relay: OutboxRelayStatus
    /// The relay's last error, if the last poll had one.
    public var lastError: String?

    public init(name: String, location: String = "", pending: Int64, oldestAgeMs: Int64? = nil, dead: Int64 = 0,
                failing: Int64 = 0, publishedTotal: Int64 = 0, failuresTotal: Int64 = 0,
                relay: OutboxRelayStatus = .running, lastError: String? = nil) {
        self.name = name
        self.location = location
        self.pending = pending
        self.oldestAgeMs = oldestAgeMs
        self.dead = dead
        self.failing = failing
        self.publishedTotal = publishedTotal
        self.failuresTotal = failuresTotal
        self.relay = relay
        self.lastError = lastError
    }
}

/// What an outbox's relay is doing, as the dashboard shows it.
public enum OutboxRelayStatus: String, Equatable, Sendable, Comparable {
    /// Polling and publishing.
    case running
    /// Paused by an operator: publishes nothing until resumed, so the backlog grows.
    case paused
    /// The last poll failed, or rows are failing and being retried.
    case failing
    /// No relay runs for this outbox here (watched only, or stopped).
    case stopped

    /// Text for the STATE column.
    public var label: String { rawValue }

    /// Worse states sort later (failing is the worst: events are not getting out).
    var severity: Int {
        switch self {
        case .running: 0
        case .paused: 1
        case .stopped: 2
        case .failing: 3
        }
    }

    public static func < (a: Self, b: Self) -> Bool { a.severity < b.severity }

    var role: StyleRole {
        switch self {
        case .running: .good
        case .paused, .stopped: .warning
        case .failing: .critical
        }
    }
}
