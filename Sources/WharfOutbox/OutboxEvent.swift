import Foundation

/// An event to enqueue in the outbox, in the Debezium outbox-event-router shape: the relay
/// publishes `payload` to the topic of `aggregateType` (default `outbox.event.<aggregatetype>`),
/// keyed by `aggregateId` so one aggregate's events stay in order in one partition, with the
/// event's `id` and `type` (plus `headers`) as record headers.
public struct OutboxEvent: Sendable, Equatable {
    public var id: UUID
    public var aggregateType: String
    public var aggregateId: String
    public var type: String
    /// Usually JSON (PostgreSQL stores it as `jsonb`, so there it must be JSON).
    public var payload: String
    /// Extra record headers, stored as a JSON object of strings.
    public var headers: [String: String]

    public init(id: UUID = UUID(), aggregateType: String, aggregateId: String, type: String, payload: String,
                headers: [String: String] = [:]) {
        self.id = id
        self.aggregateType = aggregateType
        self.aggregateId = aggregateId
        self.type = type
        self.payload = payload
        self.headers = headers
    }

    /// The id as stored and as sent in the `id` header: lowercase canonical UUID text.
    public var idText: String { id.uuidString.lowercased() }

    var headersJSON: String { Self.encodeHeaders(headers) }

    static func encodeHeaders(_ headers: [String: String]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(headers)) ?? Data("{}".utf8), as: UTF8.self)
    }
}

/// An unpublished row as a store hands it to the relay.
public struct OutboxRow: Sendable, Equatable {
    /// Commit-independent insertion order within the table (SQLite `rowid`, PostgreSQL `seq`);
    /// used only to keep one aggregate's events in order, never as a watermark.
    public var seq: Int64
    public var id: String
    public var aggregateType: String
    public var aggregateId: String
    public var type: String
    public var payload: [UInt8]?
    /// The raw `headers` column (a JSON object), nil when NULL.
    public var headers: String?
    /// Failed attempts so far.
    public var attempts: Int

    public init(seq: Int64, id: String, aggregateType: String, aggregateId: String, type: String, payload: [UInt8]?,
                headers: String?, attempts: Int) {
        self.seq = seq
        self.id = id
        self.aggregateType = aggregateType
        self.aggregateId = aggregateId
        self.type = type
        self.payload = payload
        self.headers = headers
        self.attempts = attempts
    }

    /// The aggregate's identity: events of one aggregate are published in `seq` order.
    public var aggregate: AggregateKey { AggregateKey(type: aggregateType, id: aggregateId) }
}

public struct AggregateKey: Hashable, Sendable {
    public var type: String
    public var id: String
}

/// A dead row, as `status` lists it for operators.
public struct OutboxDeadRow: Sendable, Equatable, Codable {
    public var id: String
    public var aggregateType: String
    public var aggregateId: String
    public var type: String
    public var attempts: Int
    public var lastError: String?

    public init(id: String, aggregateType: String, aggregateId: String, type: String, attempts: Int, lastError: String?) {
        self.id = id
        self.aggregateType = aggregateType
        self.aggregateId = aggregateId
        self.type = type
        self.attempts = attempts
        self.lastError = lastError
    }
}

/// What the relay decided for one claimed row; the store applies it in its marking step.
public enum RowOutcome: Sendable, Equatable {
    /// The broker acknowledged the append: set `published_at`.
    case published
    /// The attempt failed: `attempts + 1`, `last_error`, retry not before `retryAt` (ms), and
    /// `dead_at` set when `dead`.
    case failed(error: String, retryAt: Int64, dead: Bool)
}

/// Counts read from the table itself, so they are true whoever wrote the rows.
///
/// - `pending`: neither published nor dead.
/// - `oldestPendingAgeMs`: now - `created_at` of the oldest pending row (0 when none).
/// - `published`: published rows not yet removed by retention.
/// - `dead`: rows that reached the attempt limit (not published).
/// - `failures`: pending rows that have failed at least once (being retried).
public struct OutboxCounts: Sendable, Equatable, Codable {
    public var pending: Int
    public var oldestPendingAgeMs: Int64
    public var published: Int
    public var dead: Int
    public var failures: Int

    public init(pending: Int = 0, oldestPendingAgeMs: Int64 = 0, published: Int = 0, dead: Int = 0, failures: Int = 0) {
        self.pending = pending
        self.oldestPendingAgeMs = oldestPendingAgeMs
        self.published = published
        self.dead = dead
        self.failures = failures
    }
}
