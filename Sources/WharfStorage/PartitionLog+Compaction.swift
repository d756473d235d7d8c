import WharfCore

/// Key-based compaction of the closed segments (see `LogCompactor` for the record rules).
///
/// Steps: copy the closed segments' views under the lock; outside it, build the key -> newest
/// offset map over them, then write each segment's surviving batches to `<base>.log.cleaned`
/// (fdatasync'd) with its indexes built in memory; finally, under the lock, for each segment that
/// is still there (retention may have removed it meanwhile): unlink its index files, rename the
/// cleaned file over the `.log`, write the new indexes and fsync the directory. A crash at any
/// point leaves either the old or the new `.log`; a missing index is rebuilt and a leftover
/// `.cleaned` file removed on open. Readers holding the old file keep reading the old bytes.
/// Each closed segment's file is opened only while it is read (outside the file cache, so a
/// compaction pass neither holds a descriptor per segment nor evicts the readers' files).
/// A segment left empty is deleted; if it was the oldest, the log start moves to the next one.
/// The active segment is never touched, so a key's newest record there does not yet remove
/// its older records in closed segments (as with Kafka's first uncleanable offset).
extension PartitionLog {
    struct CompactionSource: Sendable {
        let fileID: SegmentFileID
        let baseOffset: Int64
        let size: Int64
        let nextOffset: Int64
        let pathPrefix: String
    }

    struct CompactedSegment {
        let source: CompactionSource
        let cleanedPath: String
        var segment: LogSegment
        let removed: Int
    }

    /// Rewrites closed segments keeping only the newest record per key (tombstones and null-key
    /// records kept; offsets preserved, gaps allowed). Serialized with itself; appends and reads
    /// go on meanwhile. Returns the number of records removed.
    public func compact() throws(WharfError) -> Int {
        try compactionLock.withLock { (_: inout Void) throws(WharfError) -> Int in
            let sources = try state.withLock { (s: inout State) throws(WharfError) -> [CompactionSource] in
                guard !s.closed else { throw closedError }
                return s.segments.dropLast().map {
                    CompactionSource(fileID: $0.fileID, baseOffset: $0.baseOffset, size: $0.size, nextOffset: $0.nextOffset, pathPrefix: $0.pathPrefix)
                }
            }
            guard !sources.isEmpty else { return 0 }
            var latest: [[UInt8]: Int64] = [:]
            for source in sources {
                guard let file = try sealedFile(of: source) else { continue }
                try forEachBatch(of: source, in: file) { (header, batch) throws(WharfError) in
                    try LogCompactor.collectKeys(batch: batch, header: header, into: &latest)
                }
            }
            var cleaned: [CompactedSegment] = []
            do throws(WharfError) {
                for source in sources {
                    guard let file = try sealedFile(of: source) else { continue }
                    if let result = try clean(source, in: file, latest: latest) { cleaned.append(result) }
                }
            } catch {
                for item in cleaned { try? FileSystem.remove(item.cleanedPath, faults: faults) }
                throw error
            }
            guard !cleaned.isEmpty else { return 0 }
            return try install(cleaned)
        }
    }

    /// The file of `source` opened for this pass, or nil when its segment is gone (retention
    /// deleted it meanwhile). Opened under the lock, so the file cannot be unlinked in between.
    func sealedFile(of source: CompactionSource) throws(WharfError) -> PosixFile? {
        try state.withLock { (s: inout State) throws(WharfError) -> PosixFile? in
            guard !s.closed, let i = s.segments.firstIndex(where: { $0.fileID == source.fileID }), i < s.segments.count - 1 else { return nil }
            return try readableFile(s, i, keep: false)
        }
    }

    /// Calls `body` with each batch's header and bytes, reading `file` (the source's) in chunks.
    func forEachBatch(of source: CompactionSource, in file: PosixFile,
                      _ body: (RecordBatchHeader, UnsafeRawBufferPointer) throws(WharfError) -> Void) throws(WharfError) {
        var scanner = BatchScanner(file: file, from: 0, to: source.size, chunk: 1 << 20)
        while true {
            switch try scanner.next(verifyCRC: false) {
            case .end: return
            case .torn(let position, let reason): throw .corrupt("\(file.path) at \(position): \(reason)")
            case .batch(let header, let position):
                try scanner.withBytes(at: position, count: header.totalSize) { (raw) throws(WharfError) in try body(header, raw) }
            }
        }
    }

    /// Writes the surviving batches of one segment to `<base>.log.cleaned`; nil if nothing
    /// would be removed (the file is then not kept).
    func clean(_ source: CompactionSource, in sourceFile: PosixFile, latest: [[UInt8]: Int64]) throws(WharfError) -> CompactedSegment? {
        let cleanedPath = source.pathPrefix + LogSegment.logSuffix + ".cleaned"
        let file = try PosixFile.open(cleanedPath, create: true, truncate: true, faults: faults)
        var segment = LogSegment(baseOffset: source.baseOffset, pathPrefix: source.pathPrefix, file: file, faults: faults)
        let interval = config.indexIntervalBytes
        var out: [UInt8] = []
        out.reserveCapacity(Int(min(source.size, 1 << 20)) + 1024)
        var written: Int64 = 0
        var removed = 0
        do throws(WharfError) {
            try forEachBatch(of: source, in: sourceFile) { (header, batch) throws(WharfError) in
                let before = out.count
                let (outcome, dropped) = try LogCompactor.filter(batch: batch, header: header, latest: latest, into: &out)
                removed += dropped
                if outcome != .keptNone {
                    let kept = try out.withBytes { (raw) throws(WharfError) in
                        try RecordBatchHeader(parsing: UnsafeRawBufferPointer(rebasing: raw[before...]))
                    }
                    segment.didAppend(kept, at: written + Int64(before), indexIntervalBytes: interval)
                }
                if out.count >= 1 << 20 {
                    try file.write(out, at: written)
                    written += Int64(out.count)
                    out.removeAll(keepingCapacity: true)
                }
            }
            if removed == 0 {
                try FileSystem.remove(cleanedPath, faults: faults)
                return nil
            }
            try file.write(out, at: written)
            try file.sync()
        } catch {
            try? FileSystem.remove(cleanedPath, faults: faults)
            throw error
        }
        segment.nextOffset = source.nextOffset
        segment.sealTimeIndex()
        // The cleaned file is complete and synced; `install` renames it and readers open it anew.
        segment.file = nil
        return CompactedSegment(source: source, cleanedPath: cleanedPath, segment: segment, removed: removed)
    }

    /// Swaps the cleaned files in under the lock; returns the records removed by those installed.
    func install(_ cleaned: [CompactedSegment]) throws(WharfError) -> Int {
        try state.withLock { (s: inout State) throws(WharfError) -> Int in
            var removed = 0
            for item in cleaned {
                let source = item.source
                guard !s.closed,
                      let i = s.segments.firstIndex(where: { $0.fileID == source.fileID }),
                      i < s.segments.count - 1 else {
                    try FileSystem.remove(item.cleanedPath, faults: faults)
                    continue
                }
                let old = s.segments[i]
                files.remove(old.fileID)
                try FileSystem.remove(old.indexPath, faults: faults)
                try FileSystem.remove(old.timeIndexPath, faults: faults)
                if item.segment.isEmpty {
                    try FileSystem.remove(item.cleanedPath, faults: faults)
                    try FileSystem.remove(old.logPath, faults: faults)
                    s.segments.remove(at: i)
                } else {
                    try FileSystem.rename(item.cleanedPath, over: old.logPath, faults: faults)
                    var segment = item.segment.replaced()
                    try segment.rewriteIndexes()
                    s.segments[i] = segment
                }
                s.totalBytes += item.segment.size - old.size
                removed += item.removed
                logger.info("compacted segment", metadata: [
                    "directory": "\(directory)", "segment": "\(old.fileName)", "recordsRemoved": "\(item.removed)",
                    "bytesBefore": "\(old.size)", "bytesAfter": "\(item.segment.size)",
                ])
            }
            // Compaction emptied the oldest segment(s): start the log where records remain, as a
            // reopen would (the loader starts at the first segment), and checkpoint it.
            if let first = s.segments.first, first.baseOffset > s.logStartOffset {
                try writeLogStart(first.baseOffset)
                s.logStartOffset = first.baseOffset
            }
            try FileSystem.syncDirectory(of: directory + "/" + Self.logStartFile, faults: faults)
            if s.closed { throw closedError }
            return removed
        }
    }
}
