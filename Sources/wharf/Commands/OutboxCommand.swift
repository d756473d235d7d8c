import ArgumentParser
import Foundation
import WharfCore
import WharfOutbox

/// `wharf outbox ...`: the transactional outbox of an application database.
struct OutboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outbox",
        abstract: "Create, watch and relay a transactional outbox table into topics.",
        discussion: """
            An application writes its state change and an outbox row in one database transaction; \
            the relay publishes each committed row to topic outbox.event.<aggregatetype> (key = \
            aggregateid, headers id and type), at least once, and marks it published after the \
            broker acknowledged it. The table has Debezium's outbox columns (id, aggregatetype, \
            aggregateid, type, payload) plus headers, created_at, published_at, attempts, \
            last_error, next_attempt_at and dead_at.
              wharf outbox init --db sqlite:app.db
              wharf outbox relay --db sqlite:app.db --data ./wharf-data
            """,
        subcommands: [OutboxInitCommand.self, OutboxStatusCommand.self, OutboxRelayCommand.self, OutboxRetryDeadCommand.self])
}

/// `--db URL [--table T]`: which outbox.
struct OutboxDatabaseOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The application database: sqlite:PATH or postgres://USER[:PASSWORD]@HOST[:PORT]/DB.",
                                            valueName: "url"))
    var db: String
    @Option(name: .long, help: ArgumentHelp("The outbox table (schema.table allowed on PostgreSQL).", valueName: "name"))
    var table: String = "outbox"

    /// A bad URL is a plain one-line error (not a usage message).
    func url() throws -> OutboxDatabaseURL { try OutboxDatabaseURL(parsing: db) }

    /// Opens the store; unless `create`, checks that the table exists (a clear error otherwise).
    func open(create: Bool = false) async throws -> any OutboxStore {
        try await OutboxStores.openChecked(try url(), table: table, create: create)
    }

    /// Runs `body` with an open store and always closes it.
    func with<T>(create: Bool = false, _ body: (any OutboxStore) async throws -> T) async throws -> T {
        try await OutboxStores.with(try url(), table: table, create: create, body)
    }
}

struct OutboxInitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create the outbox table (or add the relay's columns to an existing Debezium-shaped one).",
        discussion: "Idempotent: migrations already applied are skipped. A SQLite file is created if missing.")

    @OptionGroup var database: OutboxDatabaseOptions

    func run() async throws {
        try await database.with(create: true) { store in
            try await store.migrate()
            print("outbox table '\(store.table)' ready in \(store.databaseName)")
        }
    }
}

struct OutboxStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the outbox backlog: pending rows, oldest pending age, published, dead, failures.",
        discussion: """
            pending: neither published nor dead; published: published rows not yet removed by \
            retention; dead: rows that reached the attempt limit; failures: pending rows that have \
            failed at least once. --json prints {"pending", "oldestPendingAgeMs", "published", "dead", "failures"}.
            """)

    @OptionGroup var database: OutboxDatabaseOptions
    @OptionGroup var output: JSONOption

    func run() async throws {
        let (counts, dead, name) = try await database.with { store in
            (try await store.counts(now: SystemClock().nowMillis()), try await store.deadRows(limit: 20), store.databaseName)
        }
        if output.json { return try Output.json(counts) }
        Output.table(["OUTBOX", "PENDING", "OLDEST", "PUBLISHED", "DEAD", "FAILURES"], [[
            "\(name)/\(database.table)", "\(counts.pending)", counts.pending == 0 ? "-" : Output.duration(ms: counts.oldestPendingAgeMs),
            "\(counts.published)", "\(counts.dead)", "\(counts.failures)",
        ]], rightAligned: [1, 2, 3, 4, 5])
        if !dead.isEmpty {
            print("")
            Output.table(["DEAD ID", "AGGREGATE", "TYPE", "ATTEMPTS", "LAST ERROR"],
                         dead.map { [$0.id, "\($0.aggregateType)/\($0.aggregateId)", $0.type, "\($0.attempts)", $0.lastError ?? ""] },
                         rightAligned: [3])
            if counts.dead > dead.count { print("... and \(counts.dead - dead.count) more") }
        }
    }
}

struct OutboxRetryDeadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry-dead",
        abstract: "Make dead rows pending again (attempts reset); a running relay publishes them.")

    @OptionGroup var database: OutboxDatabaseOptions

    func run() async throws {
        let n = try await database.with { store in try await store.retryDead() }
        print("\(Output.count(n, "dead row")) made pending again")
    }
}
