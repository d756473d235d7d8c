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
/// Thread-safety: one `Mutex` guards the index (`StreamIndex`) and the appends in flight. An
/// append holds it across the expected-version check and the log write, so appends are
/// serialized and a check cannot go stale before its write (of two contending appenders exactly
/// one wins). Under `always` it waits for its fdatasync after releasing it, so appends arriving
/// meanwhile share the next one; the index, which is all readers see, takes an append once it
/// is durable (`InFlightAppends`). Reads take the lock only to copy positions and the committed
/// end, then read the log without it.
public final class EventStore: Sendable {
    struct State: Sendable {
        var index = StreamIndex()
        /// Written to `$all` but not yet durable (`always`): see `InFlightAppends`.
        var inFlight = InFlightAppends()
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
}
