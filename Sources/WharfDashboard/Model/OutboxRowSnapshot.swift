/// One row of an outbox table as the outbox rows view lists it (Enter on an outbox): what the
/// event is, whether it got out, and `t` traces it from there by its id.
public struct OutboxRowSnapshot: Equatable, Sendable {
    /// The event id (the `id` header the relay writes on the record it becomes).
    public var id: String
    /// `aggregatetype/aggregateid`.
    public var aggregate: String
    public var type: String
    /// `pending`, `published` or `dead`.
    public var status: String
    public var attempts: Int
    public var createdAtMs: Int64?
    public var publishedAtMs: Int64?
    public var lastError: String?

    public init(id: String, aggregate: String, type: String, status: String, attempts: Int = 0, createdAtMs: Int64? = nil,
                publishedAtMs: Int64? = nil, lastError: String? = nil) {
        self.id = id
        self.aggregate = aggregate
        self.type = type
        self.status = status
        self.attempts = attempts
        self.createdAtMs = createdAtMs
        self.publishedAtMs = publishedAtMs
        self.lastError = lastError
    }
}

/// The outbox rows view's contents: the newest rows of one outbox, as last read.
public struct OutboxRowsBrowser: Equatable, Sendable {
    public var outbox: String = ""
    public var rows: [OutboxRowSnapshot] = []
    public var loading = false

    /// Rows read per load: the newest ones (an operator looks at what just happened).
    public static let pageSize = 200

    public init() {}
}
