import Synchronization
import WharfCore

/// Where the group coordinator persists `__consumer_offsets` records (encoded by
/// `ConsumerOffsetsRecord`). The coordinator appends every commit, deletion and group state
/// change here and acknowledges only after `append` returns, and replays `readAll()` on start.
///
/// Contract: `append` is all-or-nothing for the records of one call, and durable (per the
/// broker's durability policy) when it returns; `readAll` returns every record appended so far,
/// in append order (a compacted log may have dropped superseded ones). Calls may come from any
/// thread, but the coordinator never calls concurrently with itself.
public protocol CommitLog: Sendable {
    func append(_ records: [Record]) throws(WharfError)
    func readAll() throws(WharfError) -> [StoredRecord]
    /// Called before the commits of `offsets` are appended: makes the records below each
    /// committed offset durable, so that a power cut cannot keep a commit and erase the records
    /// it points past (a commit beyond its partition's log end). Nothing to do by default.
    func makeDurable(below offsets: [TopicPartition: Int64]) throws(WharfError)
}

extension CommitLog {
    public func makeDurable(below offsets: [TopicPartition: Int64]) throws(WharfError) {}
}

/// A `CommitLog` in memory, for tests and ephemeral brokers. Thread-safe through a `Mutex`.
/// `failAppends` makes every following `append` throw, to test persist-before-acknowledge.
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

    public func append(_ records: [Record]) throws(WharfError) {
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
    }

    public func readAll() throws(WharfError) -> [StoredRecord] {
        state.withLock { $0.records }
    }

    /// Makes appends throw `error` from now on (nil restores normal appends).
    public func failAppends(with error: WharfError?) {
        state.withLock { $0.failure = error }
    }

    /// Number of records appended so far.
    public var count: Int { state.withLock { $0.records.count } }
}
