import Foundation
import Testing
import WharfCore
@testable import WharfEvents
import WharfTestSupport

@Suite(.timeLimit(.minutes(1))) struct PersistentSubscriptionTests {
    let source = EventSource.stream("order-1")

    func fixture(events count: Int, _ settings: PersistentSubscriptionSettings = .init(startFrom: .start)) throws -> StoreFixture {
        let f = try StoreFixture()
        for i in 0..<count {
            try f.store.append(stream: "order-1", events: [EventData(type: "T", data: "e\(i)")])
            f.clock.advance(byMillis: 1000)
        }
        try f.store.createPersistentSubscription("g", on: source, settings: settings)
        return f
    }

    func snapshot(_ store: EventStore, _ name: String = "order-1::g") throws -> SubscriptionSnapshot {
        try #require(store.subscriptionSnapshots().first { $0.kind == .persistent && $0.name == name })
    }

    @Test func competingConsumersSplitEvents() throws {
        let f = try fixture(events: 10)
        let a = try f.store.connectToPersistentSubscription("g", on: source, consumerName: "a")
        let b = try f.store.connectToPersistentSubscription("g", on: source, consumerName: "b")
        let fromA = try a.receive(max: 4)
        let fromB = try b.receive(max: 100)
        #expect(dataOf(fromA.map(\.event)) == ["e0", "e1", "e2", "e3"])
        #expect(dataOf(fromB.map(\.event)) == ["e4", "e5", "e6", "e7", "e8", "e9"])
        #expect(try a.receive(max: 10).isEmpty)   // everything is in flight to someone
        var snap = try snapshot(f.store)
        #expect(snap.inFlightCount == 10 && snap.connectionCount == 2 && snap.state == .running)
        for e in fromA + fromB { try (e.event.revision % 2 == 0 ? a : b).ack(e) }
        snap = try snapshot(f.store)
        #expect(snap.inFlightCount == 0 && snap.lagEvents == 0 && snap.checkpoint == 9)
        try f.store.append(stream: "order-1", events: [event()])
        #expect(try b.receive().map(\.event.revision) == [10])
    }

    @Test func nackRetryParkAndSkip() throws {
        let f = try fixture(events: 4)
        let c = try f.store.connectToPersistentSubscription("g", on: source)
        let got = try c.receive(max: 4)
        try c.nack(got[0], action: .retry, reason: "busy")
        try c.nack(got[1], action: .park, reason: "poison")
        try c.nack(got[2], action: .skip)
        try c.ack(got[3])
        let again = try c.receive()
        #expect(again.map(\.event.dataString) == ["e0"])
        #expect(again[0].retryCount == 1)
        var snap = try snapshot(f.store)
        #expect(snap.parkedCount == 1 && snap.checkpoint == nil && snap.lagEvents == 1)
        let parkedStream = StreamName.parked(source: source, group: "g")
        #expect(parkedStream == "$persistentsubscription-order-1::g-parked")
        let links = try f.store.readStream(parkedStream)
        #expect(links.count == 1 && links[0].linkTarget?.stream == "order-1" && links[0].linkTarget?.revision == 1)
        #expect(String(decoding: links[0].metadata, as: UTF8.self).contains("poison"))
        #expect(dataOf(try f.store.parkedEvents("g", on: source)) == ["e1"])
        try c.ack(again[0])
        snap = try snapshot(f.store)
        #expect(snap.checkpoint == 3 && snap.lagEvents == 0 && snap.inFlightCount == 0)
        // Parked links are system events: `$all` readers and lag leave them out.
        #expect(try f.store.readAll(includeSystem: false).count == 4)
        #expect(f.store.lag(of: .all, checkpoint: 3).events == 0)
    }

    @Test func timeoutRetriesOnAnotherConsumerAndMaxRetriesPark() throws {
        let f = try fixture(events: 2, .init(startFrom: .start, maxRetryCount: 2, messageTimeoutMillis: 5000))
        let a = try f.store.connectToPersistentSubscription("g", on: source, consumerName: "a")
        let b = try f.store.connectToPersistentSubscription("g", on: source, consumerName: "b")
        let first = try a.receive(max: 1)
        #expect(first.map(\.event.revision) == [0])
        f.clock.advance(byMillis: 4999)
        #expect(f.store.tick() == 0)
        f.clock.advance(byMillis: 1)
        #expect(f.store.tick() == 1)
        // Retried first, ahead of new events, to whoever asks.
        var retried = try b.receive(max: 1)
        #expect(retried.map(\.event.revision) == [0] && retried[0].retryCount == 1)
        f.clock.advance(byMillis: 5000)
        #expect(f.store.tick() == 1)
        retried = try a.receive(max: 1)
        #expect(retried[0].retryCount == 2)
        f.clock.advance(byMillis: 5000)
        #expect(f.store.tick() == 1)       // third failure > maxRetryCount 2: parked
        let next = try a.receive(max: 5)
        #expect(next.map(\.event.revision) == [1])
        let snap = try snapshot(f.store)
        #expect(snap.parkedCount == 1)
        #expect(try f.store.parkedEvents("g", on: source).map(\.revision) == [0])
        #expect(String(decoding: try f.store.readStream(StreamName.parked(source: source, group: "g"))[0].metadata, as: UTF8.self).contains("timeout"))
    }

    @Test func nackRetryBeyondMaxRetryCountParks() throws {
        let f = try fixture(events: 1, .init(startFrom: .start, maxRetryCount: 1))
        let c = try f.store.connectToPersistentSubscription("g", on: source)
        try c.nack(try c.receive().map(\.event.id), action: .retry)
        try c.nack(try c.receive().map(\.event.id), action: .retry)
        #expect(try c.receive().isEmpty)
        #expect(try snapshot(f.store).parkedCount == 1)
    }

    @Test func replayParkedRedeliversInOrderAndSurvivesRestart() throws {
        let f = try fixture(events: 8, .init(startFrom: .start, checkpointAfterAcks: 1))
        var c = try f.store.connectToPersistentSubscription("g", on: source)
        for e in try c.receive(max: 8) {
            if e.event.revision == 5 || e.event.revision == 2 { try c.nack(e, action: .park, reason: "bad") } else { try c.ack(e) }
        }
        #expect(try snapshot(f.store).parkedCount == 2)
        #expect(try snapshot(f.store).checkpoint == 7)
        #expect(try f.store.replayParked("g", on: source) == 2)
        #expect(try snapshot(f.store).parkedCount == 0)
        try f.store.append(stream: "order-1", events: [EventData(type: "T", data: "new")])
        let replayed = try c.receive(max: 10)
        #expect(replayed.map(\.event.dataString) == ["e2", "e5", "new"])
        #expect(replayed.map(\.parkedRevision) == [0, 1, nil])
        // Not yet acked: a crash now would bring them back as parked (at-least-once).
        try f.crashAndReopen()
        #expect(try snapshot(f.store).parkedCount == 2)
        c = try f.store.connectToPersistentSubscription("g", on: source)
        #expect(try f.store.replayParked("g", on: source) == 2)
        let again = try c.receive(max: 10)
        #expect(again.map(\.event.dataString) == ["e2", "e5", "new"])
        for e in again { try c.ack(e) }
        try f.crashAndReopen()   // the replay settled: written at once, not only on close
        let snap = try snapshot(f.store)
        #expect(snap.parkedCount == 0)
        #expect(try f.store.parkedEvents("g", on: source).isEmpty)
    }

    @Test func checkpointSurvivesRestart() throws {
        let f = try fixture(events: 10, .init(startFrom: .start, checkpointAfterAcks: 3))
        var c = try f.store.connectToPersistentSubscription("g", on: source)
        let got = try c.receive(max: 10)
        for e in got.prefix(7) { try c.ack(e) }
        #expect(try snapshot(f.store).checkpoint == 6)
        // Crash: the last checkpoint written is after 6 acks (revision 5); 6 is delivered again.
        try f.crashAndReopen()
        #expect(try snapshot(f.store).checkpoint == 5)
        c = try f.store.connectToPersistentSubscription("g", on: source)
        #expect(try c.receive(max: 100).map(\.event.revision) == [6, 7, 8, 9])
        try c.ack([got[6].event.id])
        // A clean close writes the current checkpoint.
        try f.reopen()
        c = try f.store.connectToPersistentSubscription("g", on: source)
        #expect(try c.receive(max: 100).map(\.event.revision) == [7, 8, 9])
    }

    @Test func startFromEndIsFixedAtCreation() throws {
        let f = try fixture(events: 3, .init(startFrom: .end))
        try f.reopen()
        try f.store.append(stream: "order-1", events: [EventData(type: "T", data: "after")])
        let c = try f.store.connectToPersistentSubscription("g", on: source)
        #expect(try c.receive().map(\.event.dataString) == ["after"])
    }

    @Test func administration() throws {
        let f = try fixture(events: 1)
        #expect(thrownError { try f.store.createPersistentSubscription("g", on: source) } == .subscriptionExists("order-1::g"))
        #expect(thrownError { _ = try f.store.connectToPersistentSubscription("nope", on: source) } == .unknownSubscription("order-1::nope"))
        try f.store.updatePersistentSubscription("g", on: source, settings: .init(startFrom: .start, maxRetryCount: 3))
        try f.reopen()
        #expect(f.store.listPersistentSubscriptions().map(\.settings.maxRetryCount) == [3])
        try f.store.deletePersistentSubscription("g", on: source)
        try f.reopen()
        #expect(f.store.listPersistentSubscriptions().isEmpty)
        #expect(thrownError { try f.store.createPersistentSubscription("h", on: .all, settings: .init(maxRetryCount: -1)) } != nil)
    }

    /// Two async consumers on `$all` share 200 events; each is handled once; the group's
    /// parked links never come back to it through `$all`.
    @Test func asyncConsumersOnAll() async throws {
        let f = try StoreFixture()
        let store = f.store!
        try store.createPersistentSubscription("workers", on: .all, settings: .init(startFrom: .start, bufferSize: 16))
        let total = 200
        let connections = try ["a", "b"].map { try store.connectToPersistentSubscription("workers", on: .all, consumerName: $0) }
        let collected = try await withThrowingTaskGroup(of: [UInt64].self) { group in
            for c in connections {
                group.addTask {
                    var seen: [UInt64] = []
                    for try await e in c.events {
                        seen.append(e.event.position)
                        if e.event.type == "Poison" { try c.nack(e, action: .park, reason: "poison") } else { try c.ack(e) }
                    }
                    return seen
                }
            }
            for i in 0..<total {
                try store.append(stream: "job-\(i % 5)", events: [EventData(type: i % 50 == 7 ? "Poison" : "Job", data: "\(i)")])
            }
            #expect(await eventually {
                // Parked links take `$all` positions too; the group skips them.
                let jobs = (try? store.readAll(maxCount: 1000, includeSystem: false).map(\.position)) ?? []
                return jobs.count == total && (store.subscriptionSnapshots().first { $0.name == "$all::workers" }?.checkpoint ?? 0) >= jobs.last!
            })
            for c in connections { c.close() }
            var all: [[UInt64]] = []
            for try await part in group { all.append(part) }
            return all
        }
        let union = collected.flatMap { $0 }
        #expect(union.sorted() == (try store.readAll(maxCount: 1000, includeSystem: false).map(\.position)))
        #expect(store.endPosition == UInt64(total + 4))
        let snap = try #require(store.subscriptionSnapshots().first { $0.name == "$all::workers" })
        #expect(snap.parkedCount == 4 && snap.lagEvents == 0)
    }
}
