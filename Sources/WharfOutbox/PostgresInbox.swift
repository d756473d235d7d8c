import Logging
import PostgresNIO
import WharfCore

/// The consumer-side inbox in PostgreSQL: record each event id in the consumer's own
/// transaction; a redelivered id is found and skipped. Same table shape as `SQLiteInbox`.
public struct PostgresInbox: Sendable {
    public let table: TableName
    let clock: any WallClock

    public init(table: String = "inbox", clock: any WallClock = SystemClock()) throws(OutboxError) {
        self.table = try TableName(table)
        self.clock = clock
    }

    public func migrate(on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            CREATE TABLE IF NOT EXISTS \(unescaped: table.quoted) (
              consumer text NOT NULL, event_id text NOT NULL, received_at bigint NOT NULL,
              PRIMARY KEY (consumer, event_id))
            """, logger: logger)
    }

    /// True the first time `eventId` reaches `consumer` (process it), false for a duplicate.
    /// Run inside the consumer's transaction so a failed handler rolls the record back too.
    public func receive(eventId: String, consumer: String, on connection: PostgresConnection, logger: Logger) async throws -> Bool {
        let rows = try await connection.query("""
            INSERT INTO \(unescaped: table.quoted) (consumer, event_id, received_at) VALUES (\(consumer), \(eventId), \(clock.nowMillis()))
            ON CONFLICT DO NOTHING RETURNING 1
            """, logger: logger)
        for try await _ in rows.decode(Int.self) { return true }
        return false
    }
}
