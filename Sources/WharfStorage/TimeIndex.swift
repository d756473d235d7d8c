import WharfCore

/// The sparse time index of one segment, for "first offset with timestamp >= t" lookups.
///
/// On disk (`<20-digit base>.timeindex`): back-to-back 12-byte entries, big-endian
/// `timestamp i64 | relativeOffset u32`. An entry `(T, r)` means: every record in batches
/// starting at or before relative offset `r` (in this segment) has a timestamp <= T, and `r` is
/// the base of a batch. `T` is the running maximum of batch `maxTimestamp`s, so timestamps never
/// decrease; relative offsets strictly increase. An entry is added together with every offset
/// index entry, and a final one (the segment's maximum, at its last batch) when the segment is
/// rolled or the log closed, so the last entry of a closed segment carries its newest timestamp.
///
/// Lookup: the last entry with `T < target` proves every batch up to `r` is older than the target,
/// so the scan for the first batch whose `maxTimestamp >= target` starts there and ends at or before
/// the next entry's batch. Not thread-safe: the owning log's lock guards it.
struct TimeIndex: Sendable, Equatable {
    static let entrySize = 12

    private(set) var timestamps: [Int64] = []
    private(set) var relativeOffsets: [UInt32] = []
    var persistedCount = 0

    var count: Int { timestamps.count }
    var isEmpty: Bool { timestamps.isEmpty }
    var lastTimestamp: Int64? { timestamps.last }
    var lastRelativeOffset: UInt32? { relativeOffsets.last }

    /// Adds `(timestamp, relativeOffset)` unless it would break monotonicity (older timestamp or
    /// a relative offset not past the last entry's).
    mutating func maybeAppend(timestamp: Int64, relativeOffset: UInt32) {
        if let t = timestamps.last, let r = relativeOffsets.last, timestamp < t || relativeOffset <= r { return }
        timestamps.append(timestamp)
        relativeOffsets.append(relativeOffset)
    }

    /// Drops entries whose relative offset is >= `relativeOffset` (after a truncation).
    mutating func truncate(fromRelativeOffset relativeOffset: UInt32) {
        while let last = relativeOffsets.last, last >= relativeOffset {
            relativeOffsets.removeLast()
            timestamps.removeLast()
        }
        persistedCount = min(persistedCount, count)
    }

    mutating func removeAll() {
        timestamps.removeAll()
        relativeOffsets.removeAll()
        persistedCount = 0
    }

    /// The relative offset of the last entry whose timestamp is < `target`: every batch up to it
    /// holds only older records. Nil when there is none (scan from the segment start).
    func lastRelativeOffset(olderThan target: Int64) -> UInt32? {
        var lo = 0, hi = timestamps.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if timestamps[mid] < target { lo = mid + 1 } else { hi = mid }
        }
        return lo == 0 ? nil : relativeOffsets[lo - 1]
    }

    func encode(from start: Int = 0) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity((count - start) * Self.entrySize)
        for i in start..<count {
            out.appendBigEndian(timestamps[i])
            out.appendBigEndian(relativeOffsets[i])
        }
        return out
    }

    /// Parses a time index file, checking its invariants; `maxRelativeOffset` bounds the entries
    /// (nil when unknown). Throws `.corrupt` naming the first violation.
    static func decode(_ bytes: [UInt8], maxRelativeOffset: UInt32?) throws(WharfError) -> TimeIndex {
        guard bytes.count % entrySize == 0 else {
            throw .corrupt("time index size \(bytes.count) is not a multiple of \(entrySize)")
        }
        var index = TimeIndex()
        let n = bytes.count / entrySize
        try bytes.withBytes { (raw) throws(WharfError) in
            for i in 0..<n {
                let ts = raw.loadBigEndian(at: i * entrySize, as: Int64.self)
                let rel = raw.loadBigEndian(at: i * entrySize + 8, as: UInt32.self)
                if let t = index.timestamps.last, let r = index.relativeOffsets.last, ts < t || rel <= r {
                    throw .corrupt("time index entry \(i) (\(ts) @ \(rel)) is not monotonic")
                }
                if let maxRelativeOffset, rel > maxRelativeOffset {
                    throw .corrupt("time index entry \(i) names relative offset \(rel), beyond the segment")
                }
                index.timestamps.append(ts)
                index.relativeOffsets.append(rel)
            }
        }
        index.persistedCount = n
        return index
    }
}
