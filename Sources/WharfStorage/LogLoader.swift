import Logging
import WharfCore

/// Opens a partition directory and brings it to a consistent state (Kafka's `LogLoader`).
///
/// - Stray `*.tmp` / `*.cleaned` files (interrupted checkpoint or compaction) and index files
///   without a `.log` are removed.
/// - Without the `clean-shutdown` marker, the last (active) segment is re-validated from its
///   start: every batch's header, length, CRC32C and increasing offsets. The file is truncated at
///   the first bad or torn byte and both its indexes are rebuilt.
/// - Every other segment keeps its index files if they pass the sanity checks (`OffsetIndex.decode`,
///   `TimeIndex.decode`); otherwise they are rebuilt by a CRC-checked scan.
///   A closed segment with a corrupt batch is not truncated (later segments exist): its readable
///   extent ends at that batch and the report says so.
/// - For every segment whose indexes load, the batches after the last index entry are walked
///   (headers only, about one index interval) to find its end; a torn tail, or a time index
///   without the final entry written on roll/close, means a rebuild (and, for the active
///   segment, truncation at the first bad byte).
///
/// Everything done is logged at `.warning` and collected in the `RecoveryReport`. Only I/O
/// failures (cannot open, read, truncate) throw.
struct LogLoader {
    struct Loaded {
        var segments: [LogSegment]
        var logStartOffset: Int64
        var report: RecoveryReport
    }

    let directory: String
    let config: LogConfig
    let clock: any WallClock
    let logger: Logger
    let faults: FaultInjector?
    var report = RecoveryReport()

    static func load(directory: String, config: LogConfig, clock: any WallClock, logger: Logger, faults: FaultInjector?) throws(WharfError) -> Loaded {
        var loader = LogLoader(directory: directory, config: config, clock: clock, logger: logger, faults: faults)
        return try loader.load()
    }

    mutating func warn(_ message: String) {
        logger.warning("\(message)", metadata: ["directory": "\(directory)"])
        report.notes.append(message)
    }

    mutating func load() throws(WharfError) -> Loaded {
        try FileSystem.createDirectory(directory, faults: faults)
        let markerPath = directory + "/" + PartitionLog.cleanShutdownFile
        report.wasCleanShutdown = FileSystem.exists(markerPath)

        var bases: [Int64] = []
        var indexFiles: [(String, Int64)] = []
        for name in try FileSystem.list(directory) {
            if name.hasSuffix(".tmp") || name.hasSuffix(".cleaned") {
                try FileSystem.remove(directory + "/" + name, faults: faults)
                warn("removed leftover file \(name)")
            } else if let base = Self.base(of: name, suffix: LogSegment.logSuffix) {
                bases.append(base)
            } else if let base = Self.base(of: name, suffix: LogSegment.indexSuffix) ?? Self.base(of: name, suffix: LogSegment.timeIndexSuffix) {
                indexFiles.append((name, base))
            }
        }
        bases.sort()
        // A brand-new partition has no segments yet: nothing to recover, nothing to warn about.
        if !report.wasCleanShutdown, !bases.isEmpty {
            logger.warning("no clean-shutdown marker: recovering", metadata: ["directory": "\(directory)"])
        }
        for (name, base) in indexFiles where !bases.contains(base) {
            try FileSystem.remove(directory + "/" + name, faults: faults)
            warn("removed index \(name) that has no log file")
        }

        var checkpoint: Int64?
        do throws(WharfError) {
            checkpoint = try PartitionLog.readLogStart(directory: directory)
        } catch {
            warn("ignored \(PartitionLog.logStartFile): \(error)")
        }

        var segments: [LogSegment] = []
        for (i, base) in bases.enumerated() {
            let isLast = i == bases.count - 1
            let prefix = LogSegment.pathPrefix(directory: directory, base: base)
            let file = try PosixFile.open(prefix + LogSegment.logSuffix, faults: faults)
            var segment = LogSegment(baseOffset: base, pathPrefix: prefix, file: file, faults: faults)
            let fileSize = try file.size()
            if isLast && !report.wasCleanShutdown {
                try recoverActive(&segment, fileSize: fileSize)
            } else {
                try loadIndexes(&segment, fileSize: fileSize, nextBase: isLast ? nil : bases[i + 1])
            }
            if segment.isEmpty && !isLast {
                try FileSystem.remove(segment.logPath, faults: faults)
                try FileSystem.remove(segment.indexPath, faults: faults)
                try FileSystem.remove(segment.timeIndexPath, faults: faults)
                warn("removed empty closed segment \(segment.fileName)")
                continue
            }
            // Only the last segment (the active one) keeps its descriptor; readers open the rest.
            if !isLast { segment.file = nil }
            segments.append(segment)
        }
        if segments.isEmpty {
            segments.append(try LogSegment.create(directory: directory, base: checkpoint ?? 0, faults: faults))
            try FileSystem.syncDirectory(of: segments[0].logPath, faults: faults)
        }
        let last = segments.count - 1
        if !report.wasCleanShutdown {
            // After a process crash the recovered tail may still sit only in the page cache:
            // sync it before serving it, so readers never see bytes a power cut could erase.
            try segments[last].openFile().sync()
        }
        if !segments[last].isEmpty {
            let first = try segments[last].openFile().read(count: RecordBatchHeader.size, at: 0)
            let ts = first.withUnsafeBytes { $0.loadBigEndian(at: 35, as: Int64.self) }
            // The age counts from the first batch's timestamp, but that is whatever a client or a
            // damaged file says: keep it within [now - segmentMs, now], so a wild value can neither
            // overflow the age nor keep the segment from rolling.
            let now = clock.nowMillis()
            segments[last].rollBaseTime = max(now.subtractingSaturating(config.segmentMs), min(now, ts))
        }
        var logStart = max(checkpoint ?? segments[0].baseOffset, segments[0].baseOffset)
        if logStart > segments[last].nextOffset {
            warn("log start \(logStart) is past the log end \(segments[last].nextOffset); using the log end")
            logStart = segments[last].nextOffset
        }
        if report.wasCleanShutdown {
            // Durably gone before any append: a crash from now on must trigger recovery.
            try FileSystem.remove(markerPath, faults: faults)
            try FileSystem.syncDirectory(of: markerPath, faults: faults)
        }
        report.segmentsLoaded = segments.count
        return Loaded(segments: segments, logStartOffset: logStart, report: report)
    }

    static func base(of name: String, suffix: String) -> Int64? {
        guard name.hasSuffix(suffix) else { return nil }
        let digits = name.dropLast(suffix.count)
        guard digits.count == 20, digits.allSatisfy({ $0 >= "0" && $0 <= "9" }) else { return nil }
        return Int64(digits)
    }

    /// Rebuilds `segment`'s bounds and in-memory indexes from a CRC-checked scan of its file.
    /// Returns where and why the scan stopped early, or nil if every byte was a valid batch.
    mutating func scan(_ segment: inout LogSegment, fileSize: Int64, nextBase: Int64?) throws(WharfError) -> (position: Int64, reason: String)? {
        segment.offsetIndex.removeAll()
        segment.timeIndex.removeAll()
        segment.size = 0
        segment.nextOffset = segment.baseOffset
        segment.lastBatchBaseOffset = segment.baseOffset
        segment.maxTimestamp = LogSegment.noTimestamp
        segment.bytesSinceIndexEntry = 0
        var scanner = BatchScanner(file: try segment.openFile(), from: 0, to: fileSize)
        while true {
            switch try scanner.next(verifyCRC: true) {
            case .end: return nil
            case .torn(let position, let reason): return (position, reason)
            case .batch(let h, let position):
                if h.baseOffset < segment.nextOffset {
                    return (position, "batch base offset \(h.baseOffset) is below the expected \(segment.nextOffset)")
                }
                if h.lastOffset - segment.baseOffset > Int64(UInt32.max) || position + Int64(h.totalSize) > Int64(UInt32.max) {
                    return (position, "batch at offset \(h.baseOffset) lies beyond the range a segment can index")
                }
                if let nextBase, h.lastOffset >= nextBase {
                    return (position, "batch last offset \(h.lastOffset) reaches into the next segment (\(nextBase))")
                }
                report.batchesValidated += 1
                segment.didAppend(h, at: position, indexIntervalBytes: config.indexIntervalBytes)
            }
        }
    }

    /// Unclean shutdown: validate the active segment from its start, truncate at the first bad
    /// byte, rebuild both indexes.
    mutating func recoverActive(_ segment: inout LogSegment, fileSize: Int64) throws(WharfError) {
        if let (position, reason) = try scan(&segment, fileSize: fileSize, nextBase: nil) {
            let file = try segment.openFile()
            // Zeros written ahead of the data (`LogSegment.zeroFillAhead`, only under `always`)
            // are the log's end, not damage: nothing acknowledged was there. Under the other
            // policies a zero tail is what a power cut can leave where unsynced records were,
            // so it is reported as a truncation.
            var zeroTail = false
            if config.fsync == .always { zeroTail = try Self.isZeros(file, from: position, to: fileSize) }
            try file.truncate(to: position)
            try file.sync()
            if zeroTail {
                logger.debug("cut the zeros after the data", metadata: ["directory": "\(directory)", "segment": "\(segment.fileName)", "bytes": "\(fileSize - position)"])
                return try rebuildIndexFiles(&segment, why: "active segment after unclean shutdown")
            }
            report.bytesTruncated += fileSize - position
            report.truncatedSegment = segment.fileName
            report.truncatedAtPosition = position
            report.truncatedAtOffset = segment.nextOffset
            logger.warning("truncated torn or corrupt tail", metadata: [
                "directory": "\(directory)", "segment": "\(segment.fileName)", "position": "\(position)",
                "bytes": "\(fileSize - position)", "logEndOffset": "\(segment.nextOffset)", "reason": "\(reason)",
            ])
        }
        try rebuildIndexFiles(&segment, why: "active segment after unclean shutdown")
    }

    /// Whether the file holds only zero bytes in `from..<to` (read in 64 KiB pieces).
    static func isZeros(_ file: PosixFile, from: Int64, to: Int64) throws(WharfError) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        var at = from
        while at < to {
            let want = Int(min(Int64(buffer.count), to - at))
            let n = try buffer.withMutableBytes { (raw) throws(WharfError) -> Int in
                try file.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[0..<want]), at: at)
            }
            guard n == want, buffer[0..<n].allSatisfy({ $0 == 0 }) else { return false }
            at += Int64(n)
        }
        return true
    }

    mutating func rebuildIndexFiles(_ segment: inout LogSegment, why: String) throws(WharfError) {
        try segment.rewriteIndexes()
        let names = [LogSegment.name(segment.baseOffset) + LogSegment.indexSuffix, LogSegment.name(segment.baseOffset) + LogSegment.timeIndexSuffix]
        report.indexesRebuilt.append(contentsOf: names)
        logger.warning("rebuilt indexes", metadata: ["directory": "\(directory)", "files": "\(names.joined(separator: ", "))", "why": "\(why)"])
    }

    /// Loads the index files of a closed segment (or of the active one after a clean shutdown),
    /// rebuilding them when missing or failing their sanity checks.
    mutating func loadIndexes(_ segment: inout LogSegment, fileSize: Int64, nextBase: Int64?) throws(WharfError) {
        let maxRelative = nextBase.map { UInt32(clamping: $0 - 1 - segment.baseOffset) }
        do throws(WharfError) {
            guard let indexBytes = try FileSystem.readFile(segment.indexPath) else { throw .corrupt("\(segment.indexPath) is missing") }
            guard let timeBytes = try FileSystem.readFile(segment.timeIndexPath) else { throw .corrupt("\(segment.timeIndexPath) is missing") }
            segment.offsetIndex = try OffsetIndex.decode(indexBytes, logSize: fileSize, maxRelativeOffset: maxRelative)
            segment.timeIndex = try TimeIndex.decode(timeBytes, maxRelativeOffset: maxRelative)
        } catch {
            warn("index of \(segment.fileName) unusable: \(error)")
            return try rebuildClosed(&segment, fileSize: fileSize, nextBase: nextBase)
        }
        if let problem = try walkTail(&segment, fileSize: fileSize, nextBase: nextBase) {
            warn("\(segment.fileName): \(problem)")
            return try rebuildClosed(&segment, fileSize: fileSize, nextBase: nextBase)
        }
    }

    /// A closed (or cleanly closed active) segment whose index was bad: CRC-checked rebuild. The
    /// active segment is truncated at a bad byte; a closed one is only served up to it.
    mutating func rebuildClosed(_ segment: inout LogSegment, fileSize: Int64, nextBase: Int64?) throws(WharfError) {
        guard let nextBase else { return try recoverActive(&segment, fileSize: fileSize) }
        if let (position, reason) = try scan(&segment, fileSize: fileSize, nextBase: nextBase) {
            warn("\(segment.fileName) is unreadable from position \(position) (\(reason)); serving its first \(position) bytes, offsets \(segment.nextOffset)..<\(nextBase) are lost")
        }
        segment.sealTimeIndex()
        try rebuildIndexFiles(&segment, why: "missing or failed sanity checks")
    }

    /// Walks the batch headers after the last offset index entry (at most about one index
    /// interval) to learn the segment's end, and checks that the time index ends with the
    /// segment's final entry (written on roll and close). Returns the problem found, if any.
    mutating func walkTail(_ segment: inout LogSegment, fileSize: Int64, nextBase: Int64?) throws(WharfError) -> String? {
        let start = segment.offsetIndex.lastPosition
        segment.size = start
        segment.nextOffset = segment.baseOffset
        segment.maxTimestamp = segment.timeIndex.lastTimestamp ?? LogSegment.noTimestamp
        var scanner = BatchScanner(file: try segment.openFile(), from: start, to: fileSize)
        walk: while true {
            switch try scanner.next(verifyCRC: false) {
            case .end: break walk
            case .torn(let position, let reason):
                return "torn at position \(position) despite its index (\(reason))"
            case .batch(let h, let position):
                if let nextBase, h.lastOffset >= nextBase { return "batch at \(position) reaches into the next segment" }
                segment.didAppend(h, at: position, indexIntervalBytes: config.indexIntervalBytes)
            }
        }
        if !segment.isEmpty && segment.timeIndex.lastRelativeOffset.map(Int64.init) != segment.lastBatchBaseOffset - segment.baseOffset {
            return "time index lacks the final entry for its last batch"
        }
        return nil
    }
}
