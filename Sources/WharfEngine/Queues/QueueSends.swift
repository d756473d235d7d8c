import WharfCore

/// Sends written by `QueueStore.write(_:_:)`: their results hold once they are durable.
public struct QueueSends: Sendable {
    /// One per message, in order: its receipt, or why it was refused (nothing of it written).
    public let results: [Result<SendReceipt, WharfError>]
    let written: [QueueEntity.Written]
    /// The sends to a topic: answered once their copies are written and durable as the policy
    /// promises (never at once: the intent of a message with several copies must be durable first).
    let fanOut: TopicFanOutBatch?

    init(results: [Result<SendReceipt, WharfError>], written: [QueueEntity.Written], fanOut: TopicFanOutBatch? = nil) {
        self.results = results
        self.written = written
        self.fanOut = fanOut
    }

    /// What to wait for before the results hold: none unless the policy is `always` or the
    /// sends went to a topic. Each makes its messages receivable when it reports success.
    public var waits: [DurabilityWait] {
        var waits: [DurabilityWait] = written.filter { $0.durableEnd != nil }.map { w in { w.whenDurable($0) } }
        if let fanOut { waits.append(fanOut.outcome.wait) }
        return waits
    }

    /// `results` after a failed wait: the receipts become `error` (their messages were written,
    /// but an acknowledgement promises durability, which did not happen).
    public func results(failedBy error: WharfError) -> [Result<SendReceipt, WharfError>] {
        results.map { r in r.flatMap { _ in .failure(error) } }
    }

    /// Waits (blocking) until every written message is durable and receivable.
    public func durableBlocking() throws(WharfError) {
        for w in written { try w.durableBlocking() }
        if let fanOut { try DurableWaits.waitBlocking([fanOut.outcome.wait]) }
    }
}
