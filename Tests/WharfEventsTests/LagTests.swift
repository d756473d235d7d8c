import Foundation
import Testing
import WharfCore
@testable import WharfEvents
import WharfEngine

/// Lag figures against the distance counted by hand: events after the checkpoint up to the
/// head, and now minus the append time of the first of them.
@Suite struct LagTests {
    /// Appends one event per second: "acct-1" gets revisions 0...5 at positions 0,2,4,6,8,10,
    /// "acct-2" the odd positions; event at position p has timestamp start + p seconds.
    func seeded() throws -> StoreFixture {
        let f = try StoreFixture()
        for p in 0..<12 {
            try f.store.append(stream: "acct-\(p % 2 + 1)", events: [EventData(type: "T", data: "p\(p)")])
            f.clock.advance(byMillis: 1000)
        }
        return f   // now = start + 12 s
    }

    @Test func streamAndAllLag() throws {
        let f = try seeded()
        let s = f.store!
        #expect(s.lag(of: .stream("acct-1"), checkpoint: nil) == Lag(events: 6, oldestUnprocessedTimestamp: 1_800_000_000_000, now: f.clock.nowMillis()))
        let l = s.lag(of: .stream("acct-1"), checkpoint: 3)   // revisions 4, 5 left: positions 8, 10
        #expect(l.events == 2 && l.oldestUnprocessedTimestamp == 1_800_000_008_000 && l.seconds == 4)
        #expect(s.lag(of: .stream("acct-1"), checkpoint: 5).events == 0)
        #expect(s.lag(of: .stream("acct-1"), checkpoint: 5).seconds == 0)
        #expect(s.lag(of: .stream("nope"), checkpoint: nil).events == 0)
        let all = s.lag(of: .all, checkpoint: 6)
        #expect(all.events == 5 && all.seconds == 5)
        #expect(s.lag(of: .all, checkpoint: 11).events == 0)
    }

    @Test func namedCheckpointsAppearInSnapshots() throws {
        let f = try seeded()
        f.store.trackCheckpoint(name: "balances", source: .all, checkpoint: 9, state: .rebuilding)
        f.store.trackCheckpoint(name: "acct-1-view", source: .stream("acct-1"), checkpoint: nil, state: .faulted("boom"))
        let snaps = f.store.subscriptionSnapshots().filter { $0.kind == .checkpoint }
        #expect(snaps.map(\.name) == ["acct-1-view", "balances"])
        #expect(snaps[0].lagEvents == 6 && snaps[0].lagSeconds == 12 && snaps[0].state == .faulted("boom"))
        #expect(snaps[1].lagEvents == 2 && snaps[1].lagSeconds == 2 && snaps[1].checkpoint == 9 && snaps[1].state == .rebuilding)
        f.store.removeCheckpoint(name: "balances")
        #expect(f.store.subscriptionSnapshots().count == 1)
    }

    /// A persistent group's lag counts every unsettled event: acked out of order, the ones
    /// in flight, the ones not yet read ahead; parked ones are out of lag and in `parkedCount`.
    @Test func persistentLagCountsUnsettledEvents() throws {
        let f = try seeded()
        let s = f.store!
        try s.createPersistentSubscription("g", on: .all, settings: .init(startFrom: .start, bufferSize: 6))
        let c = try s.connectToPersistentSubscription("g", on: .all)
        let got = try c.receive(max: 4)                 // positions 0...3 in flight, 4, 5 read ahead
        try c.ack([got[0].event.id, got[2].event.id])   // 1 and 3 remain, then 4...11
        try c.nack(got[3], action: .park)               // 3 is parked
        var snap = try #require(s.subscriptionSnapshots().first { $0.kind == .persistent })
        #expect(snap.checkpoint == 0)
        #expect(snap.lagEvents == 9)                    // 1, 4, 5, ..., 11
        #expect(snap.oldestUnprocessedTimestamp == 1_800_000_001_000 && snap.lagSeconds == 11)
        #expect(snap.inFlightCount == 1 && snap.parkedCount == 1 && snap.connectionCount == 1)
        try c.ack(got[1])
        snap = try #require(s.subscriptionSnapshots().first { $0.kind == .persistent })
        #expect(snap.checkpoint == 3 && snap.lagEvents == 8 && snap.lagSeconds == 8)
        // The parked link took position 12 in $all but is not application lag.
        #expect(s.endPosition == 13)
        c.close()
        snap = try #require(s.subscriptionSnapshots().first { $0.kind == .persistent })
        #expect(snap.state == .stopped && snap.connectionCount == 0)
    }
}

@Suite struct EngineIntegrationTests {
    /// The store lives in the engine's data directory without taking its lock, and both reopen.
    @Test func opensAlongsideTheEngine() throws {
        let path = NSTemporaryDirectory() + "wharf-events-engine-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let clock = ManualClock(1_800_000_000_000)
        var engine = try Engine.open(config: EngineConfig(dataDirectory: path, fsync: .never), clock: clock)
        var store = try EventStore.open(alongside: engine)
        try engine.createTopic("orders")
        try store.append(stream: "order-1", events: events(2))
        store.runMaintenance()
        try store.close()
        try engine.close()
        engine = try Engine.open(config: EngineConfig(dataDirectory: path, fsync: .never), clock: clock)
        store = try EventStore.open(alongside: engine)
        #expect(engine.listTopics() == ["orders"])
        #expect(dataOf(try store.readStream("order-1")) == ["e0", "e1"])
        try store.close()
        try engine.close()
    }
}
