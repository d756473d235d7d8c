import Foundation
import Logging
import Synchronization
import WharfCore
import WharfEngine
import WharfStorage

/// Event streams on one Wharf log: append with optimistic concurrency, reads, categories,
/// catch-up and persistent subscriptions, and their lag.
///
/// Layout under `<data>/events/` (next to the Engine's `<data>/topics/`, in the same data
/// directory; the Engine holds the directory lock and the store relies on it):
///
///     all-0/                      the `$all` log: a `PartitionLog` (segments of RecordBatch v2,
///                                 one record per event, see `EventRecordCodec`); retention off
///     subscriptions/<name>.json   one persistent subscription group: settings, checkpoint,
///                                 parked-replay cursor (see `PersistentSubscriptionFile`)
///
/// Positions in `$all` are the log's offsets (0, 1, 2, ...); revisions count from 0 per stream.
///
/// Thread-safety: one `Mutex` guards the index (`StreamIndex`). An append holds it across the
/// expected-version check, the log write and the index update, so appends are serialized and a
/// check cannot go stale before its write (of two contending appenders exactly one wins). Reads
/// take it only to copy positions and the committed end, then read the log without it.
public final class EventStore: Sendable {
    struct State: Sendable {
        var index = StreamIndex()
        var closed = false
    }

    public let directory: String
    public let clock: any WallClock
    let logger: Logger
    let log: PartitionLog
    let state: Mutex<State>
    /// Bumped after every append and every persistent-subscription change; subscriptions wait on it.
    let changes = ChangeSignal()
    let tracked = Mutex<TrackedSubscriptions>(TrackedSubscriptions())
    let persistent: PersistentSubscriptions

    private init(directory: String, clock: any WallClock, logger: Logger, log: PartitionLog, index: StreamIndex, files: DurableFile) {
        self.directory = directory
        self.clock = clock
        self.logger = logger
        self.log = log
        self.state = Mutex(State(index: index))
        self.persistent = PersistentSubscriptions(directory: directory + "/subscriptions", files: files, log: log)
    }

    /// Opens (creating if needed) `<dataDirectory>/events`: recovers the `$all` log (a torn last
    /// append is truncated whole), rebuilds the index and loads persistent subscription groups.
    /// The caller must hold the data directory's lock (open the `Engine` first).
    ///
    /// `fsync` is the durability of appends (`.always`: an acknowledged append survives kill -9).
    public static func open(dataDirectory: String, clock: any WallClock = SystemClock(),
                            logger: Logger = Logger(label: "wharf.events"),
                            fsync: FsyncPolicy = .always) throws(WharfError) -> EventStore {
        try open(dataDirectory: dataDirectory, clock: clock, logger: logger, fsync: fsync, faults: nil)
    }

    /// `open` with a fault injector on the `$all` log and the subscription files (tests, through
    /// `EngineConfig.faults`; see `open(alongside:)`).
    static func open(dataDirectory: String, clock: any WallClock, logger: Logger, fsync: FsyncPolicy,
                     faults: FaultInjector?) throws(WharfError) -> EventStore {
        let directory = dataDirectory + "/events"
        try DurableFile(faults: faults).makeDirectoryDurably(directory + "/subscriptions")
        var config = LogConfig()
        config.retentionMs = -1
        config.retentionBytes = -1
        config.segmentMs = Int64.max / 2
        config.fsync = fsync
        let log = try PartitionLog.open(directory: directory + "/all-0", config: config, clock: clock, logger: logger, faults: faults)
        do {
            let index = try rebuildIndex(log)
            let store = EventStore(directory: directory, clock: clock, logger: logger, log: log, index: index, files: DurableFile(faults: faults))
            try store.persistent.load(store: store)
            logger.info("event store opened", metadata: ["events": "\(index.end)", "streams": "\(index.streams.count)"])
            return store
        } catch {
            try? log.close()
            throw error
        }
    }

    static func rebuildIndex(_ log: PartitionLog) throws(WharfError) -> StreamIndex {
        guard log.logStartOffset == 0 else { throw .corrupt("$all log \(log.directory) starts at \(log.logStartOffset), not 0") }
        var index = StreamIndex()
        let end = log.logEndOffset
        var offset: Int64 = 0
        while offset < end {
            let fetched = try log.read(from: offset, maxBytes: 1 << 20)
            let records: [StoredRecord]
            do { records = try RecordBatchReader.records(in: fetched.bytes, fromOffset: offset) } catch {
                throw .corrupt("cannot decode $all at \(offset): \(error)")
            }
            guard !records.isEmpty else { throw .corrupt("$all has no record at \(offset) below its end \(end)") }
            for r in records {
                let e = try EventRecordCodec.decode(r)
                try index.add(stream: e.stream, id: e.id, type: e.type, revision: e.revision, position: e.position, timestamp: e.timestamp)
            }
            offset = Int64(index.end)
        }
        return index
    }

    /// Writes pending persistent-subscription checkpoints, closes the log (clean-shutdown marker)
    /// and ends every subscription's async sequence. Further calls throw.
    public func close() throws(WharfError) {
        let wasOpen = state.withLock { s in
            defer { s.closed = true }
            return !s.closed
        }
        guard wasOpen else { return }
        persistent.checkpointAll()
        changes.close()
        try log.close()
    }

    var isClosed: Bool { state.withLock { $0.closed } }
    var closedError: WharfError { .io("event store \(directory) is closed") }

    /// One past the last committed position of `$all` (the number of events ever appended).
    public var endPosition: UInt64 { state.withLock { $0.index.end } }

    // MARK: Append

    /// Appends `events` to `stream` if its state satisfies `expected`, atomically: they get
    /// consecutive revisions and positions and are written as one record batch, so after a crash
    /// all of them or none are in the log.
    ///
    /// Retries: if the event ids were already appended to this stream by an earlier call the
    /// expected version points at, nothing is written and the original result is returned
    /// (`deduplicated` set); ids are looked up per stream, as EventStoreDB does. The precise
    /// rule, including partial overlaps, is on `StreamIndex.idempotentResult`.
    ///
    /// Durability follows the store's fsync policy; with `.always` the fdatasync runs inside the
    /// critical section, so appends do not overlap (no group commit yet). If the write or fsync
    /// fails, the log refuses further appends until reopened, and the failed append's outcome is
    /// unknown: after reopen it may be there, and retrying it with the same ids is then
    /// deduplicated rather than written twice.
    ///
    /// Throws `wrongExpectedVersion` naming the actual revision, `invalidName` for a bad or system
    /// stream name, `invalidArgument` for no events or an id repeated within the call,
    /// `recordTooLarge` when the batch exceeds 8 MiB.
    @discardableResult
    public func append(stream: String, events: [EventData], expected: ExpectedVersion = .any) throws(WharfError) -> WriteResult {
        try StreamName.validate(stream, allowSystem: false)
        return try appendValidated(stream: stream, events: events, expected: expected)
    }

    /// `append` that may also write system streams (`$`-named), for a front-end speaking
    /// EventStoreDB's protocol, whose clients write the system streams it defines (`$$<stream>`
    /// metadata, `$settings`). `$all` stays refused.
    @discardableResult
    public func appendAllowingSystemStream(stream: String, events: [EventData], expected: ExpectedVersion = .any) throws(WharfError) -> WriteResult {
        try StreamName.validate(stream, allowSystem: true)
        return try appendValidated(stream: stream, events: events, expected: expected)
    }

    /// `append` without the system-stream check (parked links).
    func appendValidated(stream: String, events: [EventData], expected: ExpectedVersion) throws(WharfError) -> WriteResult {
        guard !events.isEmpty else { throw .invalidArgument("an append needs at least one event") }
        for e in events { try StreamName.validateEventType(e.type) }
        guard Set(events.map(\.id)).count == events.count else { throw .invalidArgument("an append cannot repeat an event id") }
        let result = try state.withLock { (s: inout State) throws(WharfError) -> WriteResult in
            guard !s.closed else { throw closedError }
            if let retry = try s.index.idempotentResult(stream: stream, events: events, expected: expected) { return retry }
            let actual = s.index.lastRevision(of: stream)
            guard expected.isSatisfied(by: actual) else {
                throw .wrongExpectedVersion(stream: stream, expected: expected.description, actual: actual)
            }
            let first = actual.map { $0 + 1 } ?? 0
            let now = clock.nowMillis()
            var batch = EventRecordCodec.encodeBatch(stream: stream, events: events, firstRevision: first, timestamp: now)
            let appended = try log.append(&batch)
            guard appended.baseOffset == Int64(s.index.end) else {
                throw .corrupt("$all log assigned position \(appended.baseOffset) where the index expected \(s.index.end)")
            }
            for (i, e) in events.enumerated() {
                try s.index.add(stream: stream, id: e.id, type: e.type, revision: first + UInt64(i),
                                position: UInt64(appended.baseOffset) + UInt64(i), timestamp: now)
            }
            return WriteResult(nextExpectedVersion: first + UInt64(events.count - 1), position: UInt64(appended.lastOffset))
        }
        if !result.deduplicated { changes.bump() }
        return result
    }
}
