/// One outbox row as an operator sees it: what it is, when it was written and published, and
/// how its relay attempts went. The dashboard's outbox rows view lists them; `wharf trace` and
/// `t` look one up by event id for the start of an event's path.
public struct OutboxRowState: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Codable {
        case pending
        case published
        /// Reached the attempt limit (`retry-dead` makes it pending again).
        case dead
    }

    public var id: String
    public var aggregateType: String
    public var aggregateId: String
    public var type: String
    /// nil for a Debezium table's rows inserted without it (SQLite cannot default it there).
    public var createdAtMs: Int64?
    public var publishedAtMs: Int64?
    public var attempts: Int
    public var lastError: String?
    public var status: Status

    public init(id: String, aggregateType: String, aggregateId: String, type: String, createdAtMs: Int64?, publishedAtMs: Int64?,
                attempts: Int, lastError: String?, dead: Bool) {
        self.id = id
        self.aggregateType = aggregateType
        self.aggregateId = aggregateId
        self.type = type
        self.createdAtMs = createdAtMs
        self.publishedAtMs = publishedAtMs
        self.attempts = attempts
        self.lastError = lastError
        status = publishedAtMs != nil ? .published : dead ? .dead : .pending
    }
}
