import Foundation
import Testing
import WharfCore
@testable import WharfEngine

/// Properties-to-modify on abandon, defer and dead-letter (the .NET SDK's `propertiesToModify`):
/// the next receive, peek, receive-by-sequence-number and dead-letter copy show them, with their
/// types, through a restart and a journal compaction.
@Suite struct QueuePropertyChangesTests {
    static let changes = ApplicationPropertyChanges(values: ["attempt": "2", "note": "retry"], types: ["attempt": .int])

    @Test func abandonAndDeferChangesShowOnTheNextReceiveAfterRestartAndCompaction() throws {
        let f = try QueueFixture()
        try f.store.createQueue("q")
        try f.store.send("q", OutgoingMessage("a", applicationProperties: ["note": "first", "kept": "yes"]))
        try f.store.send("q", OutgoingMessage("d"))
        let (a, d) = try { () throws -> (QueueMessage, QueueMessage) in
            let both = try f.store.receive("q", max: 2)
            return (both[0], both[1])
        }()
        try f.store.abandon("q", lockToken: a.lockToken!, modifying: Self.changes)
        try f.store.deferMessage("q", lockToken: d.lockToken!, modifying: ApplicationPropertyChanges(values: ["deferred-by": "test"]))
        let again = try #require(try f.store.receiveOne("q"))
        #expect(again.bodyText == "a" && again.applicationProperties == ["note": "retry", "kept": "yes", "attempt": "2"])
        #expect(again.applicationPropertyTypes == ["attempt": .int])
        try f.store.abandon("q", lockToken: again.lockToken!, modifying: ApplicationPropertyChanges(values: ["attempt": "3"]))
        for step in ["restart", "compaction"] {
            if step == "compaction" { #expect(try f.store.entity("q").compactJournal(minEntries: 1, perLiveMessage: 0)) }
            try f.reopen()
            let peeked = try f.store.peek("q", max: 10)
            // A later change replaces the earlier one, type included (a string now).
            #expect(peeked.first?.applicationProperties == ["note": "retry", "kept": "yes", "attempt": "3"], "\(step)")
            #expect(peeked.first?.applicationPropertyTypes == [:], "\(step)")
            let deferred = try #require(try f.store.receiveDeferred("q", sequenceNumbers: [d.sequenceNumber], mode: .peekLock).first)
            #expect(deferred.applicationProperties == ["deferred-by": "test"], "\(step)")
            try f.store.release("q", lockToken: deferred.lockToken!)
        }
    }

    @Test func deadLetterCopiesCarryTheChangesAndTheEarlierOnes() throws {
        let f = try QueueFixture()
        try f.store.createQueue("q", QueueOptions(maxDeliveryCount: 2))
        try f.store.sendTexts("q", ["explicit", "poison"])
        let explicit = try #require(try f.store.receiveOne("q"))
        try f.store.deadLetter("q", lockToken: explicit.lockToken!, reason: "R", modifying: Self.changes)
        // Abandoned twice with changes: the max-delivery-count dead-letter copy has both.
        let first = try #require(try f.store.receiveOne("q"))
        try f.store.abandon("q", lockToken: first.lockToken!, modifying: ApplicationPropertyChanges(values: ["one": "1"]))
        let second = try #require(try f.store.receiveOne("q"))
        try f.store.abandon("q", lockToken: second.lockToken!, modifying: ApplicationPropertyChanges(values: ["two": "2"]))
        try f.reopen()
        let dead = try f.store.peek("q/$deadletterqueue", max: 10)
        #expect(dead.map(\.bodyText) == ["explicit", "poison"])
        #expect(dead[0].applicationProperties == ["DeadLetterReason": "R", "note": "retry", "attempt": "2"])
        #expect(dead[0].applicationPropertyTypes == ["attempt": .int])
        #expect(dead[1].applicationProperties["one"] == "1" && dead[1].applicationProperties["two"] == "2")
        #expect(dead[1].deadLetterReason == "MaxDeliveryCountExceeded")
    }

    @Test func brokerOwnedNamesCannotBeModified() throws {
        let f = try QueueFixture()
        try f.store.createQueue("q")
        try f.store.sendTexts("q", ["m"])
        let m = try #require(try f.store.receiveOne("q"))
        for name in ["x-sb-session-id", "DeadLetterReason"] {
            #expect(throws: WharfError.self) { try f.store.abandon("q", lockToken: m.lockToken!, modifying: ApplicationPropertyChanges(values: [name: "x"])) }
        }
        // The refused settlement left the lock in place.
        try f.store.complete("q", lockToken: m.lockToken!)
    }
}
