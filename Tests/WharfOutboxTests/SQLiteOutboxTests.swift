import Foundation
import GRDB
import Testing
import WharfCore
import WharfEngine
@testable import WharfOutbox

/// The relay scenarios on a real SQLite file, plus SQLite-specific schema and inbox checks.
@Suite struct SQLiteOutboxTests {
    static func harness(_ f: OutboxFixture) -> OutboxHarness {
        let store = f.store
        let t = store.table.quoted
        return OutboxHarness(
            store: store, engine: f.engine, clock: f.clock,
            enqueue: { events in try await store.writer.write { db in for e in events { try store.enqueue(e, in: db) } } },
            enqueueRolledBack: { events in
                try await store.writer.write { db in
                    try db.inSavepoint {
                        for e in events { try store.enqueue(e, in: db) }
                        return .rollback
                    }
                }
            },
            insertDebeziumRow: { id, at, ai, type, payload in
                try await store.writer.write { db in
                    try db.execute(sql: "INSERT INTO \(t) (id, aggregatetype, aggregateid, type, payload) VALUES (?, ?, ?, ?, ?)",
                                   arguments: [id.uuidString.lowercased(), at, ai, type, payload])
                }
            },
            rawCounts: {
                try await store.writer.read { db in
                    (pending: try Int.fetchOne(db, sql: "SELECT count(*) FROM \(t) WHERE published_at IS NULL AND dead_at IS NULL")!,
                     published: try Int.fetchOne(db, sql: "SELECT count(*) FROM \(t) WHERE published_at IS NOT NULL")!,
                     dead: try Int.fetchOne(db, sql: "SELECT count(*) FROM \(t) WHERE dead_at IS NOT NULL AND published_at IS NULL")!,
                     retrying: try Int.fetchOne(db, sql: "SELECT count(*) FROM \(t) WHERE attempts > 0 AND dead_at IS NULL AND published_at IS NULL")!)
                }
            })
    }

    @Test func rollbackPublishesNothingCommitPublishesOnce() async throws {
        let f = try await OutboxFixture()
        try await OutboxScenarios.rollbackPublishesNothingCommitPublishesOnce(Self.harness(f))
    }

    @Test func crashBetweenAckAndMarkRepublishesAndInboxDropsTheDuplicate() async throws {
        let f = try await OutboxFixture()
        let records = try await OutboxScenarios.crashAfterAckRepublishes(Self.harness(f))
        // The consumer: its own database, an inbox, and a state change per event.
        let consumerDB = try DatabaseQueue(path: f.path + "/consumer.sqlite")
        let inbox = try SQLiteInbox(clock: f.clock)
        try inbox.migrate(consumerDB)
        try await consumerDB.write { db in try db.execute(sql: "CREATE TABLE payments (event_id TEXT)") }
        var processed = 0
        for r in records {
            let id = try #require(OutboxRecordMapping.eventId(of: r))
            let fresh = try await consumerDB.write { db in
                guard try inbox.receive(eventId: id, consumer: "billing", in: db) else { return false }
                try db.execute(sql: "INSERT INTO payments VALUES (?)", arguments: [id])
                return true
            }
            if fresh { processed += 1 }
        }
        #expect(processed == 1)
        #expect(try await consumerDB.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM payments") } == 1)
        // Another consumer keeps its own record of the same id.
        #expect(try await consumerDB.write { db in try inbox.receive(eventId: OutboxRecordMapping.eventId(of: records[0])!, consumer: "audit", in: db) })
    }

    @Test func inboxReceiveRolledBackWithTheHandlerIsProcessedOnRedelivery() async throws {
        let f = try await OutboxFixture()
        let db = try DatabaseQueue(path: f.path + "/consumer.sqlite")
        let inbox = try SQLiteInbox(table: "received", clock: f.clock)
        try inbox.migrate(db)
        struct HandlerFailed: Error {}
        await #expect(throws: HandlerFailed.self) {
            try await db.write { db in
                _ = try inbox.receive(eventId: "e1", consumer: "c", in: db)
                throw HandlerFailed()
            }
        }
        #expect(try await db.write { db in try inbox.receive(eventId: "e1", consumer: "c", in: db) })
        #expect(try await db.write { db in try inbox.receive(eventId: "e1", consumer: "c", in: db) } == false)
        f.clock.advance(byMillis: 10)
        #expect(try await db.write { db in try inbox.deleteReceived(before: f.clock.nowMillis(), in: db) } == 1)
    }

    @Test func lateCommittingLowerIdIsPublished() async throws {
        let f = try await OutboxFixture()
        try await OutboxScenarios.lateCommitWithLowerIdIsPublished(Self.harness(f))
    }

    /// A writer's transaction open across a poll: the poll sees nothing of it; after it commits,
    /// the next poll publishes it (nothing remembers a "last seen" position).
    @Test func transactionOpenDuringAPollIsPublishedAfterItCommits() async throws {
        let f = try await OutboxFixture()
        let relay = f.relay()
        var config = Configuration()
        config.allowsUnsafeTransactions = true  // this test holds a transaction open across calls on purpose
        config.busyMode = .timeout(10)
        let slow = try DatabaseQueue(path: f.path + "/app.sqlite", configuration: config)
        let late = event("late", "l-1", 1, id: UUID(uuidString: "00000000-0000-4000-8000-000000000001")!)
        let store = f.store
        try await slow.writeWithoutTransaction { db in
            try db.execute(sql: "BEGIN IMMEDIATE")
            try store.enqueue(late, in: db)
        }
        #expect(try await relay.pollOnce().claimed == 0)
        try await slow.writeWithoutTransaction { db in try db.execute(sql: "COMMIT") }
        #expect(try await relay.pollOnce().published == 1)
        #expect(f.records("outbox.event.late").map { header($0, "id") } == [late.idText])
    }

    @Test func rowsAreListedNewestFirstAndFoundById() async throws {
        let f = try await OutboxFixture()
        try await OutboxScenarios.rowsAreListedNewestFirstAndFoundById(Self.harness(f))
    }

    @Test func poisonRowBecomesDeadAndRetryDeadRepublishes() async throws {
        let f = try await OutboxFixture()
        try await OutboxScenarios.poisonRowBecomesDeadAndRetryDeadRepublishes(Self.harness(f))
    }

    @Test func malformedHeadersMakeARowFailNotTheBatch() async throws {
        let f = try await OutboxFixture()
        let t = f.store.table.quoted
        try await f.store.writer.write { db in
            try db.execute(sql: "INSERT INTO \(t) (id, aggregatetype, aggregateid, type, payload, headers) VALUES ('bad', 'h', 'k1', 't', '{}', 'not json')")
        }
        try await f.enqueue([OutboxEvent(aggregateType: "h", aggregateId: "k2", type: "t", payload: "{}", headers: ["trace": "abc"])])
        let r = try await f.relay().pollOnce()
        #expect(r.published == 1 && r.failed == 1)
        let rec = try #require(f.records("outbox.event.h").first)
        #expect(rec.headers.map(\.key) == ["id", "type", "trace"] && header(rec, "trace") == "abc")
    }

    @Test func metricsMatchTheTable() async throws {
        let f = try await OutboxFixture()
        try await OutboxScenarios.metricsMatchTable(Self.harness(f))
    }

    @Test func customTableNameAndDebeziumTableUpgrade() async throws {
        let f = try await OutboxFixture()
        // A table created by someone else in Debezium's five-column shape.
        try await f.store.writer.write { db in
            try db.execute(sql: "CREATE TABLE events_out (id TEXT PRIMARY KEY, aggregatetype TEXT, aggregateid TEXT, type TEXT, payload TEXT)")
            try db.execute(sql: "INSERT INTO events_out VALUES ('e-1', 'legacy', 'k', 'created', '{\"a\":1}')")
        }
        let store = try SQLiteOutboxStore(writer: f.store.writer, table: "events_out", clock: f.clock)
        try await store.migrate()
        try await store.migrate()  // idempotent
        let relay = OutboxFixture.relay(store: store, engine: f.engine, clock: f.clock)
        #expect(try await relay.pollOnce().published == 1)
        #expect(f.records("outbox.event.legacy").map { header($0, "id") } == ["e-1"])
        #expect(throws: OutboxError.invalidTableName("x; drop")) { try SQLiteOutboxStore(writer: f.store.writer, table: "x; drop") }
        let missing = try SQLiteOutboxStore(writer: f.store.writer, table: "nope", clock: f.clock)
        await #expect(throws: OutboxError.missingTable(table: "nope", database: missing.databaseName)) { try await missing.checkTable() }
        await #expect(throws: OutboxError.missingTable(table: "nope", database: missing.databaseName)) { try await missing.counts(now: 0) }
    }

    @Test func runLoopPublishesPausesAndStopsOnCancel() async throws {
        let f = try await OutboxFixture()
        let relay = f.relay { $0.pollIntervalMs = 5 }
        let task = Task { await relay.run() }
        try await f.enqueue([event("loop", "k", 1)])
        try await waitUntil { f.records("outbox.event.loop").count == 1 }
        relay.pause()
        try await waitUntil { try await relay.metrics().state == .paused }
        try await f.enqueue([event("loop", "k", 2)])
        try await Task.sleep(for: .milliseconds(30))
        #expect(f.records("outbox.event.loop").count == 1)
        relay.resume()
        try await waitUntil { f.records("outbox.event.loop").count == 2 }
        task.cancel()
        await task.value
        #expect(try await relay.metrics().state == .stopped)
        #expect(try await relay.metrics().publishedTotal == 2)
    }

    @Test func backoffDoublesUpToTheMaximum() {
        var c = OutboxRelayConfig()
        c.backoffBaseMs = 100
        c.backoffMaxMs = 1_000
        #expect((1...6).map { c.backoffMs(afterAttempts: $0) } == [100, 200, 400, 800, 1_000, 1_000])
        #expect(c.backoffMs(afterAttempts: 200) == 1_000)
    }
}

/// Polls a condition every few ms, failing after 60 s of real time (generous: the relay runs on
/// the cooperative pool, which the parallel suite keeps busy; a passing test returns at once).
func waitUntil(_ condition: () async throws -> Bool) async throws {
    let deadline = monotonicNanos() + 60_000_000_000
    while try await !condition() {
        guard monotonicNanos() < deadline else { Issue.record("condition not met within 60 s"); return }
        try await Task.sleep(for: .milliseconds(5))
    }
}
