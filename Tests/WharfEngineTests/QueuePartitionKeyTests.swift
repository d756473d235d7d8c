import Foundation
import Testing
import WharfCore
@testable import WharfEngine

/// Service Bus `PartitionKey` (`x-opt-partition-key`): kept with the message through restart,
/// dead-lettering, requeue and topic fan-out, and validated as the service does (at most 128
/// characters, equal to the session id when both are set).
@Suite struct QueuePartitionKeyTests {
    static func keyed(_ text: String, key: String?, session: String? = nil) -> OutgoingMessage {
        var m = OutgoingMessage(text, sessionId: session)
        m.partitionKey = key
        return m
    }

    @Test func thePartitionKeySurvivesRestartDeadLetteringAndRequeue() throws {
        let f = try QueueFixture()
        try f.store.createQueue("q")
        try f.store.send("q", Self.keyed("a", key: "pk-a"))
        try f.store.send("q", Self.keyed("b", key: nil))
        try f.reopen()
        #expect(try f.store.peek("q", max: 10).map(\.partitionKey) == ["pk-a", nil])
        let a = try #require(try f.store.receiveOne("q"))
        #expect(a.partitionKey == "pk-a")
        try f.store.deadLetter("q", lockToken: a.lockToken!, reason: "R")
        try f.reopen()
        let dead = try #require(try f.store.peek("q/$deadletterqueue").first)
        #expect(dead.partitionKey == "pk-a")
        try f.store.requeue("q", .sequenceNumbers([dead.sequenceNumber]))
        #expect(try f.store.peek("q", max: 10).first { $0.bodyText == "a" }?.partitionKey == "pk-a")
    }

    @Test func aPartitionKeyThatDiffersFromTheSessionIdOrIsTooLongIsRefused() throws {
        let f = try QueueFixture()
        try f.store.createQueue("s", QueueOptions(requiresSession: true))
        try f.store.createTopic("t")
        try f.store.createSubscription(topic: "t", name: "all")
        try f.store.send("s", Self.keyed("same", key: "S1", session: "S1"))
        for entity in ["s", "t"] {
            #expect(throws: WharfError.self) { try f.store.send(entity, Self.keyed("differs", key: "other", session: "S1")) }
            #expect(throws: WharfError.self) { try f.store.send(entity, Self.keyed("long", key: String(repeating: "k", count: 129))) }
        }
        try f.store.send("t", Self.keyed("fanned", key: String(repeating: "k", count: 128)))
        #expect(try f.store.peek("t/subscriptions/all").first?.partitionKey == String(repeating: "k", count: 128))
        #expect(try f.store.peek("s").map(\.bodyText) == ["same"])
        #expect(try f.store.peek("s").first?.partitionKey == "S1")
    }
}
