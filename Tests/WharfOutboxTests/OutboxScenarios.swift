import Foundation
import Testing
import WharfCore
import WharfEngine
@testable import WharfOutbox

/// The relay's required behaviours, written once against any store: SQLite and PostgreSQL run
/// the same scenarios. A harness supplies the store and the database-specific writes.
struct OutboxHarness: Sendable {
    let store: any OutboxStore
    let engine: Engine
    let clock: ManualClock
    /// Enqueues in one transaction that commits.
    let enqueue: @Sendable ([OutboxEvent]) async throws -> Void
    /// Enqueues in one transaction that is rolled back.
    let enqueueRolledBack: @Sendable ([OutboxEvent]) async throws -> Void
    /// Inserts a row with only Debezium's five columns (raw SQL).
    let insertDebeziumRow: @Sendable (_ id: UUID, _ aggregateType: String, _ aggregateId: String, _ type: String, _ payload: String) async throws -> Void
    /// Rows per state, counted with the harness's own SQL (not the store's): for metrics checks.
    let rawCounts: @Sendable () async throws -> (pending: Int, published: Int, dead: Int, retrying: Int)

    func relay(_ configure: (inout OutboxRelayConfig) -> Void = { _ in }, hooks: OutboxRelayHooks = OutboxRelayHooks()) -> OutboxRelay {
        OutboxFixture.relay(store: store, engine: engine, clock: clock, configure, hooks: hooks)
    }

    func records(_ topic: String) -> [StoredRecord] { OutboxFixture.records(engine, topic) }
}

enum OutboxScenarios {
    static func rollbackPublishesNothingCommitPublishesOnce(_ h: OutboxHarness) async throws {
        let rolledBack = event("order", "o-1", 1)
        let committed = event("order", "o-2", 2)
        try await h.enqueueRolledBack([rolledBack])
        try await h.enqueue([committed])
        let relay = h.relay()
        let r = try await relay.pollOnce()
        #expect(r.claimed == 1 && r.published == 1)
        #expect(try await relay.pollOnce().claimed == 0)
        let records = h.records("outbox.event.order")
        #expect(records.count == 1)
        let rec = try #require(records.first)
        #expect(text(rec.key) == "o-2")
        #expect(text(rec.value).replacingOccurrences(of: " ", with: "") == committed.payload)  // jsonb reformats
        #expect(header(rec, "id") == committed.idText)
        #expect(header(rec, "type") == "orderChanged")
        #expect(try await h.store.counts(now: h.clock.nowMillis()) == OutboxCounts(published: 1))
    }

    /// The relay dies after the broker acknowledged but before marking: the next relay publishes
    /// the event again (a duplicate, never a loss). Returns the published records.
    static func crashAfterAckRepublishes(_ h: OutboxHarness) async throws -> [StoredRecord] {
        let e = event("payment", "p-1", 1)
        try await h.enqueue([e])
        let crash = Flag(true)
        let dying = h.relay(hooks: OutboxRelayHooks(afterAcknowledged: { _ in if crash.takeOnce() { throw SimulatedCrash() } }))
        await #expect(throws: SimulatedCrash.self) { try await dying.pollOnce() }
        #expect(h.records("outbox.event.payment").count == 1, "the append was acknowledged")
        #expect(try await h.store.counts(now: h.clock.nowMillis()).pending == 1, "but not marked")
        let restarted = h.relay()
        #expect(try await restarted.pollOnce().published == 1)
        #expect(try await restarted.pollOnce().claimed == 0)
        let records = h.records("outbox.event.payment")
        #expect(records.map { header($0, "id") } == [e.idText, e.idText])
        #expect(try await h.store.counts(now: h.clock.nowMillis()) == OutboxCounts(published: 1))
        return records
    }

    /// A row committed after a higher-ordered row was already published is still published.
    static func lateCommitWithLowerIdIsPublished(_ h: OutboxHarness) async throws {
        let high = event("item", "i-2", 2, id: UUID(uuidString: "ffffffff-0000-4000-8000-000000000000")!)
        let low = event("item", "i-1", 1, id: UUID(uuidString: "00000000-0000-4000-8000-000000000000")!)
        try await h.enqueue([high])
        let relay = h.relay()
        #expect(try await relay.pollOnce().published == 1)
        try await h.enqueue([low])
        #expect(try await relay.pollOnce().published == 1)
        #expect(Set(h.records("outbox.event.item").map { header($0, "id") }) == [high.idText, low.idText])
    }

    /// A poison row: retried with back-off, dead after maxAttempts, listed as dead; it blocks
    /// its own aggregate's later rows but not other aggregates; retry-dead republishes it.
    /// What the dashboard's outbox rows view and a trace read: the newest rows first with their
    /// state, and one row by its event id.
    static func rowsAreListedNewestFirstAndFoundById(_ h: OutboxHarness) async throws {
        let poison = event("invoice", "i-1", 1), good = event("invoice", "i-2", 1), later = event("invoice", "i-3", 1)
        try await h.enqueue([poison, good])
        let relay = h.relay({ $0.maxAttempts = 1 }, hooks: OutboxRelayHooks(beforePublish: { _, rows in
            if rows.contains(where: { $0.id == poison.idText }) { throw SimulatedCrash() }
        }))
        let publishedAt = h.clock.nowMillis()
        let r = try await relay.pollOnce()
        #expect(r.published == 1 && r.dead == 1, "\(r)")
        h.clock.advance(byMillis: 1_000)
        try await h.enqueue([later])

        let rows = try await h.store.recentRows(limit: 10)
        #expect(rows.map(\.id) == [later.idText, good.idText, poison.idText])
        #expect(rows.map(\.status) == [.pending, .published, .dead])
        #expect(rows.allSatisfy { $0.aggregateType == "invoice" && $0.type == "invoiceChanged" && $0.createdAtMs != nil })
        #expect(rows[1].publishedAtMs == publishedAt && rows[1].attempts == 0 && rows[0].publishedAtMs == nil)
        #expect(rows[2].attempts == 1 && rows[2].lastError?.contains("simulated crash") == true && rows[2].aggregateId == "i-1")
        #expect(try await h.store.recentRows(limit: 1).map(\.id) == [later.idText])
        #expect(try await h.store.row(id: good.idText) == rows[1])
        #expect(try await h.store.row(id: poison.idText)?.status == .dead)
        #expect(try await h.store.row(id: "no-such-event") == nil)
    }

    static func poisonRowBecomesDeadAndRetryDeadRepublishes(_ h: OutboxHarness) async throws {
        let poison = event("account", "a-1", 1)
        let sameAggregateLater = event("account", "a-1", 2)
        let other = event("account", "a-2", 1)
        try await h.enqueue([poison, sameAggregateLater, other])
        let poisoned = Flag(true)
        let relay = h.relay({ $0.maxAttempts = 3; $0.backoffBaseMs = 100 }, hooks: OutboxRelayHooks(beforePublish: { _, rows in
            if poisoned.isOn, rows.contains(where: { $0.id == poison.idText }) { throw SimulatedCrash() }
        }))
        var r = try await relay.pollOnce()
        #expect(r.published == 1 && r.failed == 1, "\(r)")  // other published; poison failed; a-1 #2 untouched
        #expect(try await relay.pollOnce().claimed == 0, "in back-off, and its aggregate waits")
        h.clock.advance(byMillis: 100)
        r = try await relay.pollOnce()
        #expect(r.failed == 1 && r.dead == 0)
        h.clock.advance(byMillis: 150)
        #expect(try await relay.pollOnce().claimed == 0, "second back-off is 200 ms")
        h.clock.advance(byMillis: 50)
        r = try await relay.pollOnce()
        #expect(r.failed == 1 && r.dead == 1)
        let snapshot = try await relay.metrics()
        #expect(snapshot.failuresTotal == 3 && snapshot.deadTotal == 1 && snapshot.dead == 1)
        var counts = try await h.store.counts(now: h.clock.nowMillis())
        #expect(counts.dead == 1 && counts.pending == 1 && counts.published == 1 && counts.failures == 0)
        let dead = try await h.store.deadRows(limit: 10)
        #expect(dead.map(\.id) == [poison.idText])
        #expect(dead.first?.attempts == 3 && dead.first?.lastError?.contains("simulated crash") == true)

        // Dead: other aggregates flow, its own aggregate stays blocked.
        let otherLater = event("account", "a-2", 2)
        try await h.enqueue([otherLater])
        h.clock.advance(byMillis: 60_000)
        r = try await relay.pollOnce()
        #expect(r.claimed == 1 && r.published == 1)
        #expect(sequencesByKey(h.records("outbox.event.account")) == ["a-2": [1, 2]])

        poisoned.set(false)
        #expect(try await relay.retryDead() == 1)
        r = try await relay.pollOnce()
        #expect(r.published == 2)
        #expect(sequencesByKey(h.records("outbox.event.account")) == ["a-2": [1, 2], "a-1": [1, 2]])
        counts = try await h.store.counts(now: h.clock.nowMillis())
        #expect(counts == OutboxCounts(published: 4))
    }

    /// The store's counts and the relay's snapshot agree with the table counted independently.
    static func metricsMatchTable(_ h: OutboxHarness) async throws {
        let relay = h.relay({ $0.batchSize = 2; $0.maxAttempts = 1; $0.retentionMs = 10_000 })
        func check(_ label: String) async throws -> OutboxMetricsSnapshot {
            let m = try await relay.metrics()
            let raw = try await h.rawCounts()
            #expect(m.pending == raw.pending && m.published == raw.published && m.dead == raw.dead && m.failures == raw.retrying, "\(label): \(m.counts) vs \(raw)")
            return m
        }
        var m = try await check("empty")
        #expect(m.counts == OutboxCounts() && m.state == .stopped)
        try await h.enqueue([event("m", "x", 1), event("m", "y", 1), event("m", "z", 1)])
        h.clock.advance(byMillis: 1_500)
        try await h.enqueue([event("m", "w", 1)])
        m = try await check("four pending")
        #expect(m.pending == 4 && m.oldestPendingAgeMs == 1_500)
        try await relay.pollOnce()
        m = try await check("two published")
        #expect(m.pending == 2 && m.published == 2 && m.publishedTotal == 2 && m.oldestPendingAgeMs == 1_500)
        try await h.insertDebeziumRow(UUID(), "m", "v", "mChanged", #"{"n":9}"#)
        try await h.insertDebeziumRow(UUID(), "m/bad topic", "u", "t", "{}")  // no valid topic name: dead at once
        try await relay.pollOnce()
        try await relay.pollOnce()
        m = try await check("debezium rows")
        #expect(m.pending == 0 && m.published == 5 && m.dead == 1 && m.failuresTotal == 1 && m.deadTotal == 1)
        #expect(m.oldestPendingAgeMs == 0)
        #expect(h.records("outbox.event.m").count == 5)
        h.clock.advance(byMillis: 10_001)
        #expect(try await relay.cleanup() == 5)
        m = try await check("after retention")
        #expect(m.published == 0 && m.dead == 1)
    }
}
