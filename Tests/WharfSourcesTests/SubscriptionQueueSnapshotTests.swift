import Foundation
import Testing
import WharfCore
import WharfEngine
import WharfSources

/// The dashboard's Queues and Dead letters views show Service Bus subscriptions like queues:
/// they come from the same queue store.
@Suite struct SubscriptionQueueSnapshotTests {
    @Test func aSubscriptionAndItsDeadLetterQueueAreListedWithTheirCounts() throws {
        let dir = NSTemporaryDirectory() + "wharf-sub-snapshot-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let q = try QueueStore.open(dataDirectory: dir, fsync: .never)
        defer { try? q.close() }
        try q.createQueue("plain")
        try q.createTopic("orders")
        try q.createSubscription(topic: "orders", name: "audit")
        try q.send("orders", OutgoingMessage("a"))
        try q.send("orders", OutgoingMessage("b"))
        let m = try #require(try q.receive("orders/Subscriptions/audit").first)
        try q.deadLetter(m, reason: "bad")

        let snapshots = SourceDashboardDriver<EngineSource>.queueSnapshots(q)
        #expect(snapshots.map(\.name) == ["orders/Subscriptions/audit", "plain"])
        let audit = try #require(snapshots.first)
        #expect(audit.active == 1 && audit.deadLettered == 1)
        #expect(q.listDeadLetterQueues().contains("orders/Subscriptions/audit/$deadletterqueue"))
    }
}
