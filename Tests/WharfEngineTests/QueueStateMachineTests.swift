import Foundation
import Testing
import WharfCore
@testable import WharfEngine

/// One test per rule of the message state machine (reference §1.3), with the manual clock.
@Suite struct QueueStateMachineTests {
    @Test func optionsDefaultsAndValidation() throws {
        let f = try QueueFixture()
        let o = try f.store.createQueue("q")
        #expect(o.lockDurationMillis == 60_000 && o.maxDeliveryCount == 10 && o.duplicateDetectionWindowMillis == 600_000)
        #expect(o.defaultTimeToLiveMillis == nil && !o.requiresSession && !o.deadLetteringOnMessageExpiration)
        #expect(throws: WharfError.queueExists("q")) { try f.store.createQueue("q") }
        #expect(throws: WharfError.self) { try f.store.createQueue("big", QueueOptions(lockDurationMillis: 5 * 60_000 + 1)) }
        #expect(throws: WharfError.self) { try f.store.createQueue("zero", QueueOptions(maxDeliveryCount: 0)) }
        #expect(throws: WharfError.unknownQueue("nowhere")) { try f.store.createQueue("fw", QueueOptions(forwardTo: "nowhere")) }
        #expect(throws: WharfError.self) { try f.store.createQueue("bad/name") }
        #expect(f.store.listQueues() == ["q"])
        #expect(throws: WharfError.unknownQueue("x")) { try f.store.send("x", OutgoingMessage("a")) }
        #expect(throws: WharfError.self) { try f.store.send("q/$deadletterqueue", OutgoingMessage("a")) }
    }

    @Test func sequenceNumbersStartAtOneAndSendPropertiesRoundTrip() throws {
        let f = try QueueFixture()
        try f.store.createQueue("q")
        let m = OutgoingMessage(messageId: "m-1", body: Array("hello".utf8), correlationId: "c", subject: "s", contentType: "text/plain",
                                replyTo: "r", to: "t", timeToLiveMillis: 5000, applicationProperties: ["k": "v"])
        let receipt = try f.store.send("q", m)
        #expect(receipt == SendReceipt(entity: "q", sequenceNumber: 1, disposition: .enqueued))
        #expect(try f.store.send("q", OutgoingMessage("b")).sequenceNumber == 2)
        let got = try #require(try f.store.receiveOne("q"))
        #expect(got.sequenceNumber == 1 && got.messageId == "m-1" && got.bodyText == "hello")
        #expect(got.correlationId == "c" && got.subject == "s" && got.contentType == "text/plain" && got.replyTo == "r" && got.to == "t")
        #expect(got.applicationProperties == ["k": "v"] && got.timeToLiveMillis == 5000)
        #expect(got.enqueuedTime == f.clock.nowMillis() && got.expiresAt == f.clock.nowMillis() + 5000)
        #expect(got.deliveryCount == 1 && got.state == .locked && got.lockToken != nil)
        #expect(got.lockedUntil == f.clock.nowMillis() + 60_000)
    }

    @Test func completeRemovesTheMessage() throws {
        let f = try QueueFixture()
        try f.store.createQueue("q")
        try f.store.sendTexts("q", ["a", "b"])
        let a = try #require(try f.store.receiveOne("q"))
        try f.store.complete("q", lockToken: a.lockToken!)
        #expect(try f.store.bodies("q") == ["b"])
        #expect(throws: WharfError.self) { try f.store.complete("q", lockToken: a.lockToken!) }
    }

    /// AMQP `released` (issue 15): the receiver gave the message back unseen, so neither the
    /// delivery count nor the max delivery count moves, across a restart too.
    @Test func releaseUnlocksWithoutCountingTheDelivery() throws {
        let f = try QueueFixture()
        try f.store.createQueue("q", QueueOptions(maxDeliveryCount: 1))
        try f.store.sendTexts("q", ["a"])
        for _ in 0..<3 {
            let a = try #require(try f.store.receiveOne("q"))
            #expect(a.deliveryCount == 1)
            try f.store.release("q", lockToken: a.lockToken!)
        }
        try f.reopen()
        let again = try #require(try f.store.receiveOne("q"))
        #expect(again.bodyText == "a" && again.deliveryCount == 1)
        #expect(throws: WharfError.self) { try f.store.release("q", lockToken: "not-a-token") }
        try f.store.abandon("q", lockToken: again.lockToken!)
        #expect(try f.store.runtimeCounts("q").deadLetterCount == 1)
    }

    @Test func lockedMessagesAreNotDeliveredTwice() throws {
        let f = try QueueFixture()
        try f.store.createQueue("q")
        try f.store.sendTexts("q", ["a", "b"])
        let first = try f.store.receive("q", max: 5)
        #expect(first.map(\.bodyText) == ["a", "b"])
        #expect(try f.store.receive("q", max: 5).isEmpty)
    }

    @Test func abandonMakesItAvailableAgainAtTheFrontWithDeliveryCountPlusOne() throws {
        let f = try QueueFixture()
        try f.store.createQueue("q")
        try f.store.sendTexts("q", ["a", "b"])
        let a = try #require(try f.store.receiveOne("q"))
        try f.store.abandon("q", lockToken: a.lockToken!)
        let again = try #require(try f.store.receiveOne("q"))
        #expect(again.bodyText == "a" && again.deliveryCount == 2 && again.lockToken != a.lockToken)
        #expect(throws: WharfError.self) { try f.store.abandon("q", lockToken: a.lockToken!) }
    }

    @Test func lockExpiryReleasesTheMessageAndCountsTheDelivery() throws {
        let f = try QueueFixture()
        try f.store.createQueue("q", QueueOptions(lockDurationMillis: 30_000))
        try f.store.sendTexts("q", ["a"])
        let a = try #require(try f.store.receiveOne("q"))
        f.advance(seconds: 29)
        #expect(try f.store.receiveOne("q") == nil)
        f.advance(seconds: 1)
        let again = try #require(try f.store.receiveOne("q"))
        #expect(again.sequenceNumber == a.sequenceNumber && again.deliveryCount == 2)
    }

    @Test func settlingWithAnExpiredOrUnknownLockIsMessageLockLost() throws {
        let f = try QueueFixture()
        try f.store.createQueue("q")
        try f.store.sendTexts("q", ["a"])
        let a = try #require(try f.store.receiveOne("q"))
        f.advance(seconds: 60)
        for op in [{ try f.store.complete("q", lockToken: a.lockToken!) },
                   { try f.store.abandon("q", lockToken: a.lockToken!) },
                   { try f.store.deferMessage("q", lockToken: a.lockToken!) },
                   { _ = try f.store.renewLock("q", lockToken: a.lockToken!) },
                   { _ = try f.store.deadLetter("q", lockToken: a.lockToken!) },
                   { try f.store.complete("q", lockToken: UUID().uuidString) }] {
            #expect { try op() } throws: { error in
                if case WharfError.messageLockLost = error { return true }
                return false
            }
        }
        #expect(try f.store.receiveOne("q")?.deliveryCount == 2)
    }

    @Test func renewLockExtendsByTheLockDuration() throws {
        let f = try QueueFixture()
        try f.store.createQueue("q", QueueOptions(lockDurationMillis: 10_000))
        try f.store.sendTexts("q", ["a"])
        let a = try #require(try f.store.receiveOne("q"))
        f.advance(seconds: 8)
        #expect(try f.store.renewLock("q", lockToken: a.lockToken!) == f.clock.nowMillis() + 10_000)
        f.advance(seconds: 8)
        try f.store.tick()
        try f.store.complete("q", lockToken: a.lockToken!)
        #expect(try f.store.peek("q").isEmpty)
    }

    @Test func deferHidesFromReceiveUntilReceivedBySequenceNumber() throws {
        let f = try QueueFixture()
        try f.store.createQueue("q")
        try f.store.sendTexts("q", ["a", "b"])
        let a = try #require(try f.store.receiveOne("q"))
        try f.store.deferMessage("q", lockToken: a.lockToken!)
        #expect(try f.store.receive("q", max: 5).map(\.bodyText) == ["b"])
        #expect(try f.store.peek("q").first?.state == .deferred)
        #expect(throws: WharfError.messageNotFound(entity: "q", sequenceNumber: 2)) {
            try f.store.receiveDeferred("q", sequenceNumbers: [2])
        }
        let d = try #require(try f.store.receiveDeferred("q", sequenceNumbers: [1]).first)
        #expect(d.bodyText == "a" && d.deliveryCount == 2 && d.state == .locked)
        // Abandoning a deferred message leaves it deferred.
        try f.store.abandon("q", lockToken: d.lockToken!)
        #expect(try f.store.peek("q").first?.state == .deferred)
        let d2 = try #require(try f.store.receiveDeferred("q", sequenceNumbers: [1]).first)
        try f.store.complete("q", lockToken: d2.lockToken!)
        #expect(try f.store.peek("q").map(\.sequenceNumber) == [2])
    }

    @Test func deadLetterWithAReasonMovesToTheSubqueue() throws {
        let f = try QueueFixture()
        try f.store.createQueue("q")
        try f.store.send("q", OutgoingMessage("a", messageId: "id-a", applicationProperties: ["k": "v"]))
        let a = try #require(try f.store.receiveOne("q"))
        let dlqSeq = try f.store.deadLetter("q", lockToken: a.lockToken!, reason: "Invalid", description: "bad payload")
        #expect(try dlqSeq == 1 && f.store.peek("q").isEmpty)
        let d = try #require(try f.store.peek("q/$DeadLetterQueue").first)
        #expect(d.entity == "q/$deadletterqueue" && d.messageId == "id-a" && d.bodyText == "a")
        #expect(d.deadLetterReason == "Invalid" && d.deadLetterErrorDescription == "bad payload")
        #expect(d.applicationProperties["k"] == "v" && d.deadLetterSource == "q" && d.deliveryCount == 1)
        // Cannot dead-letter from the dead-letter queue; receive works there.
        let l = try #require(try f.store.receiveOne("q/$deadletterqueue"))
        #expect(throws: WharfError.self) { try f.store.deadLetter("q/$deadletterqueue", lockToken: l.lockToken!) }
    }

    @Test func maxDeliveryCountExceededOnAbandon() throws {
        let f = try QueueFixture()
        try f.store.createQueue("q", QueueOptions(maxDeliveryCount: 3))
        try f.store.sendTexts("q", ["a"])
        for i in 1...3 {
            let m = try #require(try f.store.receiveOne("q"))
            #expect(m.deliveryCount == i)
            try f.store.abandon("q", lockToken: m.lockToken!)
        }
        #expect(try f.store.receiveOne("q") == nil)
        let d = try #require(try f.store.peek("q/$deadletterqueue").first)
        #expect(d.deadLetterReason == "MaxDeliveryCountExceeded")
        #expect(d.deadLetterErrorDescription == "Message couldn't be consumed after maximum delivery attempts.")
        #expect(d.deliveryCount == 3)
    }

    @Test func maxDeliveryCountExceededOnLockExpiry() throws {
        let f = try QueueFixture()
        try f.store.createQueue("q", QueueOptions(lockDurationMillis: 1000, maxDeliveryCount: 2))
        try f.store.sendTexts("q", ["a"])
        _ = try #require(try f.store.receiveOne("q"))
        f.advance(seconds: 1)
        _ = try #require(try f.store.receiveOne("q"))
        f.advance(seconds: 1)
        #expect(try f.store.tick() == 1)
        #expect(try f.store.peek("q/$deadletterqueue").first?.deadLetterReason == "MaxDeliveryCountExceeded")
    }

    @Test func receiveAndDeleteRemovesAtTransfer() throws {
        let f = try QueueFixture()
        try f.store.createQueue("q")
        try f.store.sendTexts("q", ["a", "b"])
        let a = try #require(try f.store.receiveOne("q", mode: .receiveAndDelete))
        #expect(a.bodyText == "a" && a.lockToken == nil && a.deliveryCount == 1)
        try f.reopen()
        #expect(try f.store.bodies("q") == ["b"])
        try f.store.sendTexts("q", ["c", "d"])
        #expect(try f.store.receive("q", max: 5, mode: .receiveAndDelete).map(\.bodyText) == ["b", "c", "d"])
        #expect(try f.store.entity("q").journal.logEndOffset == 4)  // one entry each, written in one batch
        try f.reopen()
        #expect(try f.store.peek("q").isEmpty)
    }

    @Test func expiredMessagesAreDroppedWithoutDeadLetteringOnExpiration() throws {
        let f = try QueueFixture()
        try f.store.createQueue("q")
        try f.store.send("q", OutgoingMessage(body: Array("a".utf8), timeToLiveMillis: 10_000))
        try f.store.sendTexts("q", ["b"])
        f.advance(seconds: 10)
        // Peek shows the expired message until it is collected.
        #expect(try f.store.bodies("q") == ["a", "b"])
        #expect(try f.store.receiveOne("q")?.bodyText == "b")
        #expect(try f.store.peek("q/$deadletterqueue").isEmpty)
        #expect(try f.store.bodies("q") == ["b"])
    }

    @Test func ttlExpiredExceptionWhenDeadLetteringOnExpiration() throws {
        let f = try QueueFixture()
        try f.store.createQueue("q", QueueOptions(defaultTimeToLiveMillis: 60_000, deadLetteringOnMessageExpiration: true))
        // A longer TTL is clamped to the default.
        try f.store.send("q", OutgoingMessage(body: Array("a".utf8), timeToLiveMillis: 3_600_000))
        f.advance(seconds: 59)
        try f.store.tick()
        #expect(try f.store.peek("q/$deadletterqueue").isEmpty)
        f.advance(seconds: 1)
        try f.store.tick()
        let d = try #require(try f.store.peek("q/$deadletterqueue").first)
        #expect(d.deadLetterReason == "TTLExpiredException" && d.deadLetterErrorDescription == "The message expired and was dead lettered.")
        #expect(d.expiresAt == nil)  // TTL is not observed in the dead-letter queue
        f.advance(seconds: 3600)
        try f.store.tick()
        #expect(try f.store.peek("q/$deadletterqueue").count == 1)
    }

    @Test func lockedAndDeferredMessagesDoNotExpire() throws {
        let f = try QueueFixture()
        try f.store.createQueue("q", QueueOptions(lockDurationMillis: 120_000, defaultTimeToLiveMillis: 60_000,
                                                  deadLetteringOnMessageExpiration: true))
        try f.store.sendTexts("q", ["locked", "deferred"])
        let l = try #require(try f.store.receiveOne("q"))
        let d = try #require(try f.store.receiveOne("q"))
        try f.store.deferMessage("q", lockToken: d.lockToken!)
        f.advance(seconds: 90)
        try f.store.tick()
        // Completing after nominal expiry while locked works, and is not dead-lettered.
        try f.store.complete("q", lockToken: l.lockToken!)
        #expect(try f.store.peek("q").map(\.state) == [.deferred])
        #expect(try f.store.peek("q/$deadletterqueue").isEmpty)
    }

    @Test func scheduledMessagesActivateWithANewSequenceNumber() throws {
        let f = try QueueFixture()
        try f.store.createQueue("q")
        let at = f.clock.nowMillis() + 30_000
        let seq = try f.store.schedule("q", OutgoingMessage("later"), at: at)
        try f.store.sendTexts("q", ["now"])
        #expect(try f.store.peek("q").map(\.state) == [.scheduled, .active])
        #expect(try f.store.receive("q", max: 5).map(\.bodyText) == ["now"])
        f.advance(seconds: 30)
        try f.store.tick()
        let peeked = try f.store.peek("q")
        #expect(peeked.count == 2 && peeked[1].bodyText == "later" && peeked[1].state == .active)
        #expect(peeked[1].sequenceNumber == 3 && peeked[1].sequenceNumber != seq && peeked[1].enqueuedTime == at)
        #expect(try f.store.receiveOne("q")?.bodyText == "later")
    }

    @Test func cancelScheduledDeletesIt() throws {
        let f = try QueueFixture()
        try f.store.createQueue("q")
        let seq = try f.store.schedule("q", OutgoingMessage("later"), at: f.clock.nowMillis() + 30_000)
        try f.store.cancelScheduled("q", sequenceNumber: seq)
        #expect(throws: WharfError.self) { try f.store.cancelScheduled("q", sequenceNumber: seq) }
        f.advance(seconds: 60)
        try f.store.tick()
        #expect(try f.store.peek("q").isEmpty)
        try f.reopen()
        #expect(try f.store.peek("q").isEmpty)
    }

    @Test func aMessageWhoseTTLPassedWhileLockedExpiresWhenTheLockDoes() throws {
        let f = try QueueFixture()
        try f.store.createQueue("q", QueueOptions(lockDurationMillis: 120_000, defaultTimeToLiveMillis: 60_000,
                                                  deadLetteringOnMessageExpiration: true))
        try f.store.sendTexts("q", ["a"])
        _ = try #require(try f.store.receiveOne("q"))
        f.advance(seconds: 119)
        try f.store.tick()
        #expect(try f.store.runtimeCounts("q").lockedCount == 1)
        f.advance(seconds: 1)
        try f.store.tick()
        #expect(try f.store.peek("q").isEmpty)
        #expect(try f.store.peek("q/$deadletterqueue").first?.deadLetterReason == "TTLExpiredException")
    }

    @Test func maintenanceNoticesWorkDueAfterAnIdleScan() throws {
        let f = try QueueFixture()
        try f.store.createQueue("q", QueueOptions(lockDurationMillis: 5000))
        try f.store.tick()
        try f.store.sendTexts("q", ["a"])
        let seq = try f.store.schedule("q", OutgoingMessage("s"), at: f.clock.nowMillis() + 2000)
        _ = try #require(try f.store.receiveOne("q"))
        try f.store.tick()
        f.advance(seconds: 2)
        try f.store.tick()
        #expect(try f.store.peek("q").map(\.state) == [.locked, .active])
        #expect(try f.store.peek("q").last?.sequenceNumber == seq + 1)
        f.advance(seconds: 3)
        try f.store.tick()
        #expect(try f.store.peek("q").map(\.deliveryCount) == [1, 0])
        #expect(try f.store.receive("q", max: 5).map(\.bodyText) == ["a", "s"])
    }
}
