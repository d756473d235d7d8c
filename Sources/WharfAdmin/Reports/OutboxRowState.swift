import WharfCore

/// One outbox row as an operator sees it: what it is, when it was written and published, and
/// how its relay attempts went. The outbox stores (WharfOutbox) read it; the dashboard's outbox
/// rows view lists them; `wharf trace` and `t` look one up by event id for the start of an
/// event's path (`EventTrace.outbox`, whose JSON is a contract scripts rely on). It lives here,
/// with the other reports every source shares, so the trace and the stores use one type.
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
    /// The outbox it is in, as the dashboard names it (set by the trace; nil from a store, or
    /// where only one outbox was asked).
    public var outbox: String?

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

extension OutboxRowState {
    /// The row, named as in the outbox `outbox`.
    public func named(_ outbox: String) -> OutboxRowState {
        var row = self
        row.outbox = outbox
        return row
    }

    /// One line: `outbox app.db row e1 (order/o1 created): published 2026-12-06T10:00:01Z`, with
    /// the failed attempts and the last error when there were any (`attempts` counts failures).
    public var summary: String {
        var text = "outbox " + (outbox.map { $0 + " " } ?? "") + "row \(id) (\(aggregateType)/\(aggregateId) \(type)): \(status.rawValue)"
        if let publishedAtMs { text += " " + TimeParsing.iso(publishedAtMs) }
        if attempts > 0 { text += ", \(attempts) failed attempt\(attempts == 1 ? "" : "s")" }
        if let lastError { text += ", last error: \(lastError)" }
        return text
    }
}
