import Foundation
import Testing
import WharfCore
import WharfEngine

/// `wharf queue receive` without --follow: a session where the queue takes one (released
/// afterwards), the settlement applied before that.
@Suite struct QueueReceiveOnceTests {
    @Test func aSessionQueueIsReadThroughASessionThatIsReleasedAfterwards() throws {
        let f = try QueueFixture()
        try f.store.createQueue("s", QueueOptions(lockDurationMillis: 30_000, requiresSession: true))
        try f.store.sendTexts("s", ["A0", "A1"], sessionId: "A")
        try f.store.sendTexts("s", ["B0"], sessionId: "B")
        #expect(try f.store.needsSession("s"))
        #expect(try f.store.needsSession("s/$DeadLetterQueue") == false)
        let got = try f.store.receiveOnce("s", sessionId: "A", max: 5, mode: .peekLock) { try f.store.settle($0, .complete) }
        #expect(got.map(\.bodyText) == ["A0", "A1"])
        #expect(try f.store.peek("s").map(\.bodyText) == ["B0"])
        // The session was closed: the next receiver can take it again at once.
        #expect(try f.store.acceptSession("s", sessionId: "A").sessionId == "A")
    }

    @Test func aPlainQueueIsReadDirectlyAndSettledAsAsked() throws {
        let f = try QueueFixture()
        try f.store.createQueue("q")
        try f.store.sendTexts("q", ["a", "b"])
        #expect(try f.store.needsSession("q") == false)
        let got = try f.store.receiveOnce("q", max: 1, mode: .peekLock) { try f.store.settle($0, .deadLetter, reason: "bad") }
        #expect(got.map(\.bodyText) == ["a"])
        #expect(try f.store.peek("q/$deadletterqueue").map(\.deadLetterReason) == ["bad"])
        #expect(try f.store.peek("q").map(\.bodyText) == ["b"])
    }
}
