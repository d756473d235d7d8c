import WharfCore
import WharfStorage

/// Completions journaled by `QueueStore.writeCompletions`: their results hold once durable.
public struct QueueCompletions: Sendable {
    /// One per lock token: nil (completed) or why that one was not.
    public let results: [WharfError?]
    let pending: PendingAppend?

    /// What to wait for before the results hold: none unless the policy is `always`.
    public var waits: [DurabilityWait] { QueueStore.waits(pending) }

    /// Waits (blocking) until the completions are durable.
    public func durableBlocking() throws(WharfError) {
        try pending?.durableBlocking()
    }
}

