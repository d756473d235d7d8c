import Foundation
import Testing
import WharfCore
@testable import WharfEngine

/// Duplicate detection, auto-forwarding and `MaxTransferHopCountExceeded`, peek, runtime counts.
@Suite struct QueueSendTests {
    @Test func duplicatesWithinTheWindowAreDroppedAndAcceptedAfterIt() throws {
        let f = try QueueFixture()
        try f.store.createQueue("q", QueueOptions(requiresDuplicateDetection: true, duplicateDetectionWindowMillis: 60_000))
        #expect(try f.store.send("q", OutgoingMessage("a", messageId: "m")).disposition == .enqueued)
        f.advance(seconds: 59)
        #expect(try f.store.send("q", OutgoingMessage("a2", messageId: "m")) == SendReceipt(entity: "q", sequenceNumber: nil, disposition: .duplicate))
        // The window survives a restart (rebuilt from the message log).
        try f.reopen()
        #expect(try f.store.send("q", OutgoingMessage("a3", messageId: "m")).disposition == .duplicate)
        f.advance(seconds: 1)
        #expect(try f.store.send("q", OutgoingMessage("a4", messageId: "m")).disposition == .enqueued)
        #expect(try f.store.bodies("q") == ["a", "a4"])
        // Without detection, ids repeat freely.
        try f.store.createQueue("free")
        try f.store.send("free", OutgoingMessage("x", messageId: "m"))
        try f.store.send("free", OutgoingMessage("y", messageId: "m"))
        #expect(try f.store.bodies("free") == ["x", "y"])
    }

    @Test func autoForwardingStoresInTheDestination() throws {
        let f = try QueueFixture()
        try f.store.createQueue("dest")
        try f.store.createQueue("src", QueueOptions(forwardTo: "dest"))
        let r = try f.store.send("src", OutgoingMessage("a"))
        #expect(r.entity == "dest" && r.disposition == .enqueued)
        #expect(try f.store.peek("src").isEmpty)
        #expect(try f.store.peek("dest").first?.transferHopCount == 1)
    }

    @Test func forwardingLoopsDeadLetterWithMaxTransferHopCountExceeded() throws {
        let f = try QueueFixture()
        try f.store.createQueue("a")
        try f.store.createQueue("b", QueueOptions(forwardTo: "a"))
        try f.store.updateQueue("a", QueueOptions(forwardTo: "b"))
        let r = try f.store.send("a", OutgoingMessage("loop"))
        #expect(r.disposition == .deadLettered)
        // Hops: a→b, b→a, a→b, b→a (4); the fifth is refused in `a`.
        #expect(r.entity == "a/$deadletterqueue")
        let d = try #require(try f.store.peek("a/$deadletterqueue").first)
        #expect(d.deadLetterReason == "MaxTransferHopCountExceeded")
        #expect(d.deadLetterErrorDescription == "The maximum number of allowed hops when forwarding between queues has been exceeded.")
        #expect(d.transferHopCount == 4)
    }

    @Test func forwardDeadLetteredMessagesTo() throws {
        let f = try QueueFixture()
        try f.store.createQueue("errors")
        try f.store.createQueue("q", QueueOptions(forwardDeadLetteredMessagesTo: "errors"))
        try f.store.sendTexts("q", ["a"])
        let m = try #require(try f.store.receiveOne("q"))
        try f.store.deadLetter("q", lockToken: m.lockToken!, reason: "Bad")
        #expect(try f.store.peek("q/$deadletterqueue").isEmpty)
        let e = try #require(try f.store.peek("errors").first)
        #expect(e.deadLetterReason == "Bad" && e.deadLetterSource == "q")
    }

    @Test func peekHasNoSideEffects() throws {
        let f = try QueueFixture()
        try f.store.createQueue("q", QueueOptions(lockDurationMillis: 10_000, defaultTimeToLiveMillis: 100_000))
        try f.store.sendTexts("q", ["a", "b", "c", "d"])
        let a = try #require(try f.store.receiveOne("q"))
        let b = try #require(try f.store.receiveOne("q"))
        try f.store.deferMessage("q", lockToken: b.lockToken!)
        try f.store.schedule("q", OutgoingMessage("e"), at: f.clock.nowMillis() + 1000)
        let before = try f.store.runtimeCounts("q")
        let peeked = try f.store.peek("q", fromSequenceNumber: 1, max: 10)
        #expect(peeked.map(\.state) == [.locked, .deferred, .active, .active, .scheduled])
        #expect(peeked.map(\.deliveryCount) == [1, 1, 0, 0, 0])
        #expect(peeked.allSatisfy { $0.lockToken == nil && $0.lockedUntil == nil })
        #expect(try f.store.peek("q", fromSequenceNumber: 3, max: 1).map(\.bodyText) == ["c"])
        // Nothing changed: the same peek, the same counts, and time-driven changes wait for
        // tick/receive (the expired lock still shows as active, the due schedule as scheduled).
        #expect(try f.store.peek("q", max: 10) == peeked)
        #expect(try f.store.runtimeCounts("q") == before)
        f.advance(seconds: 10)
        #expect(try f.store.peek("q", max: 10).map(\.state) == [.active, .deferred, .active, .active, .scheduled])
        #expect(try f.store.peek("q", max: 10).map(\.sequenceNumber) == [1, 2, 3, 4, 5])
        let again = try #require(try f.store.receiveOne("q"))
        #expect(again.sequenceNumber == a.sequenceNumber && again.deliveryCount == 2)
    }

    @Test func runtimeCountsPerEntity() throws {
        let f = try QueueFixture()
        try f.store.createQueue("q")
        try f.store.sendTexts("q", ["aaaa", "b", "c", "d", "e"])
        f.advance(seconds: 5)
        try f.store.schedule("q", OutgoingMessage("s"), at: f.clock.nowMillis() + 60_000)
        let locked = try f.store.receive("q", max: 3)
        try f.store.deferMessage("q", lockToken: locked[1].lockToken!)
        try f.store.deadLetter("q", lockToken: locked[2].lockToken!, reason: "R")
        let c = try f.store.runtimeCounts("q")
        #expect(c.activeCount == 2 && c.lockedCount == 1 && c.deferredCount == 1 && c.scheduledCount == 1 && c.deadLetterCount == 1)
        #expect(c.oldestMessageAgeMillis == 5000)
        #expect(c.sizeBytes > 0)
        let sizeBefore = c.sizeBytes
        try f.store.complete("q", lockToken: locked[0].lockToken!)
        #expect(try f.store.runtimeCounts("q").sizeBytes < sizeBefore)
        let d = try f.store.runtimeCounts("q/$deadletterqueue")
        #expect(d.activeCount == 1 && d.deadLetterCount == 0 && d.sizeBytes > 0)
        try f.reopen()
        let after = try f.store.runtimeCounts("q")
        #expect(after.activeCount == 2 && after.lockedCount == 0 && after.deferredCount == 1 && after.scheduledCount == 1 && after.deadLetterCount == 1)
    }

    @Test func settleByMessageAndDescribeAsJSON() throws {
        let f = try QueueFixture()
        try f.store.createQueue("q")
        try f.store.sendTexts("q", ["a", "b"])
        let a = try #require(try f.store.receiveOne("q"))
        try f.store.deadLetter(a, reason: "R")
        let b = try #require(try f.store.receiveOne("q", mode: .receiveAndDelete))
        #expect(throws: WharfError.self) { try f.store.complete(b) }
        #expect(f.store.listDeadLetterQueues() == ["q/$deadletterqueue"])
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(try f.store.runtimeCounts("q"))) as? [String: Any]
        #expect(json?["name"] as? String == "q")
        #expect(json?["deadLetterCount"] as? Int == 1)
        let keys = Set(json.map { Array($0.keys) } ?? [])
        #expect(keys.isSuperset(of: ["name", "activeCount", "lockedCount", "deferredCount", "scheduledCount", "deadLetterCount", "sizeBytes"]))
    }
}
