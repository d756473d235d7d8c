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
    /// The offset of the intent record of `copies[0]` (copy i's is `firstIntent + i`); nil when
    /// the batch has no intent (no message has two copies, or the topic has no intent log).
    let firstIntent: Int64?

    private struct State {
        /// nil until answered; then nil (acknowledged) or the error.
        var answer: WharfError??
        var waiting: [@Sendable (WharfError?) -> Void] = []
        /// Per message, its first copy's receipt (the topic's own, with no sequence number, when
        /// no subscription took it), once the copies are written.
        var receipts: [SendReceipt] = []
    }

    private let state = Mutex(State())

    init(topic: String, messageCount: Int, copies: [Copy], firstIntent: Int64?) {
        self.topic = topic
        self.messageCount = messageCount
        self.copies = copies
        self.firstIntent = firstIntent
    }

    /// Whether any message has more than one copy: only then can a crash leave it half sent.
    static func needsIntent(_ copies: [Copy]) -> Bool {
        zip(copies, copies.dropFirst()).contains { $0.message == $1.message }
    }

    /// Calls `body` once the batch is answered: nil when every copy is as durable as the policy
    /// promises (and receivable), else why not. At once if it already is.
    func whenAnswered(_ body: @escaping @Sendable (WharfError?) -> Void) {
        let answer = state.withLock { s -> WharfError?? in
            if s.answer == nil { s.waiting.append(body) }
            return s.answer
        }
        if let answer { body(answer) }
    }

    /// `whenAnswered` as a `DurabilityWait`.
    var wait: DurabilityWait { { [self] body in whenAnswered(body) } }

    func answer(_ error: WharfError?) {
        let waiting = state.withLock { s -> [@Sendable (WharfError?) -> Void] in
            guard s.answer == nil else { return [] }
            s.answer = .some(error)
            defer { s.waiting = [] }
            return s.waiting
        }
        for body in waiting { body(error) }
    }

    /// The receipts, one per message: meaningful once answered without an error.
    var receipts: [SendReceipt] { state.withLock { $0.receipts } }

    func setReceipts(_ receipts: [SendReceipt]) { state.withLock { $0.receipts = receipts } }
}
