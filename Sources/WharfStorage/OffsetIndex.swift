import WharfCore

/// The sparse offset index of one segment: maps a relative offset to the byte position of a
/// batch in the segment's `.log`, so a lookup needs a binary search plus a short forward scan.
///
/// On disk (`<20-digit base>.index`): back-to-back 8-byte entries, big-endian
/// `relativeOffset u32 | position u32`, where `relativeOffset = batch.baseOffset - segment.base`
/// and `position` is where that batch starts. One entry is written per `indexIntervalBytes` of
/// batches (never for position 0, which is implied).
///
/// Invariants (checked on load, `decode`): the file size is a multiple of 8; relative offsets
/// and positions strictly increase; every position lies inside the log file; for a closed
/// segment, every relative offset lies below the next segment's base.
///
/// The whole index lives in memory; `persistedCount` says how many leading entries are already in
/// the file, so a flush appends only the rest. Not thread-safe: the owning log's lock guards it.
struct OffsetIndex: Sendable, Equatable {
    static let entrySize = 8

    private(set) var relativeOffsets: [UInt32] = []
    private(set) var positions: [UInt32] = []
    /// Entries already in the file (a prefix of the in-memory entries).
    var persistedCount = 0

    var count: Int { relativeOffsets.count }
    var isEmpty: Bool { relativeOffsets.isEmpty }
    var lastPosition: Int64 { positions.last.map(Int64.init) ?? 0 }

    /// Adds an entry; one that would not strictly increase both fields is ignored.
    mutating func append(relativeOffset: UInt32, position: UInt32) {
        if let r = relativeOffsets.last, let p = positions.last, relativeOffset <= r || position <= p { return }
        relativeOffsets.append(relativeOffset)
        positions.append(position)
    }

    /// Drops entries at or beyond `position` (after a truncation).
    mutating func truncate(toPosition position: Int64) {
        while let last = positions.last, Int64(last) >= position {
            positions.removeLast()
            relativeOffsets.removeLast()
        }
        persistedCount = min(persistedCount, count)
    }

    mutating func removeAll() {
        relativeOffsets.removeAll()
        positions.removeAll()
        persistedCount = 0
    }

    /// The position of the last indexed batch whose relative offset is <= `relativeOffset`
    /// (0, the segment start, when there is none). Scanning forward from it finds the batch.
    func floorPosition(relativeOffset target: UInt32) -> Int64 {
        var lo = 0, hi = relativeOffsets.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if relativeOffsets[mid] <= target { lo = mid + 1 } else { hi = mid }
        }
        return lo == 0 ? 0 : Int64(positions[lo - 1])
    }

    /// Entries `from..<count` in the on-disk format.
    func encode(from start: Int = 0) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity((count - start) * Self.entrySize)
        for i in start..<count {
            out.appendBigEndian(relativeOffsets[i])
            out.appendBigEndian(positions[i])
        }
        return out
    }

    /// Parses an index file, checking the invariants against the log's size; throws `.corrupt`
    /// naming the first violation.
    static func decode(_ bytes: [UInt8], logSize: Int64, maxRelativeOffset: UInt32? = nil) throws(WharfError) -> OffsetIndex {
        guard bytes.count % entrySize == 0 else {
            throw .corrupt("offset index size \(bytes.count) is not a multiple of \(entrySize)")
        }
        var index = OffsetIndex()
        let n = bytes.count / entrySize
        index.relativeOffsets.reserveCapacity(n)
        index.positions.reserveCapacity(n)
        try bytes.withBytes { (raw) throws(WharfError) in
            for i in 0..<n {
                let rel = raw.loadBigEndian(at: i * entrySize, as: UInt32.self)
                let pos = raw.loadBigEndian(at: i * entrySize + 4, as: UInt32.self)
                if let lastRel = index.relativeOffsets.last, let lastPos = index.positions.last, rel <= lastRel || pos <= lastPos {
                    throw .corrupt("offset index entry \(i) (\(rel) @ \(pos)) does not increase")
                }
                guard Int64(pos) < logSize else {
                    throw .corrupt("offset index entry \(i) points at \(pos), beyond the log's \(logSize) bytes")
                }
                if let maxRelativeOffset, rel > maxRelativeOffset {
                    throw .corrupt("offset index entry \(i) names relative offset \(rel), beyond the segment")
                }
                index.relativeOffsets.append(rel)
                index.positions.append(pos)
            }
        }
        index.persistedCount = n
        return index
    }
}
