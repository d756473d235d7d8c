import Foundation
import Testing
import WharfCore
@testable import WharfEngine

/// Requeue from the dead-letter queue: selections, filters, dry run, targets, what the message becomes.
@Suite struct DeadLetterRequeueTests {
    /// q's DLQ holds: 1 "order 1" (reason Timeout, tenant=a), 2 "order 2" (reason Invalid, tenant=b),
    /// 3 "refund 3" (reason Timeout, tenant=b).
    func fixture() throws -> QueueFixture {
        let f = try QueueFixture()
        try f.store.createQueue("q")
        try f.store.send("q", OutgoingMessage("order 1", messageId: "m1", applicationProperties: ["tenant": "a"]))
        try f.store.send("q", OutgoingMessage("order 2", messageId: "m2", applicationProperties: ["tenant": "b"]))
        try f.store.send("q", OutgoingMessage("refund 3", messageId: "m3", applicationProperties: ["tenant": "b"]))
        for (m, reason) in zip(try f.store.receive("q", max: 3), ["Timeout", "Invalid", "Timeout"]) {
            try f.store.deadLetter("q", lockToken: m.lockToken!, reason: reason, description: "d")
        }
        return f
    }

    @Test func dryRunSaysHowManyAndWhereAndChangesNothing() throws {
        let f = try fixture()
        let before = try f.store.peek("q/$deadletterqueue")
        let r = try f.store.requeue("q", .all, dryRun: true)
        #expect(r.dryRun && r.count == 3 && r.source == "q/$deadletterqueue" && r.target == "q" && r.newSequenceNumbers.isEmpty)
        #expect(try f.store.peek("q/$deadletterqueue") == before)
        #expect(try f.store.peek("q").isEmpty)
    }

    @Test func requeueOneGivesANewMessageWithoutDeadLetterProperties() throws {
        let f = try fixture()
        f.advance(seconds: 7)
        let r = try f.store.requeue("q/$deadletterqueue", .sequenceNumbers([2]))
        #expect(r.sequenceNumbers == [2] && r.newSequenceNumbers == [4])
        let m = try #require(try f.store.peek("q").first)
        #expect(m.sequenceNumber == 4 && m.messageId == "m2" && m.bodyText == "order 2" && m.deliveryCount == 0)
        #expect(m.enqueuedTime == f.clock.nowMillis() && m.deadLetterReason == nil && m.deadLetterErrorDescription == nil)
        #expect(m.deadLetterSource == nil && m.applicationProperties == ["tenant": "b", "requeue-count": "1"])
        #expect(try f.store.peek("q/$deadletterqueue").map(\.sequenceNumber) == [1, 3])
        // Fails again, requeued again: the count goes up.
        let again = try #require(try f.store.receiveOne("q"))
        try f.store.deadLetter("q", lockToken: again.lockToken!, reason: "Invalid")
        let dlqSeq = try #require(try f.store.peek("q/$deadletterqueue").last?.sequenceNumber)
        _ = try f.store.requeue("q", .sequenceNumbers([dlqSeq]))
        #expect(try f.store.peek("q").first?.applicationProperties["requeue-count"] == "2")
    }

    @Test func selectionsAndFilters() throws {
        let f = try fixture()
        #expect(try f.store.requeue("q", .reason("Timeout"), dryRun: true).sequenceNumbers == [1, 3])
        #expect(try f.store.requeue("q", .property(name: "tenant", value: "b"), dryRun: true).sequenceNumbers == [2, 3])
        #expect(try f.store.requeue("q", .bodyContains("order"), dryRun: true).sequenceNumbers == [1, 2])
        let r = try f.store.requeue("q", .sequenceNumbers([3, 1, 9]), dryRun: true)
        #expect(r.sequenceNumbers == [1, 3] && r.skipped == [9])
        let moved = try f.store.requeue("q", .reason("Timeout"))
        #expect(moved.count == 2)
        #expect(try f.store.bodies("q") == ["order 1", "refund 3"])
        #expect(try f.store.bodies("q/$deadletterqueue") == ["order 2"])
    }

    @Test func lockedDeadLettersAreSkipped() throws {
        let f = try fixture()
        _ = try #require(try f.store.receiveOne("q/$deadletterqueue"))
        let r = try f.store.requeue("q", .all)
        #expect(r.sequenceNumbers == [2, 3] && r.skipped == [1])
    }

    @Test func toAnotherQueue() throws {
        let f = try fixture()
        try f.store.createQueue("retry")
        try f.store.createQueue("sessions", QueueOptions(requiresSession: true))
        let dry = try f.store.requeue("q", .all, to: "sessions", dryRun: true)
        #expect(dry.count == 0 && dry.skipped == [1, 2, 3])
        #expect(throws: WharfError.self) { try f.store.requeue("q", .all, to: "retry/$deadletterqueue") }
        let r = try f.store.requeue("q", .all, to: "retry")
        #expect(r.target == "retry" && r.count == 3)
        #expect(try f.store.bodies("retry") == ["order 1", "order 2", "refund 3"])
        #expect(try f.store.peek("q").isEmpty)
        #expect(try f.store.peek("q/$deadletterqueue").isEmpty)
        try f.reopen()
        #expect(try f.store.bodies("retry") == ["order 1", "order 2", "refund 3"])
        #expect(try f.store.peek("q/$deadletterqueue").isEmpty)
    }
}
