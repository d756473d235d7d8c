import Logging
import Synchronization
import WharfCore

/// The log of one partition: a directory of segments (see `LogSegment` for the file layout),
/// plus `log-start-offset` (checkpoint of the first readable offset, decimal text) and
/// `clean-shutdown` (present only while the log is closed cleanly; `open` removes it).
///
/// Offsets: `logStartOffset <= logEndOffset`; `logEndOffset` is the next offset to assign and,
/// on a single node, the high watermark. Offsets of stored batches strictly increase; compaction
/// may leave gaps, so reads return the first batch whose last offset is >= the fetch offset.
///
/// Thread-safety: all state sits behind one `Mutex`. Appends are serialized and hold it for the
/// in-memory bookkeeping and the single `pwrite`; `fdatasync` for the fsync policy runs after the
/// lock is released (under `always`, one fdatasync for every append waiting: group commit). Readers hold it only to copy a `SegmentView` (file reference, readable end,
/// index hint) and do their `pread`s outside it, so they never block writers for I/O, and they
/// see an immutable prefix: bytes below a segment's recorded size never change.
public final class PartitionLog: Sendable {
    struct State: Sendable {
        var config: LogConfig
        var segments: [LogSegment]
        var logStartOffset: Int64
        var totalBytes: Int64
        var closed = false
        /// The log end when `close` dropped the segments, so the getters stay meaningful.
        var closedLogEnd: Int64 = 0
        /// Set when an fdatasync failed: durability can no longer be promised (after a failed
        /// fsync Linux may drop the dirty pages), so appends and flushes throw until reopened.
        var failure: String?
        /// Clock time of the oldest append not yet covered by an fdatasync (nil: all synced).
        var dirtySince: Int64?
        /// How far a completed fdatasync reaches: the next offset after it and, when that lies in
        /// the active segment, the byte size it covers there (`syncedBytes`, 0 right after a roll).
        var syncedEnd: Int64 = 0
        var syncedBytes: Int64 = 0
        /// Appends waiting for an fdatasync to cover them, in arrival order (whenever there are
        /// some, the log is scheduled on its `syncer`; see `PartitionLog+GroupCommit`).
        var durabilityWaiters: [DurabilityWaiter] = []

        var active: LogSegment { segments[segments.count - 1] }
        /// The next offset to assign (what is written, durable or not).
        var logEndOffset: Int64 { segments.isEmpty ? closedLogEnd : active.nextOffset }
        /// What readers may see: under `always`, only what an fdatasync already covers, so no
        /// consumer reads (or commits past) a record a power cut could still erase; otherwise all
        /// that is written (`interval`/`never` promise nothing about power loss on acknowledgement).
        var readableEnd: Int64 { config.fsync == .always && !segments.isEmpty ? syncedEnd : logEndOffset }

        /// The readable byte size of segment `i` (the active one is cut at `syncedBytes` under `always`).
        func readableSize(of i: Int) -> Int64 {
            guard config.fsync == .always, i == segments.count - 1 else { return segments[i].size }
            return min(segments[i].size, syncedBytes)
        }

        /// Records that an fdatasync of the active segment covered everything up to `end` (`bytes`
        /// of it). Called after the sync completed; a later roll or flush may already have covered more.
        mutating func markSynced(upTo end: Int64, bytes: Int64, segmentBase: Int64) {
            guard !segments.isEmpty, end > syncedEnd, segmentBase == active.baseOffset else { return }
            syncedEnd = end
            syncedBytes = bytes
        }

        /// Everything written is covered by a completed fdatasync (flush, roll, open).
        mutating func markAllSynced() {
            guard !segments.isEmpty else { return }
            syncedEnd = logEndOffset
            syncedBytes = active.size
        }

        /// Index of the last segment whose base offset is <= `offset` (0 if none is).
        func segmentIndex(for offset: Int64) -> Int {
            var lo = 0, hi = segments.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if segments[mid].baseOffset <= offset { lo = mid + 1 } else { hi = mid }
            }
            return max(0, lo - 1)
        }
    }

    static let cleanShutdownFile = "clean-shutdown"
    static let logStartFile = "log-start-offset"

    public let directory: String
    let clock: any WallClock
    let logger: Logger
    let state: Mutex<State>
    /// Completed data fdatasyncs (for tests and metrics).
    let dataSyncs = Atomic<Int>(0)
    public let recoveryReport: RecoveryReport
    /// Test seam handed to every file the log opens (nil in production).
    let faults: FaultInjector?
    /// Where readers borrow the descriptors of sealed segments (shared with other logs).
    let files: SegmentFileCache
    /// Serializes `compact` runs (they hold `state` only to copy views and to swap files).
    let compactionLock = Mutex<Void>(())
    /// Topic and partition parsed from a Kafka-style directory name `<topic>-<partition>`, for errors.
    let topicPartition: TopicPartition
    /// Wakes long-poll readers when this log grows (see `AppendNotifier`).
    public let appendNotifier = AppendNotifier()
    /// Runs the fdatasyncs appends wait for (group commit), shared by the logs of a data directory.
    let syncer: LogSyncer

    private init(directory: String, clock: any WallClock, logger: Logger, state: State, report: RecoveryReport,
                 faults: FaultInjector?, files: SegmentFileCache, syncer: LogSyncer) {
        self.syncer = syncer
        self.faults = faults
        self.files = files
        self.directory = directory
        self.clock = clock
        self.logger = logger
        self.state = Mutex(state)
        self.recoveryReport = report
        topicPartition = Self.topicPartition(fromDirectory: directory)
    }

    /// Opens (creating if needed) the log in `directory`, recovering it if it was not closed
    /// cleanly (see `LogLoader`). The caller must hold the `DataDirectoryLock`. Sealed segments
    /// are read through `files` (by default the process-wide cache); fdatasyncs run on `syncer`
    /// (by default one of the log's own; an engine shares one among its logs).
    public static func open(directory: String, config: LogConfig, clock: any WallClock, logger: Logger,
                            files: SegmentFileCache = .shared, syncer: LogSyncer? = nil) throws(WharfError) -> PartitionLog {
        try open(directory: directory, config: config, clock: clock, logger: logger, faults: nil, files: files, syncer: syncer)
    }

    /// `open` with a fault injector on every file (tests; see `EngineConfig.faults`).
    package static func open(directory: String, config: LogConfig, clock: any WallClock, logger: Logger, faults: FaultInjector?,
                             files: SegmentFileCache = .shared, syncer: LogSyncer? = nil) throws(WharfError) -> PartitionLog {
        let loaded = try LogLoader.load(directory: directory, config: config, clock: clock, logger: logger, faults: faults)
        let total = loaded.segments.reduce(Int64(0)) { $0 + $1.size }
        var state = State(config: config, segments: loaded.segments, logStartOffset: loaded.logStartOffset, totalBytes: total)
        // The loader fdatasyncs a recovered active segment, so what it left on disk is durable.
        state.markAllSynced()
        return PartitionLog(directory: directory, clock: clock, logger: logger, state: state, report: loaded.report, faults: faults, files: files,
                            syncer: syncer ?? LogSyncer())
    }

    public var logStartOffset: Int64 { state.withLock { $0.logStartOffset } }
    /// The high watermark: the end readers see (under `always`, only what is fdatasync'ed).
    public var logEndOffset: Int64 { state.withLock { $0.readableEnd } }
    public var sizeInBytes: Int64 { state.withLock { $0.totalBytes } }
    /// Segments currently open (0 after `close`).
    public var segmentCount: Int { state.withLock { $0.segments.count } }
    public var config: LogConfig { state.withLock { $0.config } }
    /// Base offsets of the segments, oldest first.
    public var segmentBaseOffsets: [Int64] { state.withLock { $0.segments.map(\.baseOffset) } }

    /// True after `close` or `deleteFromDisk`.
    public var isClosed: Bool { state.withLock { $0.closed } }

    public func updateConfig(_ config: LogConfig) {
        state.withLock { $0.config = config }
    }

    var closedError: WharfError { .io("partition log \(directory) is closed") }

    /// Throws unless appends and flushes may proceed.
    func checkWritable(_ s: State) throws(WharfError) {
        guard !s.closed else { throw closedError }
        if let failure = s.failure { throw .io("partition log \(directory) stopped after a failed fsync (\(failure)); reopen it to recover") }
    }

    /// Appends one or more whole v2 batches laid back to back (as in a Kafka Produce request).
    ///
    /// Every batch is validated first (magic 2, length, CRC, size <= `maxBatchBytes`, offsets
    /// spanning exactly its records); a client's batch (`origin: .client`) also has every record
    /// checked and its maxTimestamp fixed (`RecordBatchValidator`). If one is bad nothing is written. Then, under the lock: roll if the active segment is full or old,
    /// assign consecutive offsets by rewriting each batch's baseOffset in `batches`, write all of
    /// it with one `pwrite`, update the in-memory indexes. Then the fsync policy: `always` returns
    /// only after an `fdatasync` that began after the write (shared with every other append
    /// waiting then: group commit). No per-record work.
    public func append(_ batches: inout [UInt8], from origin: AppendOrigin = .engine) throws(WharfError) -> AppendResult {
        let pending = try write(&batches, from: origin)
        try pending.durableBlocking()
        return pending.result
    }

    /// `append` without waiting for durability: the batches are written and their offsets
    /// assigned; under `always` the caller acknowledges only after `PendingAppend.durable()`
    /// (readers do not see them before either). `interval`'s due sync starts here, on the syncer.
    public func write(_ batches: inout [UInt8], from origin: AppendOrigin = .engine) throws(WharfError) -> PendingAppend {
        let started = monotonicNanos()
        defer { StorageLatencies.append.observe(since: started) }
        let config = state.withLock { $0.config }
        if origin == .client {
            try RecordBatchValidator.validate(&batches, limits: config.batchLimits, now: clock.nowMillis())
        }
        var recordCount = 0
        var offsetCount: Int64 = 0
        try batches.withBytes { (raw) throws(WharfError) in
            guard raw.count > 0 else { throw .invalidArgument("append needs at least one record batch") }
            var position = 0
            while position < raw.count {
                let header = try RecordBatchBytes.validate(UnsafeRawBufferPointer(rebasing: raw[position...]))
                guard header.totalSize <= config.maxBatchBytes else { throw .recordTooLarge(header.totalSize) }
                // Cheap, so for every origin: offsets advance by exactly the records appended.
                try RecordBatchBytes.checkOffsetRange(header)
                recordCount += Int(header.recordsCount)
                offsetCount += Int64(header.recordsCount)
                position += header.totalSize
            }
        }
        guard batches.count <= Int(UInt32.max / 2) else { throw .recordTooLarge(batches.count) }
        // One append lands in one segment, whose relative offsets are u32.
        guard offsetCount <= Int64(UInt32.max) else { throw .invalidRecord("one append of \(offsetCount) offsets cannot fit a segment") }
        let now = clock.nowMillis()
        var awaitsSync = false
        let (result, syncFile, written) = try state.withLock { (s: inout State) throws(WharfError) -> (AppendResult, PosixFile?, (end: Int64, bytes: Int64, base: Int64)) in
            try checkWritable(s)
            let first = s.logEndOffset
            let last = first + offsetCount - 1
            if shouldRoll(s, now: now, bytes: batches.count, lastOffset: last) { try roll(&s) }
            let i = s.segments.count - 1
            let position = s.segments[i].size
            let file = try s.segments[i].openFile()
            try batches.withMutableBytes { (raw) throws(WharfError) in
                var at = 0
                var next = first
                while at < raw.count {
                    RecordBatchBytes.setBaseOffset(next, in: UnsafeMutableRawBufferPointer(rebasing: raw[at...]))
                    next += Int64(UnsafeRawBufferPointer(raw).loadBigEndian(at: at + 23, as: Int32.self)) + 1
                    at += Int(UnsafeRawBufferPointer(raw).loadBigEndian(at: at + 8, as: Int32.self)) + RecordBatchHeader.lengthPrefix
                }
                do throws(WharfError) {
                    try file.write(UnsafeRawBufferPointer(raw), at: position)
                } catch {
                    try? file.truncate(to: position)
                    s.segments[i].zeroedEnd = 0
                    throw error
                }
            }
            let interval = s.config.indexIntervalBytes
            batches.withUnsafeBytes { raw in
                var at = 0
                while at < raw.count {
                    // Validated above; the parse cannot fail.
                    guard let h = try? RecordBatchHeader(parsing: UnsafeRawBufferPointer(rebasing: raw[at...])) else { break }
                    s.segments[i].didAppend(h, at: position + Int64(at), indexIntervalBytes: interval)
                    at += h.totalSize
                }
            }
            if s.segments[i].rollBaseTime == nil { s.segments[i].rollBaseTime = now }
            s.totalBytes += Int64(batches.count)
            let result = AppendResult(baseOffset: first, lastOffset: last, recordCount: recordCount, appendTime: now)
            let written = (end: last + 1, bytes: s.segments[i].size, base: s.segments[i].baseOffset)
            switch s.config.fsync {
            case .always:
                awaitsSync = true
                return (result, nil, written)
            case .interval(let ms):
                let since = s.dirtySince ?? now
                if now - since >= Int64(ms) {
                    s.dirtySince = nil
                    return (result, file, written)
                }
                s.dirtySince = since
                return (result, nil, written)
            case .never:
                if s.dirtySince == nil { s.dirtySince = now }
                return (result, nil, written)
            }
        }
        if awaitsSync {
            // Readers see the batches once the group commit's fdatasync moved the readable end;
            // the syncer wakes waiting fetches then. The round is asked for by the caller, not
            // here: a Produce of several partitions writes them all first and then asks
            // (`PendingAppend.requestDurability()`), so one round covers them all; otherwise
            // `PendingAppend.durable()` asks when the caller starts waiting.
            return PendingAppend(result: result, awaiting: (self, written.end))
        }
        // Wake waiting fetches: readers can see the batches as soon as the lock is released.
        let wokeReaders = appendNotifier.signal()
        guard syncFile != nil else { return PendingAppend(result: result, awaiting: nil, wokeReaders: wokeReaders) }
        // `interval` found a sync due: the group-commit syncer runs it on its own thread (it
        // covers everything written before it starts, so all offsets below `written.end`), so
        // the appending thread (a request's event loop) never waits for the disk. The
        // acknowledgement need not wait either: `interval` promises durability within the
        // interval plus one fdatasync, which the sync started now keeps.
        startDueSync(upTo: written.end)
        return PendingAppend(result: result, awaiting: nil, dueSync: (self, written.end), wokeReaders: wokeReaders)
    }

    func shouldRoll(_ s: State, now: Int64, bytes: Int, lastOffset: Int64) -> Bool {
        let active = s.active
        guard !active.isEmpty else { return false }
        if active.size + Int64(bytes) > Int64(s.config.segmentBytes) { return true }
        if let t = active.rollBaseTime, now.subtractingSaturating(t) >= s.config.segmentMs { return true }
        return !active.canHold(lastOffset: lastOffset, bytes: bytes)
    }

    /// Closes the active segment (fdatasync, final time index entry, index files synced) and
    /// starts a new one at the log end offset. The sealed segment's descriptor goes to the file
    /// cache, where consumers just behind the end find it.
    func roll(_ s: inout State) throws(WharfError) {
        let i = s.segments.count - 1
        try s.segments[i].trimFile()
        try syncLocked(&s, s.segments[i].openFile())
        s.dirtySince = nil
        s.segments[i].sealTimeIndex()
        try s.segments[i].persistIndexes(sync: true)
        let next = try LogSegment.create(directory: directory, base: s.segments[i].nextOffset, faults: faults)
        try FileSystem.syncDirectory(of: next.logPath, faults: faults)
        if let sealed = s.segments[i].file { files.insert(sealed, id: s.segments[i].fileID) }
        s.segments[i].file = nil
        s.segments.append(next)
        s.markAllSynced()
        logger.debug("rolled segment", metadata: ["directory": "\(directory)", "base": "\(next.baseOffset)"])
    }

    /// The file readers of segment `i` use: the active segment's own, or a sealed one's from the
    /// cache (opened on a miss; a file that vanished throws for this read only). Called with the
    /// lock held, so retention cannot unlink the file between choosing the segment and opening it.
    func readableFile(_ s: State, _ i: Int, keep: Bool = true) throws(WharfError) -> PosixFile {
        let segment = s.segments[i]
        if let file = segment.file { return file }
        return try files.file(segment.fileID, path: segment.logPath, faults: faults, keep: keep)
    }

    /// `<...>/<topic>-<partition>` (Kafka's layout) or `<...>/<topic>/<partition>`; otherwise the
    /// last path component with partition -1. Used only to fill `.offsetOutOfRange`.
    static func topicPartition(fromDirectory directory: String) -> TopicPartition {
        let parts = directory.split(separator: "/").map(String.init)
        let name = parts.last ?? directory
        if let dash = name.lastIndex(of: "-"), let p = Int32(name[name.index(after: dash)...]) {
            return TopicPartition(String(name[..<dash]), p)
        }
        if let p = Int32(name), parts.count >= 2 { return TopicPartition(parts[parts.count - 2], p) }
        return TopicPartition(name, -1)
    }
}
