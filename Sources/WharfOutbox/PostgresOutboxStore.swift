import Logging
import PostgresNIO
import WharfAdmin
import WharfCore

/// The outbox in PostgreSQL, through postgres-nio.
///
/// Table: Debezium's `id uuid PRIMARY KEY, aggregatetype varchar(255), aggregateid varchar(255),
/// type varchar(255), payload jsonb`, plus `headers jsonb DEFAULT '{}'`, `created_at timestamptz
/// DEFAULT now()`, `published_at timestamptz`, `attempts integer DEFAULT 0`, `last_error text`,
/// `next_attempt_at timestamptz DEFAULT '-infinity'`, `dead_at timestamptz` and `seq bigserial`
/// (insertion order, for per-aggregate order only; never a watermark). `init` on an existing
/// Debezium table adds the missing columns. Applied migrations are recorded in
/// `wharf_outbox_migrations`, under an advisory lock so concurrent `init`s are safe.
///
/// Several relays may share one database: each claims with `FOR UPDATE SKIP LOCKED` inside the
/// transaction that also marks the rows, and keeps a row only when every earlier unpublished row
/// of its aggregate is in its own claim (else another relay holds it, or it is dead or waiting
/// for a retry, and publishing would reorder the aggregate). Per-aggregate order follows `seq`,
/// so writers of one aggregate should serialize (as they do when they update the aggregate's row).
///
/// Thread-safety: the `PostgresClient` pool hands each call its own connection.
public final class PostgresOutboxStore: OutboxStore {
    public let client: PostgresClient
    public let table: TableName
    public let databaseName: String
    let clock: any WallClock
    let logger: Logger
    private let runTask: Task<Void, Never>

    /// Connects (failing fast with `unreachable` when the server cannot be reached) and starts
    /// the client's pool; `close()` stops it.
    public static func connect(_ url: PostgresURL, table: String = "outbox", clock: any WallClock = SystemClock(),
                               logger: Logger = Logger(label: "wharf.outbox.postgres")) async throws -> PostgresOutboxStore {
        let name = try TableName(table)
        let url = try url.resolvingPassword()
        var probe = PostgresConnection.Configuration(host: url.host, port: url.port, username: url.user, password: url.password,
                                                     database: url.database, tls: try url.connectionTLS())
        probe.options.connectTimeout = .seconds(5)
        do {
            let c = try await PostgresConnection.connect(configuration: probe, id: 0, logger: logger)
            try await c.close()
        } catch {
            throw OutboxError.unreachable(database: url.description, reason: PostgresErrors.connectMessage(error, sslMode: url.sslMode))
        }
        var config = PostgresClient.Configuration(host: url.host, port: url.port, username: url.user, password: url.password,
                                                  database: url.database, tls: url.clientTLS)
        config.options.connectTimeout = .seconds(5)
        let client = PostgresClient(configuration: config, backgroundLogger: logger)
        return PostgresOutboxStore(client: client, runTask: Task { await client.run() }, table: name,
                                   databaseName: url.description, clock: clock, logger: logger)
    }

    private init(client: PostgresClient, runTask: Task<Void, Never>, table: TableName, databaseName: String,
                 clock: any WallClock, logger: Logger) {
        self.client = client
        self.runTask = runTask
        self.table = table
        self.databaseName = databaseName
        self.clock = clock
        self.logger = logger
    }

    public func close() async throws {
        runTask.cancel()
        await runTask.value
    }

    // MARK: Schema

    /// The migrations, an append-only list: never edit or reorder a step once released.
    static func migrations(_ t: TableName) -> [(name: String, statements: [String])] {
        let q = t.quoted
        return [
            ("outbox[\(t.raw)] 1: create table", ["""
                CREATE TABLE IF NOT EXISTS \(q) (
                  id uuid PRIMARY KEY,
                  aggregatetype varchar(255) NOT NULL,
                  aggregateid varchar(255) NOT NULL,
                  type varchar(255) NOT NULL,
                  payload jsonb)
                """]),
            ("outbox[\(t.raw)] 2: relay columns", ["""
                ALTER TABLE \(q)
                  ADD COLUMN IF NOT EXISTS headers jsonb NOT NULL DEFAULT '{}',
                  ADD COLUMN IF NOT EXISTS created_at timestamptz NOT NULL DEFAULT now(),
                  ADD COLUMN IF NOT EXISTS published_at timestamptz,
                  ADD COLUMN IF NOT EXISTS attempts integer NOT NULL DEFAULT 0,
                  ADD COLUMN IF NOT EXISTS last_error text,
                  ADD COLUMN IF NOT EXISTS next_attempt_at timestamptz NOT NULL DEFAULT '-infinity',
                  ADD COLUMN IF NOT EXISTS dead_at timestamptz,
                  ADD COLUMN IF NOT EXISTS seq bigserial
                """]),
            ("outbox[\(t.raw)] 3: indexes for pending rows", [
                "CREATE INDEX IF NOT EXISTS \"\(t.flat)_pending\" ON \(q) (seq) WHERE published_at IS NULL AND dead_at IS NULL",
                "CREATE INDEX IF NOT EXISTS \"\(t.flat)_aggregate\" ON \(q) (aggregatetype, aggregateid, seq) WHERE published_at IS NULL",
                "CREATE INDEX IF NOT EXISTS \"\(t.flat)_published\" ON \(q) (published_at) WHERE published_at IS NOT NULL",
            ]),
        ]
    }

    public func migrate() async throws {
        let migrations = Self.migrations(table)
        try await transaction { conn in
            try await conn.query("SELECT pg_advisory_xact_lock(7420011)", logger: self.logger)
            try await conn.query("""
                CREATE TABLE IF NOT EXISTS wharf_outbox_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())
                """, logger: self.logger)
            var applied = Set<String>()
            for try await name in try await conn.query("SELECT name FROM wharf_outbox_migrations", logger: self.logger).decode(String.self) {
                applied.insert(name)
            }
            for m in migrations where !applied.contains(m.name) {
                for sql in m.statements { try await conn.query(PostgresQuery(unsafeSQL: sql), logger: self.logger) }
                try await conn.query("INSERT INTO wharf_outbox_migrations (name) VALUES (\(m.name))", logger: self.logger)
            }
        }
    }

    public func checkTable() async throws {
        let exists = try await one("SELECT to_regclass(\(table.quoted)) IS NOT NULL", as: Bool.self)
        if exists != true { throw OutboxError.missingTable(table: table.raw, database: databaseName) }
    }

    // MARK: Enqueue

    /// Inserts the event on `connection`, inside the caller's transaction (for example in
    /// `client.withTransaction { connection in ... }`): the relay sees it only if that commits.
    public func enqueue(_ event: OutboxEvent, on connection: PostgresConnection) async throws {
        try await connection.query("""
            INSERT INTO \(unescaped: table.quoted) (id, aggregatetype, aggregateid, type, payload, headers, created_at)
            VALUES (\(event.id), \(event.aggregateType), \(event.aggregateId), \(event.type), \(event.payload)::jsonb,
                    \(event.headersJSON)::jsonb, to_timestamp(\(Double(clock.nowMillis()) / 1000)))
            """, logger: logger)
    }

    // MARK: Relay

    public func withClaimedBatch(limit: Int, now: Int64,
                                 _ body: @Sendable ([OutboxRow]) async throws -> [Int64: RowOutcome]) async throws -> Int {
        let t = table.quoted
        let nowSeconds = Double(now) / 1000
        return try await transaction { conn in
            var rows: [OutboxRow] = []
            let claimed = try await conn.query("""
                SELECT o.seq, o.id::text, o.aggregatetype, o.aggregateid, o.type, o.payload::text, o.headers::text, o.attempts
                FROM \(unescaped: t) o
                WHERE o.published_at IS NULL AND o.dead_at IS NULL AND o.next_attempt_at <= to_timestamp(\(nowSeconds))
                  AND NOT EXISTS (SELECT 1 FROM \(unescaped: t) p
                    WHERE p.aggregatetype = o.aggregatetype AND p.aggregateid = o.aggregateid
                      AND p.published_at IS NULL AND p.seq < o.seq
                      AND (p.dead_at IS NOT NULL OR p.next_attempt_at > to_timestamp(\(nowSeconds))))
                ORDER BY o.seq LIMIT \(limit)
                FOR UPDATE OF o SKIP LOCKED
                """, logger: self.logger)
            for try await (seq, id, at, ai, type, payload, headers, attempts) in
                claimed.decode((Int64, String, String, String, String, String?, String?, Int).self) {
                rows.append(OutboxRow(seq: seq, id: id, aggregateType: at, aggregateId: ai, type: type,
                                      payload: payload.map { Array($0.utf8) }, headers: headers, attempts: attempts))
            }
            rows = try await self.inOrderPrefix(rows, on: conn)
            guard !rows.isEmpty else { return 0 }
            let outcomes = try await body(rows)
            let markedAt = Double(self.clock.nowMillis()) / 1000
            let published = outcomes.filter { $0.value == .published }.map(\.key)
            if !published.isEmpty {
                try await conn.query("""
                    UPDATE \(unescaped: t) SET published_at = to_timestamp(\(markedAt)) WHERE seq = ANY(\(published))
                    """, logger: self.logger)
            }
            for case let (seq, .failed(error, retryAt, dead)) in outcomes {
                try await conn.query("""
                    UPDATE \(unescaped: t) SET attempts = attempts + 1, last_error = \(error),
                      next_attempt_at = to_timestamp(\(Double(retryAt) / 1000)),
                      dead_at = CASE WHEN \(dead) THEN to_timestamp(\(markedAt)) END
                    WHERE seq = \(seq)
                    """, logger: self.logger)
            }
            return rows.count
        }
    }

    /// Keeps, per aggregate, the claimed rows up to the first earlier unpublished row this claim
    /// does not hold (locked by another relay, dead, waiting, or committed since the claim).
    func inOrderPrefix(_ rows: [OutboxRow], on conn: PostgresConnection) async throws -> [OutboxRow] {
        guard let maxSeq = rows.map(\.seq).max() else { return [] }
        let mine = Set(rows.map(\.seq))
        let aggregates = Array(Set(rows.map(\.aggregate)))
        let unpublished = try await conn.query("""
            SELECT seq, aggregatetype, aggregateid FROM \(unescaped: table.quoted)
            WHERE published_at IS NULL AND seq <= \(maxSeq)
              AND (aggregatetype, aggregateid) IN (SELECT * FROM unnest(\(aggregates.map(\.type))::text[], \(aggregates.map(\.id))::text[]))
            ORDER BY seq
            """, logger: logger)
        var blocked = Set<AggregateKey>()
        var allowed = Set<Int64>()
        for try await (seq, type, id) in unpublished.decode((Int64, String, String).self) {
            let key = AggregateKey(type: type, id: id)
            if blocked.contains(key) { continue }
            if mine.contains(seq) { allowed.insert(seq) } else { blocked.insert(key) }
        }
        return rows.filter { allowed.contains($0.seq) }
    }

    // MARK: Operations

    public func counts(now: Int64) async throws -> OutboxCounts {
        let pending = "published_at IS NULL AND dead_at IS NULL"
        let rows = try await query("""
            SELECT count(*) FILTER (WHERE \(unescaped: pending)),
              (extract(epoch FROM min(created_at) FILTER (WHERE \(unescaped: pending))) * 1000)::bigint,
              count(*) FILTER (WHERE published_at IS NOT NULL),
              count(*) FILTER (WHERE published_at IS NULL AND dead_at IS NOT NULL),
              count(*) FILTER (WHERE \(unescaped: pending) AND attempts > 0)
            FROM \(unescaped: table.quoted)
            """)
        for try await (p, oldest, pub, dead, failures) in rows.decode((Int, Int64?, Int, Int, Int).self) {
            return OutboxCounts(pending: p, oldestPendingAgeMs: oldest.map { max(0, now - $0) } ?? 0, published: pub, dead: dead, failures: failures)
        }
        return OutboxCounts()
    }

    public func deadRows(limit: Int) async throws -> [OutboxDeadRow] {
        let rows = try await query("""
            SELECT id::text, aggregatetype, aggregateid, type, attempts, last_error FROM \(unescaped: table.quoted)
            WHERE published_at IS NULL AND dead_at IS NOT NULL ORDER BY seq LIMIT \(limit)
            """)
        var out: [OutboxDeadRow] = []
        for try await (id, at, ai, type, attempts, error) in rows.decode((String, String, String, String, Int, String?).self) {
            out.append(OutboxDeadRow(id: id, aggregateType: at, aggregateId: ai, type: type, attempts: attempts, lastError: error))
        }
        return out
    }

    public func recentRows(limit: Int) async throws -> [OutboxRowState] {
        try await rowStates(try await query("""
            SELECT \(unescaped: Self.stateColumns) FROM \(unescaped: table.quoted) ORDER BY seq DESC LIMIT \(max(0, limit))
            """))
    }

    public func row(id: String) async throws -> OutboxRowState? {
        try await rowStates(try await query("""
            SELECT \(unescaped: Self.stateColumns) FROM \(unescaped: table.quoted) WHERE id::text = \(id.lowercased()) LIMIT 1
            """)).first
    }

    static let stateColumns = """
        id::text, aggregatetype, aggregateid, type, (extract(epoch FROM created_at) * 1000)::bigint,
        (extract(epoch FROM published_at) * 1000)::bigint, attempts, last_error, dead_at IS NOT NULL
        """

    func rowStates(_ rows: PostgresRowSequence) async throws -> [OutboxRowState] {
        var out: [OutboxRowState] = []
        do {
            for try await (id, at, ai, type, created, published, attempts, error, dead) in
                rows.decode((String, String, String, String, Int64?, Int64?, Int, String?, Bool).self) {
                out.append(OutboxRowState(id: id, aggregateType: at, aggregateId: ai, type: type, createdAtMs: created,
                                          publishedAtMs: published, attempts: attempts, lastError: error, dead: dead))
            }
        } catch { throw map(error) }
        return out
    }

    public func retryDead() async throws -> Int {
        try await one("""
            WITH u AS (UPDATE \(unescaped: table.quoted) SET dead_at = NULL, attempts = 0, next_attempt_at = '-infinity'
                       WHERE published_at IS NULL AND dead_at IS NOT NULL RETURNING 1)
            SELECT count(*) FROM u
            """, as: Int.self) ?? 0
    }

    public func deletePublished(before: Int64) async throws -> Int {
        try await one("""
            WITH d AS (DELETE FROM \(unescaped: table.quoted)
                       WHERE published_at IS NOT NULL AND published_at < to_timestamp(\(Double(before) / 1000)) RETURNING 1)
            SELECT count(*) FROM d
            """, as: Int.self) ?? 0
    }

    // MARK: Helpers

    func query(_ q: PostgresQuery) async throws -> PostgresRowSequence {
        do { return try await client.query(q, logger: logger) } catch { throw map(error) }
    }

    func one<T: PostgresDecodable & Sendable>(_ q: PostgresQuery, as: T.Type) async throws -> T? {
        do {
            for try await v in try await client.query(q, logger: logger).decode(T.self) { return v }
            return nil
        } catch { throw map(error) }
    }

    func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> sending T) async throws -> T {
        do { return try await client.withTransaction(logger: logger, body) } catch { throw map(error) }
    }

    /// Server and connection errors become `OutboxError`s; other errors (thrown by a relay's
    /// body, such as a simulated crash) pass through unchanged.
    func map(_ error: any Error) -> any Error {
        let inner = PostgresErrors.unwrap(error)
        guard inner is PSQLError else { return inner }
        if PostgresErrors.sqlState(inner) == "42P01" { return OutboxError.missingTable(table: table.raw, database: databaseName) }
        if PostgresErrors.isConnectionFailure(inner) {
            return OutboxError.unreachable(database: databaseName, reason: PostgresErrors.message(inner))
        }
        return OutboxError.database(PostgresErrors.message(inner))
    }
}
