import WharfCore

/// An append that is written (offsets assigned, bytes in the page cache) but, under the
/// `always` fsync policy, not yet acknowledged: `durable()` returns once an fdatasync covers it.
/// Splitting the two lets one caller write several appends in arrival order and wait for all of
/// them together, and lets one fdatasync of the log's group commit cover them all.
public struct PendingAppend: Sendable {
    public let result: AppendResult
    /// The log and the end offset an fdatasync must reach; nil when nothing needs waiting for
    /// (`interval`/`never`, or an append already covered).
    let awaiting: (log: PartitionLog, end: Int64)?

    init(result: AppendResult, awaiting: (log: PartitionLog, end: Int64)?) {
        self.result = result
        self.awaiting = awaiting
    }

    /// Returns once the append is durable as its log's fsync policy promises (at once unless
    /// `always`); throws if the fdatasync failed (the log then stops, see `PartitionLog.sync`).
    public func durable() async throws(WharfError) {
        guard let awaiting else { return }
        try await awaiting.log.waitDurable(upTo: awaiting.end)
    }

    /// `durable()` blocking the calling thread (the engine's synchronous callers).
    public func durableBlocking() throws(WharfError) {
        guard let awaiting else { return }
        try awaiting.log.waitDurableBlocking(upTo: awaiting.end)
    }
}
