import Foundation
import Testing
import WharfCore
@testable import WharfEngine

/// Application properties keep the type they were sent with (beside their text) through every
/// path a message takes in the queue store and across a restart; SQL filters compare typed
/// numbers as numbers; SQL rule actions (`SET`, `REMOVE`) change a subscription's copy.
@Suite struct TypedPropertyAndRuleActionTests {
    static let typed = OutgoingMessage(messageId: "typed", body: Array("b".utf8), applicationProperties: [
        "s": "text", "i": "42", "l": "1099511627776", "d": "2.5", "b": "true", "t": "1800000000123",
        "u": "6d0a3c3e-8f0a-4b9e-9c1e-2b3c4d5e6f70", "bin": "00ff", "sh": "-7", "n": "",
    ])
    static let types: [String: ApplicationPropertyType] = [
        "i": .int, "l": .long, "d": .double, "b": .bool, "t": .timestamp, "u": .uuid, "bin": .binary, "sh": .short, "n": .null,
    ]
    static var typedMessage: OutgoingMessage {
        var m = typed
        m.applicationPropertyTypes = types
        return m
    }

    @Test func typesSurviveReceiveDeferDeadLetterRequeueFanOutAndARestart() throws {
        let f = try QueueFixture()
        try f.store.createQueue("q")
        try f.store.send("q", Self.typedMessage)
        try f.reopen()
        let first = try #require(try f.store.receiveOne("q"))
        #expect(first.applicationProperties == Self.typed.applicationProperties && first.applicationPropertyTypes == Self.types)
        try f.store.deferMessage("q", lockToken: first.lockToken!)
        let deferred = try #require(try f.store.receiveDeferred("q", sequenceNumbers: [first.sequenceNumber], mode: .peekLock, session: nil).first)
        #expect(deferred.applicationPropertyTypes == Self.types)
        try f.store.deadLetter("q", lockToken: deferred.lockToken!, reason: "r", description: "d")
        try f.reopen()
        let dead = try #require(try f.store.peek("q/$deadletterqueue", fromSequenceNumber: 1, max: 1).first)
        #expect(dead.applicationPropertyTypes == Self.types && dead.deadLetterReason == "r")
        _ = try f.store.requeue("q", .all)
        let back = try #require(try f.store.receiveOne("q", mode: .receiveAndDelete))
        #expect(back.applicationPropertyTypes == Self.types && back.applicationProperties["i"] == "42" && back.applicationProperties["requeue-count"] == "1")

        try f.store.createTopic("t")
        try f.store.createSubscription(topic: "t", name: "all")
        try f.store.send("t", Self.typedMessage)
        let copy = try #require(try f.store.receiveOne("t/Subscriptions/all", mode: .receiveAndDelete))
        #expect(copy.applicationPropertyTypes == Self.types)
    }

    @Test func sqlFiltersCompareTypedNumbersAsNumbersAndBooleansAsBooleans() throws {
        let m = FilterableMessage(Self.typedMessage)
        func matches(_ text: String) throws -> Bool { try SQLFilter(text).matches(m) }
        #expect(try matches("i = 42 AND i > 41.5 AND l > 1000000000000 AND d < 3 AND sh = -7 AND i IN (1, 42)"))
        #expect(try matches("b = TRUE") && !matches("b = FALSE"))
        // A number sent as a number is not text: LIKE does not match it (text still does).
        #expect(try !matches("i LIKE '4%'") && matches("s LIKE 'te%'"))
        // A property sent as null exists and IS NULL; it equals nothing.
        #expect(try matches("EXISTS(n) AND n IS NULL") && !matches("n = ''"))
        // Untyped text (what the CLI sends) that reads as a number still compares as one.
        let untyped = FilterableMessage(OutgoingMessage("x", applicationProperties: ["quantity": "9"]))
        #expect(try SQLFilter("quantity > 5").matches(untyped))
    }

    @Test func sqlRuleActionsSetAndRemoveOnTheMatchingSubscriptionsCopyOnly() throws {
        let f = try QueueFixture()
        try f.store.createTopic("t")
        try f.store.createSubscription(topic: "t", name: "plain")
        try f.store.createSubscription(topic: "t", name: "acted", rules: [
            SubscriptionRule(name: "red", filter: .sql("color = 'red'"),
                             action: "SET quantity = quantity * 2; SET sys.Label = 'doubled', SET tag = 'x' + color; REMOVE secret; SET gone = NULL"),
        ])
        var m = OutgoingMessage("m", applicationProperties: ["color": "red", "quantity": "4", "secret": "s"])
        m.applicationPropertyTypes = ["quantity": .int]
        try f.store.send("t", m)
        try f.reopen()
        let plain = try #require(try f.store.receiveOne("t/Subscriptions/plain", mode: .receiveAndDelete))
        #expect(plain.applicationProperties == m.applicationProperties && plain.subject == nil)
        let acted = try #require(try f.store.receiveOne("t/Subscriptions/acted", mode: .receiveAndDelete))
        #expect(acted.subject == "doubled")
        #expect(acted.applicationProperties == ["color": "red", "quantity": "8", "tag": "xred", "gone": ""])
        #expect(acted.applicationPropertyTypes == ["quantity": .long, "gone": .null])
    }

    @Test func eachMatchingRuleWithAnActionMakesItsOwnCopy() throws {
        let f = try QueueFixture()
        try f.store.createTopic("t")
        try f.store.createSubscription(topic: "t", name: "s", rules: [
            .defaultRule,
            SubscriptionRule(name: "a", filter: .sql("1=1"), action: "SET which = 'a'"),
            SubscriptionRule(name: "b", filter: .sql("1=1"), action: "SET which = 'b'"),
            SubscriptionRule(name: "c", filter: .sql("1=0"), action: "SET which = 'c'"),
        ])
        try f.store.send("t", OutgoingMessage("m"))
        let got = try f.store.receive("t/Subscriptions/s", max: 10, mode: .receiveAndDelete)
        #expect(got.map { $0.applicationProperties["which"] } == [nil, "a", "b"])
    }

    @Test func badActionsAreRefusedWithOneLine() throws {
        for bad in ["", "SET", "SET a", "SET a = ", "DELETE a", "SET sys.MessageId = 'x'", "REMOVE sys.Label", "SET a = 1 SET b = 2",
                    String(repeating: "SET a = 1;", count: 200)] {
            #expect(throws: WharfError.self, "\(bad)") { try SQLRuleAction(bad) }
        }
        let f = try QueueFixture()
        try f.store.createTopic("t")
        #expect(throws: WharfError.self) {
            try f.store.createSubscription(topic: "t", name: "s", rules: [SubscriptionRule(name: "r", filter: .sql("1=1"), action: "SET")])
        }
        // An action whose result is not a valid message leaves the copy as sent.
        try f.store.createSubscription(topic: "t", name: "ok", rules: [SubscriptionRule(name: "r", filter: .sql("1=1"), action: "SET sys.SessionId = ''")])
        try f.store.send("t", OutgoingMessage("m", sessionId: nil))
        #expect(try f.store.receiveOne("t/Subscriptions/ok", mode: .receiveAndDelete)?.sessionId == nil)
    }
}
