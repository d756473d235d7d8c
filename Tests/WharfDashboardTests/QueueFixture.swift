@testable import WharfDashboard

/// The synthetic cluster plus two queues and their dead-letter queues (one of them growing),
/// and a dead-letter topic, fed over six ticks; and a page of dead-lettered messages.
enum QueueFixture {
    static func queues(tick i: Int) -> [QueueSnapshot] {
        [QueueSnapshot(name: "emails", active: Int64(40 + 5 * i), locked: 3, deferred: 1, scheduled: 2, deadLettered: Int64(12 + 3 * i),
                       sizeBytes: 48_213, oldestAgeMs: 12_500),
         QueueSnapshot(name: "invoices", active: 0, deadLettered: 0, sizeBytes: 0),
         QueueSnapshot(name: "shipping", active: Int64(900 - 20 * i), locked: 10, deadLettered: 4, sizeBytes: 1_250_000, oldestAgeMs: 95_000)]
    }

    static func deadLetters(tick i: Int) -> [DeadLetterSnapshot] {
        [DeadLetterSnapshot(entity: "emails/$deadletterqueue", count: Int64(12 + 3 * i), oldestAgeMs: 61_000,
                            topReasons: [DeadLetterReasonCount("InvalidAddress", Int64(6 + 2 * i)),
                                         DeadLetterReasonCount("MaxDeliveryCountExceeded", Int64(4 + i)),
                                         DeadLetterReasonCount("TTLExpiredException", 2)]),
         DeadLetterSnapshot(entity: "invoices/$deadletterqueue", count: 0),
         DeadLetterSnapshot(entity: "shipping/$deadletterqueue", count: 4, oldestAgeMs: 3_600_000,
                            topReasons: [DeadLetterReasonCount("MaxDeliveryCountExceeded", 4)]),
         DeadLetterSnapshot(entity: "payments.DLT", count: 7, oldestAgeMs: 300_000, kind: .topic(originalTopic: "payments"),
                            topReasons: [DeadLetterReasonCount("NumberFormatException", 7)])]
    }

    static func state(width: Int = 80, height: Int = 24, readOnly: Bool = false, ticks: Int = 6,
                      capabilities: SourceCapabilities = .all) -> DashboardState {
        var cluster = SyntheticCluster(demoAt: Fixture.start)
        var state = DashboardState(capabilities: capabilities, readOnly: readOnly, width: width, height: height)
        for i in 0..<ticks {
            cluster.advance(to: Fixture.start + Int64(i) * 1000)
            var snap = cluster.snapshot(source: "/var/lib/wharf", listener: "listening on :9092")
            snap.queues = queues(tick: i)
            snap.deadLetters = deadLetters(tick: i)
            _ = state.update(.tick(snap))
        }
        return state
    }

    static let messages: [DeadLetterMessageRow] = (0..<27).map { i in
        let reasons = ["InvalidAddress", "MaxDeliveryCountExceeded", "TTLExpiredException"]
        let reason = reasons[i % 3]
        let description: String? = switch i % 3 {
        case 0: "recipient is not an e-mail address"
        case 1: "message could not be consumed after 3 delivery attempts"
        default: "message expired"
        }
        return DeadLetterMessageRow(sequenceNumber: Int64(101 + i), messageId: "m-\(101 + i)",
                                    enqueuedTimeMs: Fixture.start - 60_000 + Int64(i) * 1_000, reason: reason,
                                    errorDescription: description, deliveryCount: i % 3 == 1 ? 3 : 1,
                                    properties: [("template", i % 2 == 0 ? "receipt" : "one-time-code")],
                                    body: Array(#"{"to":"user\#(i)@example.com","template":"receipt"}"#.utf8))
    }

    /// Opens the emails dead-letter browser (Dead letters view, Enter) and answers the load.
    @discardableResult
    static func openBrowser(_ state: inout DashboardState) -> [Effect] {
        let effects = Fixture.press(&state, [.char("5"), .enter])
        _ = state.update(.deadLettersLoaded(entity: "emails/$deadletterqueue", rows: messages))
        return effects
    }
}
