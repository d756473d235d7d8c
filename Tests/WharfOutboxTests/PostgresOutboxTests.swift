import Synchronization
import Foundation
import Logging
import PostgresNIO
import Testing
import WharfCore
import WharfEngine
@testable import WharfOutbox

/// The relay scenarios against a real PostgreSQL server, plus what only PostgreSQL has: truly
/// concurrent transactions, several relays, and `FOR UPDATE SKIP LOCKED`. Each test uses its own
/// table, so tests run in parallel on one database.
@Suite struct PostgresOutboxTests {
    static let logger = Logger(label: "test")

    static func store(_ clock: ManualClock, table: String = "outbox_\(UUID().uuidString.prefix(8).lowercased())") async throws -> PostgresOutboxStore {
        let store = try await PostgresOutboxStore.connect(try PostgresTestServer.url(), table: table, clock: clock, logger: logger)
        try await store.migrate()
        return store
    }

    static func harness(_ f: OutboxFixture, _ store: PostgresOutboxStore) -> OutboxHarness {
        let t = store.table.quoted
        let client = store.client
        struct RollBack: Error {}
        @Sendable func count(_ condition: String) async throws -> Int {
            for try await n in try await client.query(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(t) WHERE \(condition)")).decode(Int.self) {
                return n
            }
            return -1
        }
        return OutboxHarness(
            store: store, engine: f.engine, clock: f.clock,
            enqueue: { events in
                try await client.withTransaction(logger: logger) { conn in for e in events { try await store.enqueue(e, on: conn) } }
            },
            enqueueRolledBack: { events in
                do {
                    try await client.withTransaction(logger: logger) { conn in
                        for e in events { try await store.enqueue(e, on: conn) }
                        throw RollBack()
                    }
                } catch let e as PostgresTransactionError where e.closureError is RollBack {}
            },
            insertDebeziumRow: { id, at, ai, type, payload in
                try await client.query("""
                    INSERT INTO \(unescaped: t) (id, aggregatetype, aggregateid, type, payload) VALUES (\(id), \(at), \(ai), \(type), \(payload)::jsonb)
                    """, logger: logger)
            },
            rawCounts: {
                (pending: try await count("published_at IS NULL AND dead_at IS NULL"),
                 published: try await count("published_at IS NOT NULL"),
                 dead: try await count("dead_at IS NOT NULL AND published_at IS NULL"),
                 retrying: try await count("attempts > 0 AND dead_at IS NULL AND published_at IS NULL"))
            })
    }

    /// Runs a scenario with a fresh table and closes the store after.
    static func scenario(_ body: (OutboxHarness) async throws -> Void) async throws {
        let f = try await OutboxFixture()
        let store = try await store(f.clock)
        do { try await body(harness(f, store)) } catch {
            try? await store.close()
            throw error
        }
        try await store.close()
    }

    @Test func rollbackPublishesNothingCommitPublishesOnce() async throws {
        try await Self.scenario(OutboxScenarios.rollbackPublishesNothingCommitPublishesOnce)
    }

    @Test func crashBetweenAckAndMarkRepublishesAndInboxDropsTheDuplicate() async throws {
        try await Self.scenario { h in
            let records = try await OutboxScenarios.crashAfterAckRepublishes(h)
            let client = (h.store as! PostgresOutboxStore).client
            let inbox = try PostgresInbox(table: "inbox_\(UUID().uuidString.prefix(8).lowercased())", clock: h.clock)
            try await client.withConnection { conn in try await inbox.migrate(on: conn, logger: Self.logger) }
            var processed = 0
            for r in records {
                let id = try #require(OutboxRecordMapping.eventId(of: r))
                let fresh = try await client.withTransaction(logger: Self.logger) { conn in
                    try await inbox.receive(eventId: id, consumer: "billing", on: conn, logger: Self.logger)
                }
                if fresh { processed += 1 }
            }
            #expect(processed == 1)
        }
    }

    @Test func lateCommittingLowerIdIsPublished() async throws {
        try await Self.scenario(OutboxScenarios.lateCommitWithLowerIdIsPublished)
    }

    /// Truly concurrent: a transaction inserts a row (lower seq, lower id) and stays open while
    /// another commits a higher one, which the relay publishes; when the first commits, the
    /// next poll still publishes it.
    @Test func lateCommittingTransactionIsPublishedAfterAHigherRowWas() async throws {
        try await Self.scenario { h in
            let store = h.store as! PostgresOutboxStore
            let relay = h.relay()
            let early = event("late", "a", 1, id: UUID(uuidString: "00000000-0000-4000-8000-000000000001")!)
            let later = event("late", "b", 2, id: UUID(uuidString: "ffffffff-0000-4000-8000-000000000002")!)
            try await store.client.withConnection { slow in
                try await slow.query("BEGIN", logger: Self.logger)
                try await store.enqueue(early, on: slow)
                try await h.enqueue([later])
                #expect(try await relay.pollOnce().published == 1)
                #expect(h.records("outbox.event.late").map { header($0, "id") } == [later.idText])
                try await slow.query("COMMIT", logger: Self.logger)
            }
            #expect(try await relay.pollOnce().published == 1)
            #expect(Set(h.records("outbox.event.late").map { header($0, "id") }) == [early.idText, later.idText])
        }
    }

    @Test func poisonRowBecomesDeadAndRetryDeadRepublishes() async throws {
        try await Self.scenario(OutboxScenarios.poisonRowBecomesDeadAndRetryDeadRepublishes)
    }

    @Test func metricsMatchTheTable() async throws {
        try await Self.scenario(OutboxScenarios.metricsMatchTable)
    }

    @Test func rowsAreListedNewestFirstAndFoundById() async throws {
        try await Self.scenario(OutboxScenarios.rowsAreListedNewestFirstAndFoundById)
    }

    /// Two relays, each with its own connection pool, and four concurrent writers: every event
    /// is published exactly once (nothing crashes here) and each aggregate's events are in order.
    @Test func twoRelaysWithConcurrentWritersPublishEverythingInOrder() async throws {
        let f = try await OutboxFixture()
        let table = "outbox_\(UUID().uuidString.prefix(8).lowercased())"
        let a = try await Self.store(f.clock, table: table)
        let b = try await Self.store(f.clock, table: table)
        let relays = [a, b].map { OutboxFixture.relay(store: $0, engine: f.engine, clock: f.clock, { $0.batchSize = 16 }) }
        let writers = 4, aggregatesPerWriter = 5, eventsPerAggregate = 20
        let total = writers * aggregatesPerWriter * eventsPerAggregate
        let writersDone = WritersDone()
        let writing = Task {
            defer { writersDone.flag.store(true, ordering: .releasing) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for w in 0..<writers {
                    group.addTask {
                        for n in 1...eventsPerAggregate {
                            for g in 0..<aggregatesPerWriter {
                                try await a.client.withTransaction(logger: Self.logger) { conn in
                                    try await a.enqueue(event("conc", "w\(w)-g\(g)", n), on: conn)
                                }
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        let published = try await withThrowingTaskGroup(of: Int.self) { group in
            for relay in relays {
                group.addTask {
                    var mine = 0
                    let deadline = monotonicNanos() + 60_000_000_000
                    while monotonicNanos() < deadline {
                        let r = try await relay.pollOnce()
                        mine += r.published
                        if r.claimed == 0 {
                            // Stop only once every writer has finished and nothing is pending;
                            // until then keep relaying while they write.
                            if writersDone.flag.load(ordering: .acquiring), try await a.counts(now: 0).pending == 0 { break }
                            try await Task.sleep(for: .milliseconds(2))
                        }
                    }
                    return mine
                }
            }
            return try await group.reduce(0, +)
        }
        try await writing.value
        let records = f.records("outbox.event.conc")
        #expect(published == total && records.count == total)
        #expect(Set(records.compactMap { header($0, "id") }).count == total)
        let expected = Array(1...eventsPerAggregate)
        let byKey = sequencesByKey(records)
        #expect(byKey.count == writers * aggregatesPerWriter)
        for (key, seq) in byKey { #expect(seq == expected, "\(key)") }
        #expect(try await a.counts(now: f.clock.nowMillis()) == OutboxCounts(published: total))
        try await a.close()
        try await b.close()
    }

    @Test func debeziumTableUpgradeMissingTableAndUnreachableServer() async throws {
        let f = try await OutboxFixture()
        let table = "legacy_\(UUID().uuidString.prefix(8).lowercased())"
        let url = try PostgresTestServer.url()
        let store = try await PostgresOutboxStore.connect(url, table: table, clock: f.clock, logger: Self.logger)
        await #expect(throws: OutboxError.missingTable(table: table, database: url.description)) { try await store.checkTable() }
        await #expect(throws: OutboxError.missingTable(table: table, database: url.description)) { try await store.counts(now: 0) }
        try await store.client.query(PostgresQuery(unsafeSQL: """
            CREATE TABLE \(table) (id uuid PRIMARY KEY, aggregatetype varchar(255), aggregateid varchar(255), type varchar(255), payload jsonb);
            """), logger: Self.logger)
        try await store.client.query("""
            INSERT INTO \(unescaped: table) VALUES ('6f1c0c64-2b7a-4b43-9d0a-5c1d3e1f0a01', 'legacy', 'k', 'created', '{"a": 1}')
            """, logger: Self.logger)
        try await store.migrate()
        try await store.migrate()  // idempotent
        try await store.checkTable()
        let relay = OutboxFixture.relay(store: store, engine: f.engine, clock: f.clock)
        #expect(try await relay.pollOnce().published == 1)
        let rec = try #require(f.records("outbox.event.legacy").first)
        #expect(header(rec, "id") == "6f1c0c64-2b7a-4b43-9d0a-5c1d3e1f0a01" && text(rec.value) == #"{"a": 1}"#)
        try await store.close()

        var closed = url
        closed.port = 1
        await #expect(throws: OutboxError.self) { _ = try await PostgresOutboxStore.connect(closed, logger: Self.logger) }
        do { _ = try await PostgresOutboxStore.connect(closed, logger: Self.logger) } catch let e as OutboxError {
            #expect(e.description.hasPrefix("cannot reach database postgres://"), "\(e)")
            #expect(!e.description.contains("\n"))
        }
    }
}

extension Result {
    var isSuccess: Bool { if case .success = self { true } else { false } }
}

/// Set when the writers of a concurrency test have all finished.
final class WritersDone: Sendable {
    let flag = Atomic<Bool>(false)
}
