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
    /// Under `interval`, the sync this append found due (running on the log's syncer): not part
    /// of the policy's promise, so `durable()` does not wait for it; the synchronous
    /// `durableBlocking()` does, so `PartitionLog.append` returns after it as it always did.
    let dueSync: (log: PartitionLog, end: Int64)?
    /// Writing it woke parked readers (long-poll fetches), which can already see it (anything
    /// but `always`, where the syncer wakes them after the fdatasync). A caller that answers
    /// both on one thread can let their answers go first: they deliver the records.
    public let wokeReaders: Bool

    init(result: AppendResult, awaiting: (log: PartitionLog, end: Int64)?, dueSync: (log: PartitionLog, end: Int64)? = nil,
         wokeReaders: Bool = false) {
        self.result = result
        self.awaiting = awaiting
        self.dueSync = dueSync
        self.wokeReaders = wokeReaders
    }

    /// The append is already as durable as its log's policy promises (`durable()` would return
    /// at once): anything but `always`, or an append an earlier fdatasync covered.
    public var isDurable: Bool { awaiting == nil }

    /// Returns once the append is durable as its log's fsync policy promises (at once unless
    /// `always`); throws if the fdatasync failed (the log then stops, see `PartitionLog.sync`).
    public func durable() async throws(WharfError) {
        guard let awaiting else { return }
        try await awaiting.log.waitDurable(upTo: awaiting.end)
    }

    /// Asks the log's syncer now for the fdatasync that `durable()` will wait for, without
    /// waiting: a caller with more to do before it waits (a listener handing its answer over)
    /// lets the disk work meanwhile, and `durable()` then finds the round under way or done.
    /// Nothing to ask for when the append is already durable. A caller on a thread that can run
    /// the round itself between its jobs (an event loop) passes a `runner` (see `LogSyncer`).
    public func requestDurability(runner: SyncRoundRunner? = nil) {
        guard let awaiting else { return }
        awaiting.log.startDueSync(upTo: awaiting.end, runner: runner)
    }

    /// Calls `body` (nil, or the error of the fdatasync that failed) once the append is durable
    /// as `durable()` means it: at once when it already is, else on the log's syncer thread
    /// (see `PartitionLog.whenDurable`).
    public func whenDurable(_ body: @escaping @Sendable (WharfError?) -> Void) {
        guard let awaiting else { return body(nil) }
        awaiting.log.whenDurable(upTo: awaiting.end, body)
    }

    /// `durable()` blocking the calling thread (the engine's synchronous callers).
    public func durableBlocking() throws(WharfError) {
        guard let awaiting = awaiting ?? dueSync else { return }
        try awaiting.log.waitDurableBlocking(upTo: awaiting.end)
    }
}
