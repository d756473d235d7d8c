import Synchronization
import WharfCore

/// The messages of one send (or one read's sends) to a topic, on their way to its subscriptions
/// through `TopicFanOut`'s pipeline: the copies to write, where their intent begins, and the
/// senders waiting for the answer.
final class TopicFanOutBatch: Sendable {
    /// One copy: the message it is of (index in the send), the subscription, and what it stores.
    struct Copy: Sendable {
        let message: Int
        let path: String
        let copy: OutgoingMessage
    }

    let topic: String
    let messageCount: Int
    let copies: [Copy]
    /// Where its intent was written; nil when the batch has none (no message has two copies, or
    /// the topic has no intent log).
    let intent: TopicFanOut.Intent?

    /// Answered once every copy is as durable as the policy promises (and receivable), or why not.
    let outcome = DurabilityPromise()
    /// Per message, its first copy's receipt (the topic's own, with no sequence number, when no
    /// subscription took it), set once the copies are written.
    private let writtenReceipts = Mutex<[SendReceipt]>([])

    init(topic: String, messageCount: Int, copies: [Copy], intent: TopicFanOut.Intent?) {
        self.topic = topic
        self.messageCount = messageCount
        self.copies = copies
        self.intent = intent
    }

    /// Copy i's fan-out marker (nil without an intent).
    func marker(ofCopy i: Int) -> String? {
        intent.map { QueueStore.fanOutMarker(topic: topic, offset: $0.first + Int64($0.recordOfCopy[i])) }
    }

    /// Whether any message has more than one copy: only then can a crash leave it half sent.
    static func needsIntent(_ copies: [Copy]) -> Bool {
        zip(copies, copies.dropFirst()).contains { $0.message == $1.message }
    }

    /// The receipts, one per message: meaningful once answered without an error.
    var receipts: [SendReceipt] { writtenReceipts.withLock { $0 } }

    func setReceipts(_ receipts: [SendReceipt]) { writtenReceipts.withLock { $0 = receipts } }
}
