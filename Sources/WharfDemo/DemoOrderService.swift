import Foundation
import GRDB
import Logging
import Synchronization
import WharfCore
import WharfEngine
import WharfOutbox
import WharfSources
import WharfStorage

/// The demo's order service: a SQLite database (`order-service.db` in the demo's data
/// directory) with an `orders` table, where every order is written together with its outbox
/// row in ONE transaction, and an `OutboxRelay` publishing them to `outbox.event.order`.
///
/// So the Outbox view has something to show, the relay is not perfect:
/// - every minute the broker is slow for 20 s (each append waits `slowAppendMs`) and the relay
///   claims small batches, so the backlog climbs, then drains when the slow phase ends;
/// - every ~40 s an order's event is rejected by a (simulated) downstream validator until it
///   has failed `maxAttempts` times and is dead; once an operator retries the dead rows, it is
///   accepted (the "bug" was fixed meanwhile), so retry-dead has something to do.
///
/// Load is modest on purpose: ~8 orders a second, one small write transaction each, and a relay
/// polling once a second (the backlog between polls is what the view shows moving).
public struct DemoOrderService: Sendable {
    public static let name = "order-service"
    public static let topic = "outbox.event.order"
    public static let maxAttempts = 3
    /// Marks a row the simulated validator rejects.
    public static let faultHeader = "x-demo-fault"

    public let pool: DatabasePool
    public let store: SQLiteOutboxStore
    public let relay: OutboxRelay
    public let clock: any WallClock
    public let path: String
    /// The engine's audit log: the dashboard's pause, resume and retry-dead of this outbox go there.
    public let audit: AuditLog

    /// Creates the database, the `orders` and outbox tables, and the relay (not yet running).
    public static func open(engine: Engine, directory: String) async throws -> DemoOrderService {
        let path = directory + "/order-service.db"
        var config = Configuration()
        config.busyMode = .timeout(10)
        // Simulated orders: no need to fsync the WAL on every one of ~9 commits a second.
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        OwnerOnly.createFileIfMissing(path)
        let pool = try DatabasePool(path: path, configuration: config)
        var migrator = DatabaseMigrator()
        migrator.registerMigration("orders 1: create table") { db in
            try db.execute(sql: """
                CREATE TABLE orders (
                  id TEXT PRIMARY KEY NOT NULL, customer TEXT NOT NULL, total REAL NOT NULL,
                  items INTEGER NOT NULL, status TEXT NOT NULL, created_at INTEGER NOT NULL)
                """)
        }
        try migrator.migrate(pool)
        let store = try SQLiteOutboxStore(writer: pool, clock: engine.clock, databaseName: "sqlite:\(path)")
        try await store.migrate()
        if !engine.listTopics().contains(topic) { try engine.createTopic(topic, .init(partitions: 3)) }

        var relayConfig = OutboxRelayConfig()
        relayConfig.batchSize = 5
        relayConfig.pollIntervalMs = 1_000
        relayConfig.maxAttempts = maxAttempts
        relayConfig.backoffBaseMs = 500
        relayConfig.backoffMaxMs = 5_000
        relayConfig.retentionMs = 10 * 60_000
        let started = engine.clock.nowMillis()
        let publisher = LaggingPublisher(inner: EngineOutboxPublisher(engine: engine), clock: engine.clock, startedAtMs: started)
        let relay = OutboxRelay(store: store, publisher: publisher, config: relayConfig, clock: engine.clock,
                                logger: Logger(label: "wharf.demo.outbox"), hooks: OutboxRelayHooks(beforePublish: Validator().check))
        return DemoOrderService(pool: pool, store: store, relay: relay, clock: engine.clock, path: path, audit: engine.audit)
    }

    public var dashboardOutbox: DashboardOutbox {
        DashboardOutbox(name: Self.name, location: "sqlite:\(path) · table outbox → \(Self.topic)", store: store, relay: relay, clock: clock,
                        audit: audit)
    }

    /// Writes orders until cancelled: two per 250 ms tick, a payment for an earlier order every
    /// third tick (same aggregate, so its events stay in order), a rejected one every 160 ticks.
    public func run() async {
        var tick = 0
        var number = 0
        while !Task.isCancelled {
            tick += 1
            for _ in 0..<2 {
                number += 1
                try? await placeOrder(number, poison: number % 320 == 25)
            }
            if tick % 3 == 0, number > 10 { try? await payOrder(number - 7) }
            try? await Task.sleep(for: .milliseconds(250))
        }
    }

    public static func orderId(_ n: Int) -> String { "o-" + String(repeating: "0", count: max(0, 6 - String(n).count)) + String(n) }

    /// The order row and its `OrderPlaced` event in one transaction: both or neither.
    public func placeOrder(_ n: Int, poison: Bool) async throws {
        let id = Self.orderId(n)
        let customer = "customer-\(n &* 7919 % 97)"
        let total = Double(n &* 31 % 9000) / 100
        let items = 1 + n % 5
        let now = clock.nowMillis()
        let payload = #"{"order":"\#(id)","customer":"\#(customer)","total":\#(total),"items":\#(items)}"#
        let event = OutboxEvent(aggregateType: "order", aggregateId: id, type: "OrderPlaced", payload: payload,
                                headers: poison ? [Self.faultHeader: "validator rejects it until retried"] : [:])
        let store = self.store
        try await pool.write { db in
            try db.execute(sql: "INSERT INTO orders (id, customer, total, items, status, created_at) VALUES (?, ?, ?, ?, 'placed', ?)",
                           arguments: [id, customer, total, items, now])
            try store.enqueue(event, in: db)
        }
    }

    /// Marks an order paid and enqueues `OrderPaid`, in one transaction.
    public func payOrder(_ n: Int) async throws {
        let id = Self.orderId(n)
        let store = self.store
        try await pool.write { db in
            try db.execute(sql: "UPDATE orders SET status = 'paid' WHERE id = ?", arguments: [id])
            guard db.changesCount == 1 else { return }
            try store.enqueue(OutboxEvent(aggregateType: "order", aggregateId: id, type: "OrderPaid",
                                          payload: #"{"order":"\#(id)","status":"paid"}"#), in: db)
        }
    }

    public func close() async { try? await store.close() }
}

extension DemoOrderService {
    /// The simulated downstream validator: rejects a row carrying `faultHeader` on each of its
    /// `maxAttempts` attempts (so it becomes dead), and accepts it once revived by retry-dead.
    /// A revived row is recognised by being condemned before and having no attempts again.
    ///
    /// Called by the relay before each append (a batch, then one row at a time after a failed
    /// batch: both see the same `attempts`, so one poll counts once).
    public final class Validator: Sendable {
        private let condemned = Mutex<Set<String>>([])

        @Sendable func check(topic: String, rows: [OutboxRow]) throws {
            for row in rows where row.headers?.contains(DemoOrderService.faultHeader) == true {
                let accept = condemned.withLock { set in
                    if set.contains(row.id) && row.attempts == 0 { return true }
                    if row.attempts >= DemoOrderService.maxAttempts - 1 { set.insert(row.id) }
                    return false
                }
                if !accept { throw DemoFault.rejected(aggregate: row.aggregateId) }
            }
        }
    }

    enum DemoFault: Error, CustomStringConvertible {
        case rejected(aggregate: String)
        var description: String {
            switch self {
            case .rejected(let id): "validator rejected \(id) (demo fault: retry the dead rows to publish it)"
            }
        }
    }

    /// Publishes into the engine, slowly for 20 s of every minute (the first slow phase starts
    /// 40 s after the demo starts).
    struct LaggingPublisher: OutboxPublisher {
        static let slowAppendMs = 1_500
        let inner: EngineOutboxPublisher
        let clock: any WallClock
        let startedAtMs: Int64

        func publish(topic: String, records: [WharfCore.Record]) async throws {
            let second = (clock.nowMillis() - startedAtMs) / 1000 % 60
            if second >= 40 { try await Task.sleep(for: .milliseconds(Self.slowAppendMs)) }
            try await inner.publish(topic: topic, records: records)
        }
    }
}
