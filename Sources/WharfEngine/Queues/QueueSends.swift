import WharfCore

/// Sends written by `QueueStore.write(_:_:)`: their results hold once they are durable.
public struct QueueSends: Sendable {
    /// One per message, in order: its receipt, or why it was refused (nothing of it written).
    public let results: [Result<SendReceipt, WharfError>]
    let written: [QueueEntity.Written]

    /// What to wait for before the results hold: none unless the policy is `always`. Each
    /// makes its messages receivable when it reports success.
    public var waits: [DurabilityWait] {
        written.filter { $0.durableEnd != nil }.map { w in { w.whenDurable($0) } }
    }

    /// `results` after a failed wait: the receipts become `error` (their messages were written,
    /// but an acknowledgement promises durability, which did not happen).
    public func results(failedBy error: WharfError) -> [Result<SendReceipt, WharfError>] {
        results.map { r in r.flatMap { _ in .failure(error) } }
    }

    /// Waits (blocking) until every written message is durable and receivable.
    public func durableBlocking() throws(WharfError) {
        for w in written { try w.durableBlocking() }
    }
}
