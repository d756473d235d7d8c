import Foundation
import Testing
import WharfCore
@testable import WharfEngine

/// Sessions (reference §1.8) and the `Session ID is null.` broker reason.
@Suite struct QueueSessionTests {
    func fixture() throws -> QueueFixture {
        let f = try QueueFixture()
        try f.store.createQueue("s", QueueOptions(lockDurationMillis: 30_000, requiresSession: true))
        return f
    }

    @Test func sendingWithoutASessionIdDeadLettersSessionIdIsNull() throws {
        let f = try fixture()
        let receipt = try f.store.send("s", OutgoingMessage("orphan"))
        #expect(receipt.disposition == .deadLettered && receipt.entity == "s/$deadletterqueue")
        let d = try #require(try f.store.peek("s/$deadletterqueue").first)
        #expect(d.deadLetterReason == "Session ID is null.")
        #expect(d.deadLetterErrorDescription == "Session enabled entity doesn't allow a message whose session identifier is null.")
        #expect(try f.store.peek("s").isEmpty)
    }

    @Test func receiversWithoutASessionAreRejected() throws {
        let f = try fixture()
        try f.store.sendTexts("s", ["a"], sessionId: "A")
        #expect(throws: WharfError.self) { try f.store.receive("s") }
        try f.store.createQueue("plain")
        #expect(throws: WharfError.self) { try f.store.acceptSession("plain") }
    }

    @Test func messagesOfASessionComeInOrderAndOnlyToItsHolder() throws {
        let f = try fixture()
        for i in 0..<3 {
            try f.store.sendTexts("s", ["A\(i)"], sessionId: "A")
            try f.store.sendTexts("s", ["B\(i)"], sessionId: "B")
        }
        let a = try f.store.acceptSession("s", sessionId: "A")
        #expect(try f.store.receive(a, max: 10).map(\.bodyText) == ["A0", "A1", "A2"])
        // Next available skips the held session.
        let b = try f.store.acceptSession("s")
        #expect(b.sessionId == "B")
        let b0 = try #require(try f.store.receive(b).first)
        #expect(b0.bodyText == "B0")
        // Abandon re-serves the same message first.
        try f.store.abandon("s", lockToken: b0.lockToken!)
        #expect(try f.store.receive(b).first?.bodyText == "B0")
    }

    @Test func sessionLockIsExclusiveUntilItExpires() throws {
        let f = try fixture()
        try f.store.sendTexts("s", ["a"], sessionId: "A")
        let first = try f.store.acceptSession("s", sessionId: "A")
        #expect { try f.store.acceptSession("s", sessionId: "A") } throws: { e in
            if case WharfError.sessionCannotBeLocked = e { return true }
            return false
        }
        #expect { try f.store.acceptSession("s") } throws: { e in
            if case WharfError.sessionCannotBeLocked = e { return true }
            return false
        }
        let m = try #require(try f.store.receive(first).first)
        f.advance(seconds: 20)
        _ = try f.store.renewSessionLock(first)
        f.advance(seconds: 20)
        try f.store.complete("s", lockToken: m.lockToken!)
        try f.store.sendTexts("s", ["b"], sessionId: "A")
        let m2 = try #require(try f.store.receive(first).first)
        f.advance(seconds: 30)
        // Expired: settle fails, another receiver gets the session; the delivery counted.
        #expect(throws: WharfError.self) { try f.store.complete("s", lockToken: m2.lockToken!) }
        #expect(throws: WharfError.self) { try f.store.receive(first) }
        let second = try f.store.acceptSession("s", sessionId: "A")
        let again = try #require(try f.store.receive(second).first)
        #expect(again.bodyText == "b" && again.deliveryCount == 2)
    }

    @Test func closingASessionReturnsMessagesWithoutCountingTheDelivery() throws {
        let f = try fixture()
        try f.store.sendTexts("s", ["a"], sessionId: "A")
        let s1 = try f.store.acceptSession("s")
        #expect(try f.store.receive(s1).first?.deliveryCount == 1)
        try f.store.closeSession(s1)
        let s2 = try f.store.acceptSession("s")
        #expect(try f.store.receive(s2).first?.deliveryCount == 1)
    }

    @Test func sessionStatePersistsUntilCleared() throws {
        let f = try fixture()
        try f.store.sendTexts("s", ["a"], sessionId: "A")
        let s1 = try f.store.acceptSession("s", sessionId: "A")
        #expect(try f.store.sessionState(s1) == nil)
        try f.store.setSessionState(s1, Array("step-2".utf8))
        try f.reopen()
        let s2 = try f.store.acceptSession("s", sessionId: "A")
        #expect(try f.store.sessionState(s2) == Array("step-2".utf8))
        try f.store.setSessionState(s2, nil)
        try f.reopen()
        let s3 = try f.store.acceptSession("s", sessionId: "A")
        #expect(try f.store.sessionState(s3) == nil)
        #expect(throws: WharfError.self) { try f.store.sessionState(s2) }
    }
}
