import WharfCore

/// One segment of a partition log: `<base>.log` holding whole RecordBatch v2 batches verbatim,
/// back to back, plus its sparse `<base>.index` and `<base>.timeindex` (see `OffsetIndex`,
/// `TimeIndex`). `<base>` is the 20-digit zero-padded offset the segment starts at, so `ls`
/// sorts segments in log order.
///
/// Invariants: `size` is the end of the last whole valid batch (the readable extent; for a closed
/// segment whose tail was found corrupt it can be less than the file); batch base offsets
/// strictly increase and are >= `baseOffset` (gaps are allowed: compaction); relative offsets and
/// positions fit in UInt32 (the log rolls before they would not). The indexes are kept in memory;
/// `persistIndexes` writes what the files lack.
///
/// Descriptors: only the active segment keeps its file open (`file`); a sealed segment holds none,
/// and readers borrow one from the log's `SegmentFileCache` under `fileID`.
///
/// A value type guarded by the owning `PartitionLog`'s lock; readers copy a `SegmentView`.
struct LogSegment: Sendable {
    static let logSuffix = ".log"
    static let indexSuffix = ".index"
    static let timeIndexSuffix = ".timeindex"
    /// Sentinel for "no batch yet".
    static let noTimestamp = Int64.min

    let baseOffset: Int64
    /// `<directory>/<20-digit base>`; add a suffix for each file.
    let pathPrefix: String
    /// Names these bytes in the `SegmentFileCache`; a file that replaces them gets a new one.
    let fileID: SegmentFileID
    /// The open file of the active segment (appends, fdatasync), or of a segment the loader or
    /// compaction is still building; nil once sealed.
    var file: PosixFile?
    /// Test seam handed to every file opened for this segment (nil in production).
    let faults: FaultInjector?
    var size: Int64 = 0
    /// The file holds zeros written by `zeroFillAhead` from `size` up to here (0: none).
    var zeroedEnd: Int64 = 0
    /// One past the last offset of the last batch (`baseOffset` when empty).
    var nextOffset: Int64
    /// Largest batch `maxTimestamp` (`noTimestamp` when empty).
    var maxTimestamp: Int64 = LogSegment.noTimestamp
    /// Base offset of the last batch (for the final time index entry).
    var lastBatchBaseOffset: Int64
    var offsetIndex = OffsetIndex()
    var timeIndex = TimeIndex()
    var bytesSinceIndexEntry = 0
    /// Clock time the segment counts its age from (first append), for `segmentMs`.
    var rollBaseTime: Int64?

    init(baseOffset: Int64, pathPrefix: String, file: PosixFile?, faults: FaultInjector?) {
        self.baseOffset = baseOffset
        self.pathPrefix = pathPrefix
        self.file = file
        self.faults = faults
        fileID = SegmentFileCache.newID()
        nextOffset = baseOffset
        lastBatchBaseOffset = baseOffset
    }

    /// The same segment state for the file that replaced its own (compaction's rename): a new
    /// `fileID`, and sealed, so no descriptor is held.
    func replaced() -> LogSegment {
        var copy = LogSegment(baseOffset: baseOffset, pathPrefix: pathPrefix, file: nil, faults: faults)
        copy.size = size
        copy.nextOffset = nextOffset
        copy.maxTimestamp = maxTimestamp
        copy.lastBatchBaseOffset = lastBatchBaseOffset
        copy.offsetIndex = offsetIndex
        copy.timeIndex = timeIndex
        copy.bytesSinceIndexEntry = bytesSinceIndexEntry
        copy.rollBaseTime = rollBaseTime
        return copy
    }

    /// The file this segment holds open; throws for a sealed segment (a bug: callers write to or
    /// sync only the active one) rather than trapping.
    func openFile() throws(WharfError) -> PosixFile {
        guard let file else { throw .io("\(logPath) is sealed: it holds no open file") }
        return file
    }

    static func name(_ base: Int64) -> String {
        let digits = String(base)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits
    }

    static func pathPrefix(directory: String, base: Int64) -> String { directory + "/" + name(base) }

    var logPath: String { pathPrefix + Self.logSuffix }
    var indexPath: String { pathPrefix + Self.indexSuffix }
    var timeIndexPath: String { pathPrefix + Self.timeIndexSuffix }
    var fileName: String { Self.name(baseOffset) + Self.logSuffix }
    var isEmpty: Bool { size == 0 }

    /// Creates an empty segment file (it must not exist) and removes stale index files.
    static func create(directory: String, base: Int64, faults: FaultInjector?) throws(WharfError) -> LogSegment {
        let prefix = pathPrefix(directory: directory, base: base)
        let file = try PosixFile.open(prefix + logSuffix, create: true, exclusive: true, faults: faults)
        try FileSystem.remove(prefix + indexSuffix, faults: faults)
        try FileSystem.remove(prefix + timeIndexSuffix, faults: faults)
        return LogSegment(baseOffset: base, pathPrefix: prefix, file: file, faults: faults)
    }

    /// Whether offsets up to `lastOffset` and `bytes` more bytes still fit the u32 relative
    /// offsets and positions of the indexes.
    func canHold(lastOffset: Int64, bytes: Int) -> Bool {
        relativeOffset(lastOffset) != nil && size + Int64(bytes) <= Int64(UInt32.max)
    }

    /// In-memory bookkeeping for one batch written at `position` (append and recovery share it).
    mutating func didAppend(_ header: RecordBatchHeader, at position: Int64, indexIntervalBytes: Int) {
        maxTimestamp = max(maxTimestamp, header.maxTimestamp)
        // The log rolls before offsets or positions leave the u32 range (`canHold`, and
        // `PartitionLog.append` refuses a single append that could not fit); should that ever
        // fail, the batch goes unindexed (readers scan from the previous entry) instead of trapping.
        if position > 0 && bytesSinceIndexEntry >= indexIntervalBytes,
           let rel = relativeOffset(header.baseOffset), let pos = UInt32(exactly: position) {
            offsetIndex.append(relativeOffset: rel, position: pos)
            timeIndex.maybeAppend(timestamp: maxTimestamp, relativeOffset: rel)
            bytesSinceIndexEntry = 0
        }
        bytesSinceIndexEntry += header.totalSize
        lastBatchBaseOffset = header.baseOffset
        nextOffset = header.nextOffset
        size = position + Int64(header.totalSize)
    }

    /// Adds the final time index entry: the segment's newest timestamp at its last batch.
    /// Called on roll and close, so a closed segment's newest timestamp is its last entry.
    mutating func sealTimeIndex() {
        guard !isEmpty, let rel = relativeOffset(lastBatchBaseOffset) else { return }
        timeIndex.maybeAppend(timestamp: maxTimestamp, relativeOffset: rel)
    }

    /// `offset - baseOffset` as the indexes store it, or nil when it does not fit a UInt32.
    func relativeOffset(_ offset: Int64) -> UInt32? {
        let (distance, overflow) = offset.subtractingReportingOverflow(baseOffset)
        return overflow ? nil : UInt32(exactly: distance)
    }

    /// Cuts bytes past `size` (zeros of `zeroFillAhead`, or what a failed write whose undo also
    /// failed left), so a closed segment (whose size on reopen is its file size) holds only whole
    /// batches. One fstat.
    mutating func trimFile() throws(WharfError) {
        let file = try openFile()
        if try file.size() > size { try file.truncate(to: size) }
        zeroedEnd = 0
    }

    /// Under `always`, keeps about `ahead` bytes of written zeros after the data (never past
    /// `limit`, the segment size the log rolls at), adding `piece` bytes once the data used that
    /// much of them, so that appends overwrite blocks the file already has instead of growing it:
    /// ext4's fdatasync then has no size or extent change to commit to its journal, only the data
    /// (BENCHMARKS.md, "Session 12"). `fallocate` would not do: its unwritten extents still need
    /// a journalled conversion on the first write. Pieces rather than one big fill keep each
    /// `pwrite` (under the log's lock) and the extra bytes the next fdatasync flushes small.
    /// A zero tail reads as the log's end (`LogLoader`); a roll or close trims it. Returns
    /// whether it wrote; a failure is left to the caller.
    mutating func zeroFillAhead(ahead: Int64, piece: Int64, limit: Int64) throws(WharfError) -> Bool {
        let from = max(zeroedEnd, size)
        let end = min(from + piece, size + ahead, limit)
        guard from - size <= ahead - piece, end > from else { return false }
        try openFile().writeZeros(count: end - from, at: from)
        zeroedEnd = end
        return true
    }

    /// Writes the index entries the files lack (and cuts off anything stale beyond them).
    mutating func persistIndexes(sync: Bool) throws(WharfError) {
        if offsetIndex.persistedCount < offsetIndex.count || sync {
            let f = try PosixFile.open(indexPath, create: true, faults: faults)
            let start = offsetIndex.persistedCount
            try f.write(offsetIndex.encode(from: start), at: Int64(start * OffsetIndex.entrySize))
            try f.truncate(to: Int64(offsetIndex.count * OffsetIndex.entrySize))
            if sync { try f.sync() }
            offsetIndex.persistedCount = offsetIndex.count
        }
        if timeIndex.persistedCount < timeIndex.count || sync {
            let f = try PosixFile.open(timeIndexPath, create: true, faults: faults)
            let start = timeIndex.persistedCount
            try f.write(timeIndex.encode(from: start), at: Int64(start * TimeIndex.entrySize))
            try f.truncate(to: Int64(timeIndex.count * TimeIndex.entrySize))
            if sync { try f.sync() }
            timeIndex.persistedCount = timeIndex.count
        }
    }

    /// Rewrites both index files from scratch (after a rebuild).
    mutating func rewriteIndexes() throws(WharfError) {
        offsetIndex.persistedCount = 0
        timeIndex.persistedCount = 0
        try FileSystem.writeFile(indexPath, offsetIndex.encode(), sync: false, faults: faults)
        try FileSystem.writeFile(timeIndexPath, timeIndex.encode(), sync: false, faults: faults)
        offsetIndex.persistedCount = offsetIndex.count
        timeIndex.persistedCount = timeIndex.count
    }

    /// A reader's copy over `file` (this segment's, open), positioned by the offset index at or
    /// before the batch holding `offset`.
    /// `readableSize` (default: all of it) cuts the view where readers must stop (see `PartitionLog.State.readableSize`).
    func view(near offset: Int64, file: PosixFile, readableSize: Int64? = nil) -> SegmentView {
        let rel = offset <= baseOffset ? 0 : UInt32(clamping: offset - baseOffset)
        let end = readableSize ?? size
        return SegmentView(file: file, baseOffset: baseOffset, end: end, hint: min(end, offsetIndex.floorPosition(relativeOffset: rel)))
    }

    /// A reader's copy over `file` positioned for the first batch whose `maxTimestamp >= ts` (time index).
    func view(nearTimestamp ts: Int64, file: PosixFile, readableSize: Int64? = nil) -> SegmentView {
        let hint: Int64
        if let rel = timeIndex.lastRelativeOffset(olderThan: ts) {
            hint = offsetIndex.floorPosition(relativeOffset: rel)
        } else {
            hint = 0
        }
        let end = readableSize ?? size
        return SegmentView(file: file, baseOffset: baseOffset, end: end, hint: min(end, hint))
    }
}

/// What a reader needs of a segment, copied under the log's lock: the (reference-counted, so
/// still open even if the cache evicts it or retention unlinks it) file, the readable end at that
/// moment, and a start position from an index.
/// Everything after the copy happens without the lock.
struct SegmentView: Sendable {
    let file: PosixFile
    let baseOffset: Int64
    let end: Int64
    let hint: Int64

    /// The first batch at or after `hint` whose last offset is >= `offset`.
    func findBatch(containing offset: Int64) throws(WharfError) -> (RecordBatchHeader, Int64)? {
        var scanner = BatchScanner(file: file, from: hint, to: end, chunk: 16 << 10)
        while true {
            switch try scanner.next(verifyCRC: false) {
            case .end: return nil
            case .torn(let pos, let why): throw .corrupt("\(file.path) at \(pos): \(why)")
            case .batch(let h, let pos): if h.lastOffset >= offset { return (h, pos) }
            }
        }
    }

    /// Whole batches from `position` (whose first batch is `firstSize` bytes), up to `maxBytes`
    /// but always the first batch: one `pread` into the result, then a cut at the last whole batch.
    func readBatches(at position: Int64, firstSize: Int, maxBytes: Int) throws(WharfError) -> [UInt8] {
        let available = Int(end - position)
        let want = max(firstSize, min(maxBytes, available))
        var bytes = try file.read(count: want, at: position)
        if want > firstSize {
            var cut = 0
            bytes.withUnsafeBytes { raw in
                while raw.count - cut >= RecordBatchHeader.lengthPrefix {
                    let length = Int(raw.loadBigEndian(at: cut + 8, as: Int32.self)) + RecordBatchHeader.lengthPrefix
                    guard length > RecordBatchHeader.lengthPrefix, cut + length <= raw.count else { break }
                    cut += length
                }
            }
            bytes.removeLast(bytes.count - cut)
        }
        return bytes
    }
}
