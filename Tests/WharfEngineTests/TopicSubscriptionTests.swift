import Foundation
import Testing
import WharfCore
@testable import WharfEngine

/// Service Bus topics in the queue store: fan-out by rules to subscriptions that are queues
/// (own locks, dead-letter queue), and everything durable across a restart.
@Suite struct TopicSubscriptionTests {
    @Test func aMessageReachesExactlyTheSubscriptionsWhoseRulesMatchAndSurvivesARestart() throws {
        let f = try QueueFixture()
        try f.store.createTopic("orders")
        try f.store.createSubscription(topic: "orders", name: "all")
        try f.store.createSubscription(topic: "orders", name: "red", rules: [SubscriptionRule(name: "red", filter: .sql("color = 'red' AND quantity > 5"))])
        try f.store.createSubscription(topic: "orders", name: "billing",
                                       rules: [SubscriptionRule(name: "corr", filter: .correlation(CorrelationFilter(to: "billing", properties: ["region": "eu"])))])
        try f.store.createSubscription(topic: "orders", name: "none", rules: [])

        try f.store.send("orders", OutgoingMessage("red-big", applicationProperties: ["color": "red", "quantity": "9"]))
        try f.store.send("orders", OutgoingMessage(messageId: "", body: Array("eu-bill".utf8), to: "billing", applicationProperties: ["region": "eu"]))
        try f.store.send("orders", OutgoingMessage("red-small", applicationProperties: ["color": "red", "quantity": "2"]))

        try f.reopen()
        #expect(f.store.listTopics() == ["orders"])
        #expect(try f.store.listSubscriptions("orders") == ["all", "billing", "none", "red"])
        func bodies(_ sub: String) throws -> [String] {
            try f.store.receive("orders/Subscriptions/\(sub)", max: 10, mode: .receiveAndDelete).map(\.bodyText)
        }
        #expect(try bodies("all") == ["red-big", "eu-bill", "red-small"])
        #expect(try bodies("red") == ["red-big"])
        #expect(try bodies("billing") == ["eu-bill"])
        #expect(try bodies("none") == [])
        // The Subscriptions segment is case-insensitive, as in Service Bus addresses.
        #expect(try f.store.runtimeCounts("orders/subscriptions/all").activeCount == 0)
    }

    @Test func eachSubscriptionHasItsOwnLocksAndDeadLetterQueue() throws {
        let f = try QueueFixture()
        try f.store.createTopic("t")
        try f.store.createSubscription(topic: "t", name: "a")
        try f.store.createSubscription(topic: "t", name: "b")
        try f.store.send("t", OutgoingMessage("one", messageId: "m1"))
        let a = try #require(try f.store.receiveOne("t/Subscriptions/a"))
        try f.store.deadLetter(a, reason: "bad", description: "why")
        let b = try #require(try f.store.receiveOne("t/Subscriptions/b"))
        #expect(b.messageId == "m1" && b.lockToken != a.lockToken)
        try f.store.complete(b)
        let dead = try f.store.receive("t/Subscriptions/a/$DeadLetterQueue", max: 5)
        #expect(dead.map(\.deadLetterReason) == ["bad"] && dead.first?.messageId == "m1")
        #expect(try f.store.runtimeCounts("t/Subscriptions/b").totalCount == 0)
    }

    @Test func rulesChangeDurablyAndBadInputIsRefused() throws {
        let f = try QueueFixture()
        try f.store.createTopic("t")
        try f.store.createSubscription(topic: "t", name: "s")
        try f.store.addRule(topic: "t", subscription: "s", SubscriptionRule(name: "blue", filter: .sql("color = 'blue'")))
        try f.store.removeRule(topic: "t", subscription: "s", name: SubscriptionRule.defaultName)
        try f.reopen()
        #expect(try f.store.listRules(topic: "t", subscription: "s").map(\.name) == ["blue"])
        try f.store.send("t", OutgoingMessage("red", applicationProperties: ["color": "red"]))
        try f.store.send("t", OutgoingMessage("blue", applicationProperties: ["color": "blue"]))
        #expect(try f.store.receive("t/Subscriptions/s", max: 5).map(\.bodyText) == ["blue"])

        #expect(throws: WharfError.self) { try f.store.addRule(topic: "t", subscription: "s", SubscriptionRule(name: "x", filter: .sql("color ="))) }
        #expect(throws: WharfError.self) { try f.store.addRule(topic: "t", subscription: "s", SubscriptionRule(name: "blue", filter: .sql("1=1"))) }
        #expect(throws: WharfError.self) { try f.store.addRule(topic: "t", subscription: "s", SubscriptionRule(name: "c", filter: .correlation(CorrelationFilter()))) }
        #expect(throws: WharfError.self) { try f.store.removeRule(topic: "t", subscription: "s", name: "nope") }
        #expect(throws: WharfError.self) { try f.store.createQueue("t") }
        #expect(throws: WharfError.self) { try f.store.createTopic("t") }
        #expect(throws: WharfError.self) { try f.store.createSubscription(topic: "missing", name: "s") }
        #expect(throws: WharfError.self) { try f.store.createSubscription(topic: "t", name: "s") }
        #expect(throws: WharfError.self) { try f.store.createSubscription(topic: "t", name: String(repeating: "x", count: 51)) }
    }

    @Test func deletingASubscriptionOrATopicRemovesThemForGood() throws {
        let f = try QueueFixture()
        try f.store.createQueue("q")
        try f.store.createTopic("t")
        try f.store.createSubscription(topic: "t", name: "a")
        try f.store.createSubscription(topic: "t", name: "b")
        try f.store.send("t", OutgoingMessage("x"))
        try f.store.deleteSubscription(topic: "t", name: "a")
        try f.store.send("t", OutgoingMessage("y"))
        #expect(try f.store.listSubscriptions("t") == ["b"])
        try f.reopen()
        #expect(try f.store.listSubscriptions("t") == ["b"])
        #expect(try f.store.runtimeCounts("t/Subscriptions/b").activeCount == 2)
        try f.store.deleteTopic("t")
        try f.reopen()
        #expect(f.store.listTopics() == [] && f.store.listQueues() == ["q"])
        try f.store.createTopic("t")
        #expect(try f.store.listSubscriptions("t") == [])
    }
}
