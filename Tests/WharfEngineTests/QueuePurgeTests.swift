import Foundation
import Testing
import WharfCore
@testable import WharfEngine

/// Purge of a queue or a dead-letter queue, undo within the window, and the window's end.
@Suite struct QueuePurgeTests {
    @Test func purgeThenUndoRestoresMessagesAndStates() throws {
        let f = try QueueFixture()
        try f.store.createQueue("q")
        try f.store.sendTexts("q", ["a", "b", "c"])
        let a = try #require(try f.store.receiveOne("q"))
        try f.store.deferMessage("q", lockToken: a.lockToken!)
        let b = try #require(try f.store.receiveOne("q"))
        #expect(try f.store.purge("q", dryRun: true) == PurgeResult(entity: "q", dryRun: true, count: 3, restorableUntil: nil))
        #expect(try f.store.peek("q").count == 3)
        let p = try f.store.purge("q")
        #expect(p.count == 3 && p.restorableUntil == f.clock.nowMillis() + 15 * 60_000)
        #expect(try f.store.peek("q").isEmpty)
        #expect(try f.store.runtimeCounts("q").totalCount == 0)
        #expect(throws: WharfError.self) { try f.store.complete("q", lockToken: b.lockToken!) }
        try f.reopen()
        #expect(try f.store.peek("q").isEmpty)
        f.advance(seconds: 14 * 60)
        #expect(try f.store.undoPurge("q") == 3)
        let back = try f.store.peek("q")
        #expect(back.map(\.bodyText) == ["a", "b", "c"] && back.map(\.state) == [.deferred, .active, .active])
        #expect(back.map(\.sequenceNumber) == [1, 2, 3])
        try f.reopen()
        #expect(try f.store.peek("q").count == 3)
    }

    @Test func afterTheWindowPurgedMessagesAreGoneForGood() throws {
        let f = try QueueFixture(purgeUndoWindow: 60_000)
        try f.store.createQueue("q")
        try f.store.sendTexts("q", ["a"])
        try f.store.purge("q")
        f.advance(seconds: 60)
        #expect(try f.store.undoPurge("q") == 0)
        try f.store.tick()
        try f.reopen()
        #expect(try f.store.undoPurge("q") == 0)
        #expect(try f.store.peek("q").isEmpty)
        try f.store.sendTexts("q", ["b"])
        #expect(try f.store.bodies("q") == ["b"])
    }

    @Test func purgeTheDeadLetterQueueOnly() throws {
        let f = try QueueFixture()
        try f.store.createQueue("q")
        try f.store.sendTexts("q", ["a", "b"])
        let a = try #require(try f.store.receiveOne("q"))
        try f.store.deadLetter("q", lockToken: a.lockToken!)
        #expect(try f.store.purge("q/$deadletterqueue").count == 1)
        #expect(try f.store.runtimeCounts("q").deadLetterCount == 0)
        #expect(try f.store.bodies("q") == ["b"])
        #expect(try f.store.undoPurge("q/$deadletterqueue") == 1)
        #expect(try f.store.runtimeCounts("q").deadLetterCount == 1)
    }
}
