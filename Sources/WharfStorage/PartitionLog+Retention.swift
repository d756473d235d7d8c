import WharfCore

/// Moving the log start: DeleteRecords, retention by time and by size. Whole segments are the
/// unit of deletion; the active segment is never deleted. The new log start is checkpointed
/// (`log-start-offset`, written atomically) before any file is removed.
extension PartitionLog {
    /// Kafka DeleteRecords: advances `logStartOffset` to `offset` (clamped to the log end; an
    /// offset at or below the current start changes nothing), deletes the segments wholly below it
    /// and persists the new start. Returns the new `logStartOffset`.
    public func deleteRecords(before offset: Int64) throws(WharfError) -> Int64 {
        guard offset >= 0 else { throw .invalidArgument("deleteRecords offset must be >= 0, got \(offset)") }
        return try state.withLock { (s: inout State) throws(WharfError) -> Int64 in
            guard !s.closed else { throw closedError }
            let target = min(offset, s.readableEnd)
            guard target > s.logStartOffset else { return s.logStartOffset }
            try writeLogStart(target)
            s.logStartOffset = target
            var deleted = 0
            while s.segments.count > 1 && s.segments[1].baseOffset <= target {
                try deleteOldestSegment(&s)
                deleted += 1
            }
            if deleted > 0 { try FileSystem.syncDirectory(of: directory + "/" + Self.logStartFile, faults: faults) }
            logger.info("deleted records", metadata: ["directory": "\(directory)", "logStartOffset": "\(target)", "segmentsDeleted": "\(deleted)"])
            return target
        }
    }

    /// Retention with the injected clock: first by time (oldest segments whose newest timestamp
    /// is older than `now - retentionMs`), then by size (oldest segments while the log would still
    /// hold at least `retentionBytes` without them, as Kafka does). Both stop at the first segment
    /// that is kept and never touch the active segment. Advances `logStartOffset`; returns the
    /// number of segments deleted.
    @discardableResult
    public func applyRetention() throws(WharfError) -> Int {
        let now = clock.nowMillis()
        return try state.withLock { (s: inout State) throws(WharfError) -> Int in
            guard !s.closed else { throw closedError }
            var doomed = 0
            if s.config.retentionMs >= 0 {
                let cutoff = now.subtractingSaturating(s.config.retentionMs)
                while doomed < s.segments.count - 1 && s.segments[doomed].maxTimestamp < cutoff { doomed += 1 }
            }
            if s.config.retentionBytes >= 0 {
                var remaining = s.totalBytes - s.segments[..<doomed].reduce(Int64(0)) { $0 + $1.size }
                while doomed < s.segments.count - 1 && remaining - s.segments[doomed].size >= s.config.retentionBytes {
                    remaining -= s.segments[doomed].size
                    doomed += 1
                }
            }
            guard doomed > 0 else { return 0 }
            let newStart = max(s.logStartOffset, s.segments[doomed].baseOffset)
            if newStart > s.logStartOffset {
                try writeLogStart(newStart)
                s.logStartOffset = newStart
            }
            for _ in 0..<doomed { try deleteOldestSegment(&s) }
            try FileSystem.syncDirectory(of: directory + "/" + Self.logStartFile, faults: faults)
            logger.info("applied retention", metadata: ["directory": "\(directory)", "segmentsDeleted": "\(doomed)", "logStartOffset": "\(newStart)"])
            return doomed
        }
    }

    /// Unlinks the oldest segment's files and drops its cached descriptor (which would otherwise
    /// keep the disk space). Readers holding its `PosixFile` keep reading: the descriptor closes
    /// when the last reference goes.
    func deleteOldestSegment(_ s: inout State) throws(WharfError) {
        let segment = s.segments.removeFirst()
        files.remove(segment.fileID)
        s.totalBytes -= segment.size
        try FileSystem.remove(segment.logPath, faults: faults)
        try FileSystem.remove(segment.indexPath, faults: faults)
        try FileSystem.remove(segment.timeIndexPath, faults: faults)
    }

    func writeLogStart(_ offset: Int64) throws(WharfError) {
        try FileSystem.writeFileAtomically(directory + "/" + Self.logStartFile, Array("\(offset)\n".utf8), faults: faults)
    }

    /// The checkpointed log start, nil when there is none; a malformed file is reported, not fatal.
    static func readLogStart(directory: String) throws(WharfError) -> Int64? {
        guard let bytes = try FileSystem.readFile(directory + "/" + logStartFile) else { return nil }
        let text = String(decoding: bytes, as: UTF8.self).trimmingSpaces
        guard let value = Int64(text), value >= 0 else {
            throw .corrupt("\(logStartFile) holds '\(text)', not an offset")
        }
        return value
    }
}
