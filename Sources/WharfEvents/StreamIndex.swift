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
/// Memory: about 8 bytes (stream position) + 8 (category position) + 8 (timestamp) + ~60 (event-id entry) per event.
/// Event ids are kept for every event ever appended, not a window, so deduplication of a retried
/// append holds for the life of the store (EventStoreDB bounds this by a cache; a bounded window
/// here would be a change in `ids` only).
struct StreamIndex: Sendable {
    struct Stream: Sendable {
        var positions: [UInt64] = []
        var lastAppended: Int64 = 0
    }

    struct Location: Sendable, Equatable {
        var stream: String
        var revision: UInt64
        var position: UInt64
    }

    private(set) var streams: [String: Stream] = [:]
    private(set) var categories: [String: Set<String>] = [:]
    /// Positions of every event of each category, ascending (EventStoreDB's `$ce-<category>`).
    private(set) var categoryPositions: [String: [UInt64]] = [:]
    private(set) var ids: [UUID: Location] = [:]
    private(set) var timestamps: [Int64] = []
    private(set) var systemPositions: [UInt64] = []

    /// One past the last indexed position: the committed end of `$all`.
    var end: UInt64 { UInt64(timestamps.count) }

    func lastRevision(of stream: String) -> UInt64? {
        guard let s = streams[stream], !s.positions.isEmpty else { return nil }
        return UInt64(s.positions.count - 1)
    }

    mutating func add(stream: String, id: UUID, revision: UInt64, position: UInt64, timestamp: Int64) throws(WharfError) {
        guard position == end else { throw .corrupt("$all position \(position) found where \(end) was expected (the log has a gap)") }
        var entry = streams[stream] ?? Stream()
        guard revision == UInt64(entry.positions.count) else {
            throw .corrupt("stream '\(stream)' revision \(revision) at position \(position) follows revision \(Int(entry.positions.count) - 1)")
        }
        let category = StreamName.category(of: stream)
        if entry.positions.isEmpty { categories[category, default: []].insert(stream) }
        categoryPositions[category, default: []].append(position)
        entry.positions.append(position)
        entry.lastAppended = timestamp
        streams[stream] = entry
        ids[id] = Location(stream: stream, revision: revision, position: position)
        timestamps.append(timestamp)
        if StreamName.isSystem(stream) { systemPositions.append(position) }
    }

    /// EventStoreDB's idempotency rule, applied before the expected-version check:
    /// - no id of `events` is known: not a retry (nil);
    /// - every id is known, all in `stream`, at consecutive revisions `r...` in call order, and the
    ///   expected version is satisfied by the stream as it was before them (`.exact(r-1)`, `.noStream`
    ///   with `r == 0`, `.streamExists` with `r > 0`, `.any`): a retry, answered with the original
    ///   result and nothing written;
    /// - every id is known in that shape but the expected version does not match: the original
    ///   append's expected version differed, so this is `wrongExpectedVersion` like any stale write;
    /// - anything else (some ids known and some not, ids known in another stream or order): a
    ///   partial overlap, rejected with `duplicateEventIds` (EventStoreDB's "corrupted
    ///   idempotency"), because writing the new ones would duplicate the known ones.
    func idempotentResult(stream: String, events: [EventData], expected: ExpectedVersion) throws(WharfError) -> WriteResult? {
        let known = events.map { ids[$0.id] }
        guard known.contains(where: { $0 != nil }) else { return nil }
        guard let first = known[0], known.allSatisfy({ $0 != nil }) else {
            let dup = zip(events, known).first { $0.1 != nil }!
            throw .duplicateEventIds(stream: stream, detail: "event \(dup.0.id) is already stored in '\(dup.1!.stream)' at revision \(dup.1!.revision) but event(s) of this call are new")
        }
        for (i, loc) in known.enumerated() {
            guard let loc, loc.stream == stream, loc.revision == first.revision + UInt64(i) else {
                throw .duplicateEventIds(stream: stream, detail: "event \(events[i].id) is already stored elsewhere (\(known[i].map { "'\($0.stream)' revision \($0.revision)" } ?? "nowhere")), not as part of the same append")
            }
        }
        let before: UInt64? = first.revision == 0 ? nil : first.revision - 1
        guard expected.isSatisfied(by: before) else {
            throw .wrongExpectedVersion(stream: stream, expected: expected.description, actual: lastRevision(of: stream))
        }
        let last = known[known.count - 1]!
        return WriteResult(nextExpectedVersion: last.revision, position: last.position, deduplicated: true)
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
