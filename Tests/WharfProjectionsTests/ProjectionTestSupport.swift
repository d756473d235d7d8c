import Foundation
import GRDB
import Logging
import WharfCore
import WharfEvents
import WharfProjections

/// A data directory with an event store (manual clock) and a registry, removed afterwards.
final class ProjectionFixture {
    let path = NSTemporaryDirectory() + "wharf-proj-\(UUID().uuidString)"
    let clock = ManualClock(1_800_000_000_000)
    let store: EventStore
    let registry: ProjectionRegistry

    init() throws {
        store = try EventStore.open(dataDirectory: path, clock: clock, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() },
                                    fsync: .never)
        registry = ProjectionRegistry(dataDirectory: path)
    }

    var databasePath: String { path + "/balances.sqlite" }

    func open(_ definition: ProjectionDefinition = Balances.definition(), options: ProjectionOptions = ProjectionOptions(batchSize: 50))
        throws -> Projection {
        try Projection.open(definition, databasePath: databasePath, store: store, registry: registry, options: options)
    }

    deinit {
        try? store.close()
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// The fold under test: account balances from `Deposited`/`Withdrawn` events whose data is the
/// amount, with a per-account count of applied events (a double apply shows up there).
enum Balances {
    static func definition(name: String = "balances", source: ProjectionSource = .category("account")) -> ProjectionDefinition {
        ProjectionDefinition(
            name: name, source: source,
            setUp: { db in
                try db.execute(sql: "CREATE TABLE IF NOT EXISTS balances (account TEXT PRIMARY KEY, balance INTEGER NOT NULL, events INTEGER NOT NULL)")
            },
            reset: { db in try db.execute(sql: "DELETE FROM balances") },
            apply: { db, e in
                let amount = Int64(e.dataString) ?? 0
                let delta = e.type == "Withdrawn" ? -amount : amount
                try db.execute(sql: """
                    INSERT INTO balances (account, balance, events) VALUES (?, ?, 1)
                    ON CONFLICT(account) DO UPDATE SET balance = balance + excluded.balance, events = events + 1
                    """, arguments: [e.stream, delta])
            })
    }

    struct Row: Equatable, Hashable { var account: String; var balance: Int64; var events: Int64 }

    static func rows(_ p: Projection) throws -> [Row] {
        try p.read { db in
            try GRDB.Row.fetchAll(db, sql: "SELECT account, balance, events FROM balances ORDER BY account").map {
                Row(account: $0["account"], balance: $0["balance"], events: $0["events"])
            }
        }
    }

    /// The expected fold of `events` (in order), computed without SQLite.
    static func expected(_ events: [(stream: String, type: String, amount: Int64)]) -> [Row] {
        var by: [String: Row] = [:]
        for e in events {
            var r = by[e.stream] ?? Row(account: e.stream, balance: 0, events: 0)
            r.balance += e.type == "Withdrawn" ? -e.amount : e.amount
            r.events += 1
            by[e.stream] = r
        }
        return by.values.sorted { $0.account < $1.account }
    }
}

/// Appends `count` deterministic account events over `accounts` accounts (one event per append)
/// and returns what was appended.
@discardableResult
func appendAccountEvents(_ store: EventStore, count: Int, accounts: Int = 7, seed: Int = 0) throws -> [(stream: String, type: String, amount: Int64)] {
    var out: [(String, String, Int64)] = []
    for i in 0..<count {
        let n = i &+ seed
        let stream = "account-\(n % accounts)"
        let type = n % 3 == 2 ? "Withdrawn" : "Deposited"
        let amount = Int64(1 + (n * 37) % 500)
        try store.append(stream: stream, events: [EventData(type: type, data: String(amount))])
        out.append((stream, type, amount))
    }
    return out
}

struct InjectedCrash: Error, CustomStringConvertible {
    var description: String { "injected crash" }
}
