import Foundation
import WharfCore
import WharfEngine

/// Simulated traffic for `wharf demo`, produced and consumed through the real engine APIs so that
/// every view has something true to show from the first second:
/// - `orders` (6 partitions, keyed by customer, ~120/s) read by `billing`, which keeps up;
/// - `clicks` (8 partitions, unkeyed, 480-720/s in waves) read by `analytics` at 250/s at most,
///   so its lag grows;
/// - `payments` (3 partitions, keyed, bursty ~40/s) read by `fraud-check`, which read a little and
///   then stopped: its lag only grows;
/// - `audit.log` (1 partition, a trickle, short retention) that nobody reads;
/// - `payments.DLT`, a Spring-style dead-letter topic of failed payments (DemoPaymentDeadLetters);
/// - the queue `emails`, whose handler completes most messages, abandons some (so a few reach
///   the max delivery count), dead-letters invalid addresses with a reason, and falls behind
///   while its SMTP relay is down so short-lived one-time codes expire into the dead-letter queue.
public struct DemoTraffic: Sendable {
    public let engine: Engine
    public let queues: QueueStore

    public init(engine: Engine, queues: QueueStore) {
        self.engine = engine
        self.queues = queues
    }

    public struct Stream: Sendable {
        var topic: String
        var partitions: Int32
        var ratePerSecond: Double
        var retentionMs: Int64?
        var keyed: Bool
    }

    public static let streams = [
        Stream(topic: "orders", partitions: 6, ratePerSecond: 120, retentionMs: nil, keyed: true),
        Stream(topic: "clicks", partitions: 8, ratePerSecond: 600, retentionMs: nil, keyed: false),
        Stream(topic: "payments", partitions: 3, ratePerSecond: 40, retentionMs: nil, keyed: true),
        Stream(topic: "audit.log", partitions: 1, ratePerSecond: 5, retentionMs: 3_600_000, keyed: false),
    ]

    public func setUp() async throws {
        for s in Self.streams where !engine.listTopics().contains(s.topic) {
            try engine.createTopic(s.topic, .init(partitions: s.partitions, retentionMs: s.retentionMs))
        }
        // History, so records, time lag and the records browser have content at once.
        for s in Self.streams { try produce(s, count: Int(s.ratePerSecond * 30), tick: 0) }
        if !queues.listQueues().contains("emails") {
            try queues.createQueue("emails", QueueOptions(lockDurationMillis: 30_000, maxDeliveryCount: 3, defaultTimeToLiveMillis: 20_000,
                                                          deadLetteringOnMessageExpiration: true))
        }
        try DemoPaymentDeadLetters.setUp(engine)
        // fraud-check read the first part of payments, committed, and stopped.
        let stopped = EmbeddedConsumer(engine: engine, group: "fraud-check", topics: ["payments"], clientId: "fraud-check")
        _ = try await stopped.poll(maxRecords: 300)
        try await stopped.commit()
        await stopped.close()
    }

    /// Runs until cancelled: producers every 100 ms; `billing` drains everything, `analytics`
    /// reads less than arrives.
    public func run() async {
        let billing = EmbeddedConsumer(engine: engine, group: "billing", topics: ["orders"], clientId: "billing-1")
        let analytics = EmbeddedConsumer(engine: engine, group: "analytics", topics: ["clicks"], clientId: "analytics-1")
        var tick = 0
        while !Task.isCancelled {
            tick += 1
            for s in Self.streams {
                let wave = s.topic == "clicks" ? 0.8 + 0.2 * sin(Double(tick) / 40) : 1
                let burst = s.topic == "payments" && tick % 50 < 5 ? 6.0 : 1
                let n = Int((s.ratePerSecond / 10 * wave * burst).rounded())
                try? produce(s, count: n, tick: tick)
            }
            if let got = try? await billing.poll(maxRecords: 10_000), !got.isEmpty { try? await billing.commit() }
            if let got = try? await analytics.poll(maxRecords: 25), !got.isEmpty { try? await analytics.commit() }
            emailTick(tick)
            if tick % 40 == 0 { try? DemoPaymentDeadLetters.fail(engine, n: tick / 40) }  // a failed payment every 4 s
            try? await Task.sleep(for: .milliseconds(100))
        }
        await billing.close()
        await analytics.close()
    }

    /// The `emails` queue: a sender, and a handler that is right most of the time. All three
    /// ways into the dead-letter queue happen within seconds of start: `MaxDeliveryCountExceeded`
    /// (abandoned until the max delivery count), an explicit `InvalidAddress`, and
    /// `TTLExpiredException` (one-time codes with a 2 s TTL sent while the handler is down).
    private func emailTick(_ tick: Int) {
        let burst = tick % 300 < 30  // every 30 s, 3 s of heavy sending: the handler falls behind
        for i in 0..<(burst ? 8 : 2) {
            let n = tick &* 31 &+ i
            let address = n % 17 == 0 ? "not-an-address" : "user\(n % 500)@example.com"
            let otp = n % 7 == 3
            let template = otp ? "one-time-code" : "receipt"
            _ = try? queues.send("emails", OutgoingMessage(
                body: Array(#"{"to":"\#(address)","template":"\#(template)"}"#.utf8), contentType: "application/json",
                timeToLiveMillis: otp ? 2_000 : nil, applicationProperties: ["template": template]))
        }
        // Every 30 s the SMTP relay is down for 5 s (starting 2 s in): nothing is handled, and
        // the one-time codes sent meanwhile expire into the dead-letter queue.
        guard !(20..<70).contains(tick % 300) else { return }
        guard let messages = try? queues.receive("emails", max: 3, mode: .peekLock) else { return }
        for m in messages {
            let text = m.bodyText
            if text.contains("not-an-address") {
                _ = try? queues.deadLetter(m, reason: "InvalidAddress", description: "recipient is not an e-mail address")
            } else if m.sequenceNumber % 11 == 0 {
                try? queues.abandon(m)  // a flaky SMTP server: retried until the max delivery count
            } else {
                try? queues.complete(m)
            }
        }
    }

    private func produce(_ s: Stream, count: Int, tick: Int) throws {
        guard count > 0 else { return }
        var records: [Record] = []
        records.reserveCapacity(count)
        for i in 0..<count {
            let n = tick &* 7919 &+ i
            let customer = "customer-\(n % 97)"
            let value: String
            switch s.topic {
            case "orders": value = #"{"order":"o-\#(n)","customer":"\#(customer)","total":\#(Double(n % 9000) / 100),"items":\#(1 + n % 5)}"#
            case "clicks": value = #"{"page":"/p/\#(n % 50)","session":"s-\#(n % 400)"}"#
            case "payments": value = #"{"payment":"pay-\#(n)","customer":"\#(customer)","amount":\#(Double(n % 20000) / 100),"currency":"EUR"}"#
            default: value = "user admin-\(n % 3) changed setting \(n % 11)"
            }
            records.append(Record(key: s.keyed ? customer : nil, value: value,
                                  headers: [RecordHeader("content-type", s.topic == "audit.log" ? "text/plain" : "application/json")]))
        }
        try engine.produce(topic: s.topic, records: records)
    }
}
