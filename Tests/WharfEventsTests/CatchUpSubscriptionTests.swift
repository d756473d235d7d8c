import Foundation
import Testing
import WharfCore
@testable import WharfEvents
import WharfTestSupport

@Suite(.timeLimit(.minutes(1))) struct CatchUpSubscriptionTests {
    @Test func historicalThenLive() async throws {
        let f = try StoreFixture()
        let store = f.store!
        try store.append(stream: "order-1", events: events(3, prefix: "h"))
        var iterator = store.subscribe(to: .all).makeAsyncIterator()
        var seen: [String] = []
        for _ in 0..<3 { seen.append(try await iterator.next()!.dataString) }
        let writer = Task {
            for i in 0..<3 { try store.append(stream: "order-2", events: [EventData(type: "T", data: "l\(i)")]) }
        }
        for _ in 0..<3 { seen.append(try await iterator.next()!.dataString) }
        try await writer.value
        #expect(seen == ["h0", "h1", "h2", "l0", "l1", "l2"])
    }

    /// Many concurrent appenders while a subscriber runs from the start: it sees every position
    /// exactly once, in order (no high-water-mark skips).
    @Test func everyPositionExactlyOnceUnderConcurrentAppends() async throws {
        let f = try StoreFixture()
        let store = f.store!
        let writers = 8, appendsPerWriter = 60
        // Each append carries 1 to 3 events: 2 per append on average.
        let total = writers * appendsPerWriter * 2
        let subscriber = Task { () -> [UInt64] in
            var positions: [UInt64] = []
            for try await e in store.subscribe(to: .all, name: "checker") {
                positions.append(e.position)
                if positions.count == total { break }
            }
            return positions
        }
        await withTaskGroup(of: Void.self) { group in
            for w in 0..<writers {
                group.addTask {
                    for i in 0..<appendsPerWriter {
                        _ = try? store.append(stream: "w-\(w)", events: events((w + i) % 3 + 1))
                        if i % 7 == 0 { await Task.yield() }
                    }
                }
            }
        }
        #expect(store.endPosition == UInt64(total))
        let positions = try await subscriber.value
        #expect(positions == (0..<UInt64(total)).map { $0 })
    }

    @Test func streamSubscriptionFromARevisionAndFromTheEnd() async throws {
        let f = try StoreFixture()
        let store = f.store!
        try store.append(stream: "acct-1", events: events(4))
        try store.append(stream: "acct-2", events: events(2, prefix: "other"))
        var fromTwo = store.subscribe(to: .stream("acct-1"), from: .after(1)).makeAsyncIterator()
        var fromEnd = store.subscribe(to: .stream("acct-1"), from: .end).makeAsyncIterator()
        #expect(try await fromTwo.next()?.revision == 2)
        #expect(try await fromTwo.next()?.revision == 3)
        try store.append(stream: "acct-2", events: events(1, prefix: "other"))
        try store.append(stream: "acct-1", events: events(1, prefix: "new"))
        #expect(try await fromTwo.next()?.dataString == "new0")
        let e = try await fromEnd.next()
        #expect(e?.dataString == "new0" && e?.revision == 4)
    }

    @Test func cancellationAndCloseEndTheSequence() async throws {
        let f = try StoreFixture()
        let store = f.store!
        let waiting = Task { () -> Int in
            var n = 0
            for try await _ in store.subscribe(to: .all) { n += 1 }
            return n
        }
        try store.append(stream: "s-1", events: events(2))
        #expect(await eventually { store.subscriptionSnapshots().first?.checkpoint == 1 }, "\(store.subscriptionSnapshots())")
        waiting.cancel()
        #expect(try await waiting.value == 2)

        let closing = Task { () -> Int in
            var n = 0
            for try await _ in store.subscribe(to: .stream("s-1")) { n += 1 }
            return n
        }
        #expect(await eventually { store.subscriptionSnapshots().first?.checkpoint == 1 }, "\(store.subscriptionSnapshots())")
        try store.close()
        #expect(try await closing.value == 2)
    }

    /// The snapshot's checkpoint is the last event the consumer finished (asked past), and its
    /// lag is the real number of events after it.
    @Test func snapshotShowsCheckpointAndLag() async throws {
        let f = try StoreFixture()
        let store = f.store!
        for i in 0..<5 {
            try store.append(stream: "order-\(i)", events: events(1))
            f.clock.advance(byMillis: 1000)
        }
        var iterator = store.subscribe(to: .all, name: "reporter").makeAsyncIterator()
        _ = try await iterator.next()
        _ = try await iterator.next()
        var snap = try #require(store.subscriptionSnapshots().first { $0.name == "reporter" })
        #expect(snap.kind == .catchUp && snap.state == .running)
        #expect(snap.checkpoint == 0)   // event 1 is being processed
        #expect(snap.lagEvents == 4)
        #expect(snap.lagSeconds == 4)   // now is 5 s after event 0; the oldest unprocessed is event 1 at +1 s
        _ = try await iterator.next()
        snap = try #require(store.subscriptionSnapshots().first { $0.name == "reporter" })
        #expect(snap.checkpoint == 1 && snap.lagEvents == 3 && snap.lagSeconds == 3)
    }
}
