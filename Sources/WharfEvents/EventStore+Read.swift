import WharfCore
import WharfStorage

public enum ReadDirection: Sendable, Equatable {
    case forwards
    case backwards
}

/// Reads: positions are looked up in the index under the lock, the events are read from the log
/// without it, never past the committed end seen under the lock.
extension EventStore {
    /// Revision of the stream's last event, nil when the stream has no events.
    public func lastRevision(of stream: String) -> UInt64? {
        state.withLock { $0.index.lastRevision(of: stream) }
    }

    /// The revision and type of the stream's last event, from the index (no log read); nil when
    /// the stream has no events.
    public func lastEvent(of stream: String) -> (revision: UInt64, type: String)? {
        state.withLock { s in
            guard let entry = s.index.streams[stream], let last = entry.positions.indices.last else { return nil }
            return (UInt64(last), entry.lastType)
        }
    }

    /// Up to `maxCount` events of `stream` starting at revision `from` (inclusive), forwards or
    /// backwards. `from` nil means the first revision (forwards) or the last (backwards). A stream
    /// without events reads as empty.
    public func readStream(_ stream: String, from revision: UInt64? = nil, direction: ReadDirection = .forwards,
                           maxCount: Int = 100) throws(WharfError) -> [RecordedEvent] {
        guard maxCount > 0 else { return [] }
        let positions = try state.withLock { (s: inout State) throws(WharfError) -> [UInt64] in
            guard !s.closed else { throw closedError }
            guard let all = s.index.streams[stream]?.positions, !all.isEmpty else { return [] }
            switch direction {
            case .forwards:
                let start = revision ?? 0
                guard start < UInt64(all.count) else { return [] }
                let lo = Int(start)
                return Array(all[lo..<min(all.count, lo + maxCount)])
            case .backwards:
                let start = min(revision ?? UInt64(all.count - 1), UInt64(all.count - 1))
                let hi = Int(start)
                return Array(all[max(0, hi - maxCount + 1)...hi])
            }
        }
        let events = try events(at: positions)
        return direction == .forwards ? events : events.reversed()
    }

    /// Up to `maxCount` events of `$all` from `position` (inclusive) in position order.
    /// `includeSystem: false` leaves out events of `$` streams (parked links).
    public func readAll(from position: UInt64 = 0, maxCount: Int = 100, includeSystem: Bool = true) throws(WharfError) -> [RecordedEvent] {
        try scanAll(from: position, maxCount: maxCount, includeSystem: includeSystem).events
    }

    /// Log bytes `scanAll` reads at a time (whole batches, at least one). A catch-up asks for 256
    /// events, about 50 KB of small ones: 256 KB reads copied (pread) five times the bytes used.
    static var scanReadBytes: Int { 64 << 10 }

    /// `readAll` that also returns where the scan stopped: the position after the last one it
    /// looked at (delivered or filtered out), at most the committed end.
    func scanAll(from position: UInt64, maxCount: Int, includeSystem: Bool) throws(WharfError) -> (events: [RecordedEvent], next: UInt64) {
        let end = try state.withLock { (s: inout State) throws(WharfError) -> UInt64 in
            guard !s.closed else { throw closedError }
            return s.index.end
        }
        var out: [RecordedEvent] = []
        var next = position
        while next < end, out.count < maxCount {
            let fetched = try log.read(from: Int64(next), maxBytes: Self.scanReadBytes)
            // Each record is decoded where it lies in the read (no `StoredRecord` in between),
            // and no more of them than the call can still return.
            var decoded = 0
            var full = false
            try Self.forEachRecord(in: fetched.bytes, at: next) { (record) throws(WharfError) -> Bool in
                guard record.offset >= Int64(next) else { return true }
                guard record.offset < Int64(end), out.count < maxCount else {
                    full = true
                    return false
                }
                let e = try EventRecordCodec.decode(record)
                if includeSystem || !StreamName.isSystem(e.stream) { out.append(e) }
                next = e.position + 1
                decoded += 1
                return true
            }
            guard !full, decoded > 0 else { break }
        }
        return (out, next)
    }

    /// Up to `maxCount` events of the streams in `category`, in `$all` order, starting at index
    /// `from` of that sequence (EventStoreDB's `$ce-<category>` stream, where `from` is a revision).
    public func readCategory(_ category: String, from: UInt64 = 0, maxCount: Int = 100) throws(WharfError) -> [RecordedEvent] {
        try readLinkTargets(.category(category), from: from, maxCount: maxCount)
    }

    /// Streams with their event counts, sorted by name; only those of `category` when given.
    /// System streams (`$...`) are listed only with `includeSystem`.
    public func streams(category: String? = nil, includeSystem: Bool = false) -> [StreamInfo] {
        state.withLock { s in
            let names: [String]
            if let category { names = Array(s.index.categories[category] ?? []) } else { names = Array(s.index.streams.keys) }
            return names.filter { includeSystem || !StreamName.isSystem($0) }.sorted().compactMap { name in
                guard let entry = s.index.streams[name] else { return nil }
                return StreamInfo(name: name, category: StreamName.category(of: name), eventCount: UInt64(entry.positions.count),
                                  lastAppended: entry.lastAppended)
            }
        }
    }

    /// Categories with their stream and event counts, sorted by name (system categories left out).
    public func categories() -> [(category: String, streams: Int, events: UInt64)] {
        state.withLock { s in
            s.index.categories.keys.filter { !StreamName.isSystem($0) }.sorted().map {
                ($0, s.index.categories[$0]?.count ?? 0, UInt64(s.index.categoryPositions[$0]?.count ?? 0))
            }
        }
    }

    /// The events at `positions` (ascending), reading one batch per log read and decoding from
    /// it, where they lie, the following positions it holds (the events of one append share a batch).
    func events(at positions: [UInt64]) throws(WharfError) -> [RecordedEvent] {
        var out: [RecordedEvent] = []
        out.reserveCapacity(positions.count)
        while out.count < positions.count {
            let p = positions[out.count]
            let fetched = try log.read(from: Int64(p), maxBytes: 1)
            let before = out.count
            try Self.forEachRecord(in: fetched.bytes, at: p) { (record) throws(WharfError) -> Bool in
                guard record.offset == Int64(positions[out.count]) else { return record.offset < Int64(positions[out.count]) }
                out.append(try EventRecordCodec.decode(record))
                return out.count < positions.count
            }
            guard out.count > before else { throw .corrupt("$all has no event at position \(p)") }
        }
        return out
    }

    /// Calls `body` with each record of a log read (`position`: where it was read from, for the
    /// error), borrowed from `bytes`, until `body` returns false. A malformed batch is `.corrupt`.
    static func forEachRecord(in bytes: [UInt8], at position: UInt64,
                              _ body: (RecordBatchReader.RecordView) throws(WharfError) -> Bool) throws(WharfError) {
        do {
            try bytes.withUnsafeBytes { raw in
                try RecordBatchReader.forEachRecord(in: raw) { record in
                    guard try body(record) else { throw StopRecords() }
                }
            }
        } catch is StopRecords {
            return
        } catch let e as WharfError {
            throw e
        } catch {
            throw .corrupt("cannot decode $all at \(position): \(error)")
        }
    }

    /// Ends `forEachRecord`'s walk when its body has what it wants.
    private struct StopRecords: Error {}
}
