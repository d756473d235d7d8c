import Foundation
import Testing
import WharfCore
@testable import WharfEvents

/// What the EventStoreDB protocol needs from the engine: acks and nacks durable per flush (a
/// crash repeats only what was unsettled, in-flight events with a raised retry count), round
/// robin, a consumer's in-flight window, the subscriber limit, `$all` filters and GetInfo's
/// counters. Through the real files (crash = reopen without closing).
@Suite(.timeLimit(.minutes(1))) struct PersistentSubscriptionWireNeedsTests {
    let source = EventSource.stream("order-1")

    func fixture(events count: Int, _ settings: PersistentSubscriptionSettings = .init(startFrom: .start)) throws -> StoreFixture {
        let f = try StoreFixture()
        try f.store.append(stream: "order-1", events: events(count))
        try f.store.createPersistentSubscription("g", on: source, settings: settings)
        return f
    }

    @Test func aFlushMakesOutOfOrderAcksDurableAcrossACrash() throws {
        let f = try fixture(events: 10)
        let c = try f.store.connectToPersistentSubscription("g", on: source)
        let got = try c.receive(max: 8)
        // Acked out of order: 0, 1, 3, 5; parked 4; 2, 6, 7 in flight; 8, 9 never delivered.
        try c.ack([got[0], got[1], got[3], got[5]].map(\.event.id))
        try c.nack(got[4], action: .park)
        try c.flush()
        try f.crashAndReopen()
        let again = try f.store.connectToPersistentSubscription("g", on: source)
        let redelivered = try again.receive(max: 100)
        #expect(redelivered.map(\.event.revision) == [2, 6, 7, 8, 9])
        #expect(redelivered.map(\.retryCount) == [1, 1, 1, 0, 0])
        #expect(try f.store.persistentSubscriptionStatus("g", on: source).parkedCount == 1)
        for e in redelivered { try again.ack(e) }
        // A clean close writes what the acks changed.
        try f.reopen()
        let last = try f.store.connectToPersistentSubscription("g", on: source)
        #expect(try last.receive(max: 100).isEmpty)
        try f.store.append(stream: "order-1", events: [event()])
        #expect(try last.receive(max: 100).map(\.event.revision) == [10])
    }

    @Test func roundRobinSpreadsAndWindowsLimit() throws {
        var settings = PersistentSubscriptionSettings(startFrom: .start)
        settings.consumerStrategy = .roundRobin
        let f = try fixture(events: 10, settings)
        let a = try f.store.connectToPersistentSubscription("g", on: source, consumerName: "a")
        let b = try f.store.connectToPersistentSubscription("g", on: source, consumerName: "b")
        #expect(try a.receive(max: 10).map(\.event.revision) == [0])   // its turn ends after one
        #expect(try a.receive(max: 10).isEmpty)
        #expect(try b.receive(max: 10).map(\.event.revision) == [1])
        #expect(try a.receive(max: 10).map(\.event.revision) == [2])
        // DispatchToSingle with a window: up to the limit in flight, more after acks.
        let g = try fixture(events: 10)
        let c = try g.store.connectToPersistentSubscription("g", on: source)
        let first = try c.receive(max: 100, inFlightLimit: 3)
        #expect(first.map(\.event.revision) == [0, 1, 2])
        #expect(try c.receive(max: 100, inFlightLimit: 3).isEmpty)
        try c.ack(first[0])
        #expect(try c.receive(max: 100, inFlightLimit: 3).map(\.event.revision) == [3])
        let status = try g.store.persistentSubscriptionStatus("g", on: source)
        #expect(status.inFlightCount == 3 && status.connections.map(\.inFlight) == [3] && status.readyCount == 6 && status.lastKnown == 9)
    }

    @Test func subscriberLimitAndAllFilter() throws {
        var settings = PersistentSubscriptionSettings(startFrom: .start)
        settings.maxSubscriberCount = 1
        let f = try fixture(events: 1, settings)
        let only = try f.store.connectToPersistentSubscription("g", on: source)
        guard case .policyViolation(let why)? = thrownError({ _ = try f.store.connectToPersistentSubscription("g", on: source) }) else {
            Issue.record("a second consumer was accepted")
            return
        }
        #expect(why.hasPrefix("Maximum subscriptions reached"))
        only.close()
        _ = try f.store.connectToPersistentSubscription("g", on: source)

        var filtered = PersistentSubscriptionSettings(startFrom: .start)
        filtered.filter = EventFilter(target: .eventType, regex: "^Invoice")
        try f.store.createPersistentSubscription("invoices", on: .all, settings: filtered)
        try f.store.append(stream: "inv-1", events: [event("InvoiceIssued"), event("OrderPlaced"), event("InvoicePaid")])
        let c = try f.store.connectToPersistentSubscription("invoices", on: .all)
        let got = try c.receive(max: 100)
        #expect(got.map(\.event.type) == ["InvoiceIssued", "InvoicePaid"])
        for e in got { try c.ack(e) }
        try c.flush()
        #expect(try f.store.persistentSubscriptionStatus("invoices", on: .all).checkpoint == f.store.endPosition - 1)
    }
}
