import Synchronization
import WharfCore
import WharfStorage

/// Where the group coordinator persists `__consumer_offsets` records (encoded by
/// `ConsumerOffsetsRecord`). The coordinator writes every commit, deletion and group state
/// change here and acknowledges only once the write is durable, and replays `readAll()` on start.
///
/// Contract: `write` is all-or-nothing for the records of one call and lands after every earlier
/// write (the coordinator, an actor, calls it without suspending between its checks, the write and
/// its in-memory update, so log order is memory order); `CommitLogWrite.durable()` returns once
/// the records are durable per the broker's durability policy. Waiting there, rather than inside
/// `write`, lets the coordinator take the next commit while an fdatasync runs, so under `always`
/// one fdatasync covers every commit that arrived meanwhile (group commit), and no thread of the
/// concurrency pool blocks on the disk. `readAll` returns every record written so far, in order
/// (a compacted log may have dropped superseded ones). Calls may come from any thread, but the
/// coordinator never calls concurrently with itself.
public protocol CommitLog: Sendable {
    func write(_ records: [Record]) throws(WharfError) -> CommitLogWrite
    func readAll() throws(WharfError) -> [StoredRecord]
    /// Called before the commits of `offsets` are written: makes the records below each
    /// committed offset durable, so that a power cut cannot keep a commit and erase the records
    /// it points past (a commit beyond its partition's log end). Nothing to do by default.
    func makeDurable(below offsets: [TopicPartition: Int64]) async throws(WharfError)
}

extension CommitLog {
    public func makeDurable(below offsets: [TopicPartition: Int64]) async throws(WharfError) {}
}

/// A `CommitLog.write` whose records may not be durable yet.
public struct CommitLogWrite: Sendable {
    let pending: PendingAppend?

    /// A write that is durable as it stands (in memory, or nothing written).
    public static let durable = CommitLogWrite(pending: nil)

    init(pending: PendingAppend?) {
        self.pending = pending
    }

    /// Returns once the records are durable per the log's fsync policy; throws if the
    /// fdatasync failed (the log then stops taking writes).
    public func durable() async throws(WharfError) {
        try await pending?.durable()
    }
}

/// A `CommitLog` in memory, for tests and ephemeral brokers. Thread-safe through a `Mutex`.
/// `failAppends` makes every following `write` throw, to test persist-before-acknowledge.
public final class InMemoryCommitLog: CommitLog {
    private struct State {
        var records: [StoredRecord] = []
        var failure: WharfError?
    }

    private let state = Mutex(State())
    private let clock: any WallClock

    public init(clock: any WallClock = SystemClock()) {
        self.clock = clock
    }

    public func write(_ records: [Record]) throws(WharfError) -> CommitLogWrite {
        let now = clock.nowMillis()
        let result: Result<Void, WharfError> = state.withLock { s in
            if let failure = s.failure { return .failure(failure) }
            for r in records {
                s.records.append(StoredRecord(
                    offset: Int64(s.records.count), timestamp: r.timestamp ?? now,
                    key: r.key, value: r.value, headers: r.headers))
            }
            return .success(())
        }
        try result.get()
        return .durable
    }

    public func readAll() throws(WharfError) -> [StoredRecord] {
        state.withLock { $0.records }
    }

    /// Makes writes throw `error` from now on (nil restores normal writes).
    public func failAppends(with error: WharfError?) {
        state.withLock { $0.failure = error }
    }

    /// Number of records appended so far.
    public var count: Int { state.withLock { $0.records.count } }
}
