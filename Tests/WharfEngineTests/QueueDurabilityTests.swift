import Foundation
import Testing
import WharfCore
@testable import WharfEngine

/// Restart durability and crashes injected between the two steps of a move.
@Suite struct QueueDurabilityTests {
    @Test func everythingButLocksSurvivesARestart() throws {
        let f = try QueueFixture()
        try f.store.createQueue("q", QueueOptions(lockDurationMillis: 20_000, maxDeliveryCount: 5, requiresDuplicateDetection: true))
        try f.store.sendTexts("q", ["abandoned", "deferred", "dead", "locked", "plain"])
        let scheduled = try f.store.schedule("q", OutgoingMessage("later"), at: f.clock.nowMillis() + 60_000)
        let ms = try f.store.receive("q", max: 4)
        try f.store.abandon("q", lockToken: ms[0].lockToken!)
        try f.store.deferMessage("q", lockToken: ms[1].lockToken!)
        try f.store.deadLetter("q", lockToken: ms[2].lockToken!, reason: "Why", description: "because")
        #expect(try f.store.options("q").maxDeliveryCount == 5)

        try f.reopen()
        #expect(f.store.listQueues() == ["q"])
        #expect(try f.store.options("q").maxDeliveryCount == 5)
        let peeked = try f.store.peek("q", max: 10)
        #expect(peeked.map(\.bodyText) == ["abandoned", "deferred", "locked", "plain", "later"])
        #expect(peeked.map(\.state) == [.active, .deferred, .active, .active, .scheduled])
        // The lost lock's delivery is counted (journaled when the lock was granted).
        #expect(peeked.map(\.deliveryCount) == [1, 1, 1, 0, 0])
        #expect(throws: WharfError.self) { try f.store.complete("q", lockToken: ms[3].lockToken!) }
        let d = try #require(try f.store.peek("q/$deadletterqueue").first)
        #expect(d.bodyText == "dead" && d.deadLetterReason == "Why" && d.deadLetterErrorDescription == "because")
        #expect(try f.store.receiveDeferred("q", sequenceNumbers: [2]).first?.bodyText == "deferred")
        f.advance(seconds: 60)
        try f.store.tick()
        #expect(try f.store.peek("q", fromSequenceNumber: scheduled + 1).first?.bodyText == "later")
        #expect(try f.store.peek("q", fromSequenceNumber: scheduled + 1).first?.state == .active)
    }

    @Test func deletedQueuesStayDeleted() throws {
        let f = try QueueFixture()
        try f.store.createQueue("q")
        try f.store.sendTexts("q", ["a"])
        try f.store.deleteQueue("q")
        #expect(throws: WharfError.unknownQueue("q")) { try f.store.peek("q") }
        try f.reopen()
        #expect(f.store.listQueues().isEmpty)
        try f.store.createQueue("q")
        #expect(try f.store.peek("q").isEmpty)
    }

    @Test func crashBetweenTheStepsOfADeadLetterMoveLeavesItInExactlyOnePlace() throws {
        let f = try QueueFixture()
        try f.store.createQueue("q")
        try f.store.sendTexts("q", ["a", "b"])
        let a = try #require(try f.store.receiveOne("q"))
        f.store.crashHook.withLock { $0 = { _ in throw SimulatedCrash() } }
        #expect(throws: WharfError.self) { try f.store.deadLetter("q", lockToken: a.lockToken!, reason: "R") }
        // Before recovery both logs hold it: the copy and the unsettled source.
        try f.crashAndReopen()
        #expect(try f.store.bodies("q") == ["b"])
        let d = try f.store.peek("q/$deadletterqueue")
        #expect(d.map(\.bodyText) == ["a"] && d.first?.deadLetterReason == "R")
        // Recovery is durable and idempotent.
        try f.reopen()
        #expect(try f.store.bodies("q") == ["b"])
        #expect(try f.store.bodies("q/$deadletterqueue") == ["a"])
    }

    @Test func crashBetweenTheStepsOfARequeueLeavesItInExactlyOnePlace() throws {
        let f = try QueueFixture()
        try f.store.createQueue("q")
        try f.store.sendTexts("q", ["a", "b"])
        for m in try f.store.receive("q", max: 2) { try f.store.deadLetter("q", lockToken: m.lockToken!, reason: "R") }
        f.store.crashHook.withLock { $0 = { _ in throw SimulatedCrash() } }
        #expect(throws: WharfError.self) { try f.store.requeue("q", .all) }
        try f.crashAndReopen()
        // "a" was copied before the crash: it is back on q only; "b" never left the DLQ.
        #expect(try f.store.bodies("q") == ["a"])
        #expect(try f.store.bodies("q/$deadletterqueue") == ["b"])
        try f.reopen()
        #expect(try f.store.bodies("q") == ["a"])
        #expect(try f.store.bodies("q/$deadletterqueue") == ["b"])
        let r = try f.store.requeue("q", .all)
        #expect(r.count == 1)
        #expect(try f.store.bodies("q") == ["a", "b"])
        #expect(try f.store.peek("q").map { $0.applicationProperties["requeue-count"] } == ["1", "1"])
    }

    @Test func crashBeforeTheCopyLeavesTheMessageWhereItWas() throws {
        let f = try QueueFixture()
        try f.store.createQueue("q", QueueOptions(lockDurationMillis: 1000))
        try f.store.sendTexts("q", ["a"])
        let a = try #require(try f.store.receiveOne("q"))
        try f.store.deferMessage("q", lockToken: a.lockToken!)
        try f.crashAndReopen()
        #expect(try f.store.peek("q").map(\.state) == [.deferred])
        #expect(try f.store.peek("q/$deadletterqueue").isEmpty)
    }

    @Test func crashBetweenTheStepsOfAnActivationKeepsOneCopy() throws {
        let f = try QueueFixture()
        try f.store.createQueue("q")
        try f.store.schedule("q", OutgoingMessage("later"), at: f.clock.nowMillis() + 1000)
        f.advance(seconds: 1)
        f.store.crashHook.withLock { $0 = { _ in throw SimulatedCrash() } }
        #expect(throws: WharfError.self) { try f.store.tick() }
        try f.crashAndReopen()
        let peeked = try f.store.peek("q")
        #expect(peeked.map(\.bodyText) == ["later"] && peeked.first?.state == .active && peeked.first?.sequenceNumber == 2)
    }

    @Test func journalCompactionKeepsEveryStateAcrossARestart() throws {
        let f = try QueueFixture()
        try f.store.createQueue("q")
        try f.store.sendTexts("q", (0..<8).map { "m\($0)" })
        let ms = try f.store.receive("q", max: 5)
        try f.store.complete("q", lockToken: ms[0].lockToken!)
        try f.store.abandon("q", lockToken: ms[1].lockToken!)
        try f.store.deferMessage("q", lockToken: ms[2].lockToken!)
        try f.store.deadLetter("q", lockToken: ms[3].lockToken!, reason: "R")
        // ms[4] stays locked: its delivery was journaled with the lock grant.
        try f.store.createQueue("s", QueueOptions(requiresSession: true))
        try f.store.sendTexts("s", ["x"], sessionId: "A")
        let session = try f.store.acceptSession("s", sessionId: "A")
        try f.store.setSessionState(session, Array("st".utf8))
        let before = try f.store.peek("q", max: 20).map { [$0.bodyText, "\($0.deliveryCount)"] }

        let q = try f.store.entity("q")
        #expect(try !q.compactJournal(minEntries: 100))
        #expect(try !q.compactJournal(minEntries: 1))  // 9 entries (5 lock grants) for 7 live messages: not worth it
        #expect(try q.compactJournal(minEntries: 1, perLiveMessage: 0))
        #expect(q.journal.logStartOffset == 9)
        #expect(try f.store.entity("s").compactJournal(minEntries: 1, perLiveMessage: 0))
        try f.store.sendTexts("q", ["after"])

        try f.reopen()
        let after = try f.store.peek("q", max: 20)
        #expect(after.map(\.bodyText) == ["m1", "m2", "m4", "m5", "m6", "m7", "after"])
        #expect(after.map(\.state) == [.active, .deferred, .active, .active, .active, .active, .active])
        #expect(after.map(\.deliveryCount) == [1, 1, 1, 0, 0, 0, 0])
        #expect(before.count == 6)
        #expect(try f.store.bodies("q/$deadletterqueue") == ["m3"])
        let again = try f.store.acceptSession("s", sessionId: "A")
        #expect(try f.store.sessionState(again) == Array("st".utf8))
    }

    @Test func aSnapshotWithTheOldEntriesStillThereReplaysTheSame() throws {
        let f = try QueueFixture()
        try f.store.createQueue("q")
        try f.store.sendTexts("q", ["a", "b", "c", "d"])
        let ms = try f.store.receive("q", max: 3)
        try f.store.complete("q", lockToken: ms[0].lockToken!)
        try f.store.abandon("q", lockToken: ms[1].lockToken!)
        try f.store.deferMessage("q", lockToken: ms[2].lockToken!)
        #expect(try f.store.entity("q").compactJournal(minEntries: 1, perLiveMessage: 0, crashBeforeDelete: true))
        try f.store.send("q", OutgoingMessage("e"))
        let e = try #require(try f.store.receive("q", max: 3).last)
        try f.store.complete("q", lockToken: e.lockToken!)
        try f.crashAndReopen()
        #expect(try f.store.entity("q").journal.logStartOffset == 0)
        let peeked = try f.store.peek("q")
        #expect(peeked.map(\.bodyText) == ["b", "c", "d"])
        #expect(peeked.map(\.state) == [.active, .deferred, .active])
        // b and d were locked by the second receive when the process died: those deliveries count.
        #expect(peeked.map(\.deliveryCount) == [2, 1, 1])
    }
}
