/// One event's trace as the dashboard shows it (`t` on a record, a dead letter or an outbox row): the records
/// it became, oldest first, who consumed each, and where it is now. Drivers fill it from their
/// source's trace (the engine's `EventTrace`).
public struct TraceSnapshot: Equatable, Sendable {
    public struct Hop: Equatable, Sendable {
        /// `record`, `dead-letter` or `requeued`.
        public var role: String
        /// `topic/partition/offset`.
        public var record: String
        public var timestampMs: Int64
        public var from: String?
        public var reason: String?
        public var consumedBy: [String]
        public var pendingFor: [String]

        public init(role: String, record: String, timestampMs: Int64, from: String? = nil, reason: String? = nil,
                    consumedBy: [String] = [], pendingFor: [String] = []) {
            self.role = role
            self.record = record
            self.timestampMs = timestampMs
            self.from = from
            self.reason = reason
            self.consumedBy = consumedBy
            self.pendingFor = pendingFor
        }
    }

    public var query: String
    public var eventId: String?
    public var hops: [Hop]
    public var now: String
    public var truncated: Bool
    /// The outbox row the event started as, in one line, when one of the dashboard's outboxes has it.
    public var outbox: String?

    public init(query: String, eventId: String?, hops: [Hop], now: String, truncated: Bool = false, outbox: String? = nil) {
        self.outbox = outbox
        self.query = query
        self.eventId = eventId
        self.hops = hops
        self.now = now
        self.truncated = truncated
    }
}
