import GRDB
import WharfCore

/// The consumer side of at-least-once delivery, in SQLite: a consumer records each event id in
/// the same transaction as its own state change; a redelivered event finds its id there and is
/// skipped. Table `inbox(consumer TEXT, event_id TEXT, received_at INTEGER, PRIMARY KEY(consumer, event_id))`.
/// Keep ids at least as long as redeliveries can happen (`deleteReceived(before:)`).
public struct SQLiteInbox: Sendable {
    public let table: TableName
    let clock: any WallClock

    public init(table: String = "inbox", clock: any WallClock = SystemClock()) throws(OutboxError) {
        self.table = try TableName(table)
        self.clock = clock
    }

    /// The migrations, an append-only list.
    public var migrator: DatabaseMigrator {
        let t = table
        var m = DatabaseMigrator()
        m.registerMigration("inbox[\(t.raw)] 1: create table") { db in
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS \(t.quoted) (
                  consumer TEXT NOT NULL,
                  event_id TEXT NOT NULL,
                  received_at INTEGER NOT NULL,
                  PRIMARY KEY (consumer, event_id))
                """)
        }
        return m
    }

    public func migrate(_ writer: any DatabaseWriter) throws { try migrator.migrate(writer) }

    /// Records `eventId` for `consumer` inside the caller's transaction. True the first time
    /// (process the event), false for a duplicate (skip it). Rolled back with the caller's
    /// transaction, so a failed handler leaves the event to be processed on redelivery.
    public func receive(eventId: String, consumer: String, in db: Database) throws -> Bool {
        try db.execute(sql: "INSERT OR IGNORE INTO \(table.quoted) (consumer, event_id, received_at) VALUES (?, ?, ?)",
                       arguments: [consumer, eventId, clock.nowMillis()])
        return db.changesCount == 1
    }

    /// Forgets ids received before `before` (ms). Returns how many.
    public func deleteReceived(before: Int64, in db: Database) throws -> Int {
        try db.execute(sql: "DELETE FROM \(table.quoted) WHERE received_at < ?", arguments: [before])
        return db.changesCount
    }
}
