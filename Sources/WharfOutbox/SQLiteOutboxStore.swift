import Foundation
import GRDB
import WharfAdmin
import WharfCore

/// The outbox in a SQLite database, through GRDB: the embedded default.
///
/// Table (times in ms since the epoch; `rowid` gives insertion order, which in SQLite, with its
/// single writer, is also commit order):
/// ```
/// id TEXT PRIMARY KEY, aggregatetype TEXT, aggregateid TEXT, type TEXT, payload TEXT,
/// headers TEXT DEFAULT '{}', created_at INTEGER DEFAULT <now>, published_at INTEGER,
/// attempts INTEGER DEFAULT 0, last_error TEXT, next_attempt_at INTEGER DEFAULT 0, dead_at INTEGER
/// ```
/// A row inserted with only Debezium's five columns gets the defaults.
///
/// One relay per SQLite file: claiming takes no row locks (SQLite has none), so a second relay
/// on the same file would publish the same rows twice (still at-least-once, never lost).
///
/// Thread-safety: GRDB's `DatabaseWriter` serializes writes and lets reads run concurrently.
public struct SQLiteOutboxStore: OutboxStore {
    public let writer: any DatabaseWriter
    public let table: TableName
    public let databaseName: String
    let clock: any WallClock

    /// Over the caller's own database: enqueue through `enqueue(_:in:)` inside its transactions.
    public init(writer: any DatabaseWriter, table: String = "outbox", clock: any WallClock = SystemClock(),
                databaseName: String? = nil) throws(OutboxError) {
        self.writer = writer
        self.table = try TableName(table)
        self.clock = clock
        self.databaseName = databaseName ?? "sqlite:\(writer.path)"
    }

    /// Opens a file in WAL mode (so status reads run beside the relay's writes). Without
    /// `create`, a missing file is an error rather than a new empty database.
    public static func open(path: String, table: String = "outbox", create: Bool = false,
                            clock: any WallClock = SystemClock()) throws(OutboxError) -> SQLiteOutboxStore {
        let name = try TableName(table)
        if !create, !FileManager.default.fileExists(atPath: path) { throw .missingDatabase(path) }
        var config = Configuration()
        config.busyMode = .timeout(10)
        do {
            if create { OwnerOnly.createFileIfMissing(path) }
            let pool = try DatabasePool(path: path, configuration: config)
            return try SQLiteOutboxStore(writer: pool, table: name.raw, clock: clock, databaseName: "sqlite:\(path)")
        } catch let e as OutboxError {
            throw e
        } catch {
            throw .unreachable(database: "sqlite:\(path)", reason: "\(error)")
        }
    }

    // MARK: Schema

    /// The migrations, an append-only list: never edit or reorder a step once released.
    var migrator: DatabaseMigrator {
        let t = table
        var m = DatabaseMigrator()
        m.registerMigration("outbox[\(t.raw)] 1: create table") { db in
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS \(t.quoted) (
                  id TEXT PRIMARY KEY NOT NULL,
                  aggregatetype TEXT NOT NULL,
                  aggregateid TEXT NOT NULL,
                  type TEXT NOT NULL,
                  payload TEXT,
                  headers TEXT NOT NULL DEFAULT '{}',
                  created_at INTEGER DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)),
                  published_at INTEGER,
                  attempts INTEGER NOT NULL DEFAULT 0,
                  last_error TEXT,
                  next_attempt_at INTEGER NOT NULL DEFAULT 0,
                  dead_at INTEGER)
                """)
        }
        m.registerMigration("outbox[\(t.raw)] 2: relay columns on a pre-existing Debezium table") { db in
            // SQLite cannot add a column with a non-constant default, so a pre-existing table's
            // created_at stays NULL for rows inserted without it (they count as pending, not in the age).
            let have = Set(try db.columns(in: t.raw).map { $0.name.lowercased() })
            let wanted: [(String, String)] = [
                ("headers", "TEXT NOT NULL DEFAULT '{}'"), ("created_at", "INTEGER"), ("published_at", "INTEGER"),
                ("attempts", "INTEGER NOT NULL DEFAULT 0"), ("last_error", "TEXT"),
                ("next_attempt_at", "INTEGER NOT NULL DEFAULT 0"), ("dead_at", "INTEGER"),
            ]
            for (column, type) in wanted where !have.contains(column) {
                try db.execute(sql: "ALTER TABLE \(t.quoted) ADD COLUMN \(column) \(type)")
            }
        }
        m.registerMigration("outbox[\(t.raw)] 3: indexes for pending rows") { db in
            try db.execute(sql: """
                CREATE INDEX IF NOT EXISTS "\(t.flat)_pending" ON \(t.quoted) (next_attempt_at) WHERE published_at IS NULL;
                CREATE INDEX IF NOT EXISTS "\(t.flat)_aggregate" ON \(t.quoted) (aggregatetype, aggregateid) WHERE published_at IS NULL;
                CREATE INDEX IF NOT EXISTS "\(t.flat)_published" ON \(t.quoted) (published_at) WHERE published_at IS NOT NULL;
                """)
        }
        return m
    }

    public func migrate() async throws {
        let migrator = self.migrator
        do { try migrator.migrate(writer) } catch { throw OutboxError.database("\(error)") }
    }

    public func checkTable() async throws {
        let t = table
        let exists = try await read { db in try db.tableExists(t.raw) }
        if !exists { throw OutboxError.missingTable(table: table.raw, database: databaseName) }
    }

    // MARK: Enqueue

    /// Inserts the event inside the caller's transaction (`db` from `writer.write { db in ... }`
    /// or `inTransaction`): the relay sees it only once that transaction commits.
    public func enqueue(_ event: OutboxEvent, in db: Database) throws {
        try db.execute(sql: """
            INSERT INTO \(table.quoted) (id, aggregatetype, aggregateid, type, payload, headers, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """, arguments: [event.idText, event.aggregateType, event.aggregateId, event.type, event.payload,
                             event.headersJSON, clock.nowMillis()])
    }

    // MARK: Relay

    public func withClaimedBatch(limit: Int, now: Int64,
                                 _ body: @Sendable ([OutboxRow]) async throws -> [Int64: RowOutcome]) async throws -> Int {
        let t = table.quoted
        let rows = try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT o.rowid AS seq, o.id, o.aggregatetype, o.aggregateid, o.type, o.payload, o.headers, o.attempts
                FROM \(t) o
                WHERE o.published_at IS NULL AND o.dead_at IS NULL AND o.next_attempt_at <= ?
                  AND NOT EXISTS (SELECT 1 FROM \(t) p
                    WHERE p.aggregatetype = o.aggregatetype AND p.aggregateid = o.aggregateid
                      AND p.published_at IS NULL AND p.rowid < o.rowid
                      AND (p.dead_at IS NOT NULL OR p.next_attempt_at > ?))
                ORDER BY o.rowid LIMIT ?
                """, arguments: [now, now, limit]).map(Self.outboxRow)
        }
        guard !rows.isEmpty else { return 0 }
        let outcomes = try await body(rows)
        guard !outcomes.isEmpty else { return rows.count }
        let markedAt = clock.nowMillis()
        try await write { db in
            for (seq, outcome) in outcomes {
                switch outcome {
                case .published:
                    try db.execute(sql: "UPDATE \(t) SET published_at = ? WHERE rowid = ? AND published_at IS NULL",
                                   arguments: [markedAt, seq])
                case .failed(let error, let retryAt, let dead):
                    try db.execute(sql: """
                        UPDATE \(t) SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?, dead_at = ?
                        WHERE rowid = ? AND published_at IS NULL
                        """, arguments: [error, retryAt, dead ? markedAt : nil, seq])
                }
            }
        }
        return rows.count
    }

    static func outboxRow(_ r: Row) -> OutboxRow {
        let payload: [UInt8]? = switch r["payload"] as DatabaseValue {
        case let v where v.isNull: nil
        case let v: (String.fromDatabaseValue(v).map { Array($0.utf8) }) ?? (Data.fromDatabaseValue(v).map { Array($0) })
        }
        let id: String = switch (r["id"] as DatabaseValue).storage {
        case .blob(let d) where d.count == 16: d.withUnsafeBytes { UUID(uuid: $0.load(as: uuid_t.self)).uuidString.lowercased() }
        default: String.fromDatabaseValue(r["id"]) ?? ""
        }
        return OutboxRow(seq: r["seq"], id: id, aggregateType: r["aggregatetype"], aggregateId: r["aggregateid"],
                         type: r["type"], payload: payload, headers: r["headers"], attempts: r["attempts"] ?? 0)
    }

    // MARK: Operations

    public func counts(now: Int64) async throws -> OutboxCounts {
        let t = table.quoted
        return try await read { db in
            let r = try Row.fetchOne(db, sql: """
                SELECT
                  COUNT(CASE WHEN published_at IS NULL AND dead_at IS NULL THEN 1 END) AS pending,
                  MIN(CASE WHEN published_at IS NULL AND dead_at IS NULL THEN created_at END) AS oldest,
                  COUNT(published_at) AS published,
                  COUNT(CASE WHEN published_at IS NULL AND dead_at IS NOT NULL THEN 1 END) AS dead,
                  COUNT(CASE WHEN published_at IS NULL AND dead_at IS NULL AND attempts > 0 THEN 1 END) AS failures
                FROM \(t)
                """)!
            let oldest: Int64? = r["oldest"]
            return OutboxCounts(pending: r["pending"], oldestPendingAgeMs: oldest.map { max(0, now - $0) } ?? 0,
                                published: r["published"], dead: r["dead"], failures: r["failures"])
        }
    }

    public func deadRows(limit: Int) async throws -> [OutboxDeadRow] {
        let t = table.quoted
        return try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT id, aggregatetype, aggregateid, type, attempts, last_error FROM \(t)
                WHERE published_at IS NULL AND dead_at IS NOT NULL ORDER BY rowid LIMIT ?
                """, arguments: [limit]).map {
                OutboxDeadRow(id: String.fromDatabaseValue($0["id"]) ?? "", aggregateType: $0["aggregatetype"],
                              aggregateId: $0["aggregateid"], type: $0["type"], attempts: $0["attempts"], lastError: $0["last_error"])
            }
        }
    }

    public func recentRows(limit: Int) async throws -> [OutboxRowState] {
        let t = table.quoted
        return try await read { db in
            try Row.fetchAll(db, sql: "SELECT \(Self.stateColumns) FROM \(t) ORDER BY rowid DESC LIMIT ?", arguments: [max(0, limit)])
                .map(Self.rowState)
        }
    }

    public func row(id: String) async throws -> OutboxRowState? {
        let t = table.quoted
        // A 16-byte blob id (a UUID stored as bytes) is shown as its lowercase text form.
        let hex = UUID(uuidString: id).map { $0.uuidString.replacingOccurrences(of: "-", with: "") } ?? ""
        return try await read { db in
            try Row.fetchOne(db, sql: """
                SELECT \(Self.stateColumns) FROM \(t) WHERE id = ? OR (typeof(id) = 'blob' AND hex(id) = ?) LIMIT 1
                """, arguments: [id, hex]).map(Self.rowState)
        }
    }

    static let stateColumns = "id, aggregatetype, aggregateid, type, created_at, published_at, attempts, last_error, dead_at"

    static func rowState(_ r: Row) -> OutboxRowState {
        let id: String = switch (r["id"] as DatabaseValue).storage {
        case .blob(let d) where d.count == 16: d.withUnsafeBytes { UUID(uuid: $0.load(as: uuid_t.self)).uuidString.lowercased() }
        default: String.fromDatabaseValue(r["id"]) ?? ""
        }
        let aggregateType: String = r["aggregatetype"] ?? "", aggregateId: String = r["aggregateid"] ?? "", type: String = r["type"] ?? ""
        let createdAt: Int64? = r["created_at"], publishedAt: Int64? = r["published_at"], deadAt: Int64? = r["dead_at"]
        let attempts: Int = r["attempts"] ?? 0
        let lastError: String? = r["last_error"]
        return OutboxRowState(id: id, aggregateType: aggregateType, aggregateId: aggregateId, type: type, createdAtMs: createdAt,
                              publishedAtMs: publishedAt, attempts: attempts, lastError: lastError, dead: deadAt != nil)
    }

    public func retryDead() async throws -> Int {
        let t = table.quoted
        return try await write { db in
            try db.execute(sql: """
                UPDATE \(t) SET dead_at = NULL, attempts = 0, next_attempt_at = 0
                WHERE published_at IS NULL AND dead_at IS NOT NULL
                """)
            return db.changesCount
        }
    }

    public func deletePublished(before: Int64) async throws -> Int {
        let t = table.quoted
        return try await write { db in
            try db.execute(sql: "DELETE FROM \(t) WHERE published_at IS NOT NULL AND published_at < ?", arguments: [before])
            return db.changesCount
        }
    }

    public func close() async throws {
        if let pool = writer as? DatabasePool { try pool.close() } else if let queue = writer as? DatabaseQueue { try queue.close() }
    }

    // MARK: Helpers

    /// Reads, mapping a missing table to `missingTable` and other failures to `database`.
    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do { return try await writer.read(body) } catch { throw map(error) }
    }

    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do { return try await writer.write(body) } catch { throw map(error) }
    }

    private func map(_ error: any Error) -> any Error {
        if error is OutboxError { return error }
        if let e = error as? DatabaseError, e.message?.contains("no such table") == true {
            return OutboxError.missingTable(table: table.raw, database: databaseName)
        }
        return OutboxError.database("\(error)")
    }
}
