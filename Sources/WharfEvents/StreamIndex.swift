import Foundation
import WharfCore

/// The in-memory index of the `$all` log, rebuilt on open by scanning it (one decode per event)
/// and extended by every append. A value type guarded by `EventStore`'s mutex.
///
/// Invariants: positions are dense from 0 (`$all` never drops records: retention is off and it is
/// never compacted), so `end` = number of events = the log end offset; `streams[s].positions[r]`
/// is the position of revision `r` of `s`, strictly increasing; `timestamps[p]` is the append
/// time of position `p`; `systemPositions` lists (ascending) the positions of events in `$`
/// streams, which `.all` subscriptions and lag skip.
///
/// Memory: about 8 bytes (stream position) + 8 (category position) + 8 (event-type position)
/// + 8 (timestamp) + 16 (event id by revision) + ~60 (the stream's id-to-revision entry) per event,
/// and the last event's type per stream.
/// Event ids are kept for every event ever appended, not a window, so deduplication of a retried
/// append holds for the life of the store (EventStoreDB bounds this by a cache; a bounded window
/// here would be a change in `Stream.revisions` only).
struct StreamIndex: Sendable {
    struct Stream: Sendable {
        var positions: [UInt64] = []
        /// The event id at each revision.
        var ids: [UUID] = []
        /// The last revision holding each event id (ids repeat only through `.any` appends
        /// whose first id is new, which EventStoreDB writes too).
        var revisions: [UUID: UInt64] = [:]
        var lastAppended: Int64 = 0
        /// The type of the last event (a front-end's check of a stream's state without a log read:
        /// EventStoreDB's tombstone is a last event of type `$streamDeleted`).
        var lastType = ""
    }

    private(set) var streams: [String: Stream] = [:]
    private(set) var categories: [String: Set<String>] = [:]
    /// Positions of every event of each category, ascending (EventStoreDB's `$ce-<category>`).
    private(set) var categoryPositions: [String: [UInt64]] = [:]
    /// Positions of every event of each type, ascending (EventStoreDB's `$et-<type>`).
    private(set) var typePositions: [String: [UInt64]] = [:]
    private(set) var timestamps: [Int64] = []
    private(set) var systemPositions: [UInt64] = []

    /// One past the last indexed position: the committed end of `$all`.
    var end: UInt64 { UInt64(timestamps.count) }

    func lastRevision(of stream: String) -> UInt64? {
        guard let s = streams[stream], !s.positions.isEmpty else { return nil }
        return UInt64(s.positions.count - 1)
    }

    /// The `$all` positions a system link stream points to, in order (its revision i links to
    /// the i-th); nil when nothing was ever appended that it covers.
    func positions(of link: LinkStream) -> [UInt64]? {
        switch link {
        case .category(let c): categoryPositions[c]
        case .eventType(let t): typePositions[t]
        }
    }

    mutating func add(stream: String, id: UUID, type: String, revision: UInt64, position: UInt64, timestamp: Int64) throws(WharfError) {
        guard position == end else { throw .corrupt("$all position \(position) found where \(end) was expected (the log has a gap)") }
        let count = streams[stream]?.positions.count ?? 0
        guard revision == UInt64(count) else {
            throw .corrupt("stream '\(stream)' revision \(revision) at position \(position) follows revision \(count - 1)")
        }
        // Taken out of the dictionary, so the appends below extend its arrays in place: a copy
        // read with `streams[stream]` shares their storage, and every append would copy the
        // stream's whole history (quadratic in a stream's length).
        var entry = streams.removeValue(forKey: stream) ?? Stream()
        let category = StreamName.category(of: stream)
        if entry.positions.isEmpty { categories[category, default: []].insert(stream) }
        categoryPositions[category, default: []].append(position)
        typePositions[type, default: []].append(position)
        entry.positions.append(position)
        entry.ids.append(id)
        entry.revisions[id] = revision
        entry.lastAppended = timestamp
        entry.lastType = type
        streams[stream] = entry
        timestamps.append(timestamp)
        if StreamName.isSystem(stream) { systemPositions.append(position) }
    }

    /// Number of positions in `range` that hold system-stream events.
    func systemCount(in range: Range<UInt64>) -> Int {
        guard !systemPositions.isEmpty, !range.isEmpty else { return 0 }
        return lowerBound(range.upperBound) - lowerBound(range.lowerBound)
    }

    /// First position >= `p` that is not a system event (or `end`).
    func firstApplicationPosition(from p: UInt64) -> UInt64 {
        var p = p
        var i = lowerBound(p)
        while p < end, i < systemPositions.count, systemPositions[i] == p {
            p += 1
            i += 1
        }
        return p
    }

    private func lowerBound(_ p: UInt64) -> Int {
        var lo = 0, hi = systemPositions.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if systemPositions[mid] < p { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
