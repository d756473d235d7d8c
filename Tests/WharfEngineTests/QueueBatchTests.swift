import Foundation
import Testing
import WharfCore
@testable import WharfEngine

/// The batched paths a listener uses per read (one log append for many sends, one journal write
/// for many completions), and the journal's hand-built JSON, checked against the per-message
/// paths and through a restart.
@Suite struct QueueBatchTests {
    @Test func aBatchOfSendsIsStoredInOrderAndSurvivesARestart() throws {
        let f = try QueueFixture()
        try f.store.createQueue("q")
        var bad = OutgoingMessage("bad")
        bad.timeToLiveMillis = -1
        let results = f.store.send("q", [OutgoingMessage("a"), bad, OutgoingMessage("b"), OutgoingMessage("c")])
        let seqs = results.compactMap { try? $0.get().sequenceNumber }
        #expect(seqs == [1, 2, 3])
        guard case .failure(.invalidArgument) = results[1] else {
            Issue.record("an invalid message in a batch fails alone, got \(results[1])")
            return
        }
        try f.reopen()
        #expect(try f.store.bodies("q") == ["a", "b", "c"])
        #expect(try f.store.sendTexts("q", ["d"]) == [4])
    }

    @Test func aBatchToAForwardingQueueTakesThePerMessagePath() throws {
        let f = try QueueFixture()
        try f.store.createQueue("target")
        try f.store.createQueue("q", QueueOptions(forwardTo: "target"))
        let results = f.store.send("q", [OutgoingMessage("a"), OutgoingMessage("b")])
        #expect(results.compactMap { try? $0.get().entity } == ["target", "target"])
        #expect(try f.store.bodies("target") == ["a", "b"])
    }

    @Test func aBatchOfCompletionsSettlesEachValidLockOnceAndSurvivesARestart() throws {
        let f = try QueueFixture()
        try f.store.createQueue("q")
        try f.store.sendTexts("q", ["a", "b", "c"])
        let ms = try f.store.receive("q", max: 2)
        let tokens = ms.map { $0.lockToken! }
        let outcomes = try f.store.complete("q", lockTokens: [tokens[0], "not-a-lock", tokens[1], tokens[0]])
        #expect(outcomes.map { $0 == nil } == [true, false, true, false])
        #expect(throws: WharfError.self) { try f.store.complete("q", lockToken: tokens[1]) }
        try f.reopen()
        #expect(try f.store.bodies("q") == ["c"])
    }

    @Test func theHandBuiltJournalJSONIsWhatJSONEncoderWrites() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let entries: [JournalEntry] = [.completed(seq: 1), .completed(seq: Int64.max), .expired(seq: 42), .cancelled(seq: 7),
                                       .abandoned(seq: 3, deliveryCount: 0), .abandoned(seq: 9_000_000_000, deliveryCount: 12),
                                       .deferred(seq: 5, deliveryCount: 2)]
        for e in entries {
            #expect(e.integerJSON == Array(try encoder.encode(e)), "\(e)")
            #expect(try JSONDecoder().decode(JournalEntry.self, from: Data(e.integerJSON!)) == e)
        }
        #expect(JournalEntry.movedOut(seq: 1, to: "q", reason: nil).integerJSON == nil)
    }
}
