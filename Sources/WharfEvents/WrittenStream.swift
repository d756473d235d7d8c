import Foundation
import WharfCore

/// One stream as the next append to it is checked: its durable events (the index's entry) and
/// then those of its appends still in flight (`InFlightAppends`). Appends must see both, or two
/// of them expecting the same revision would both pass; readers see only the durable ones.
struct WrittenStream {
    /// The index's entry (empty when the stream has no durable event); shares its storage.
    private let durable: StreamIndex.Stream
    private let inFlight: [InFlightAppend]

    init(_ stream: String, index: StreamIndex, inFlight: InFlightAppends) {
        durable = index.streams[stream] ?? StreamIndex.Stream()
        self.inFlight = inFlight.isEmpty ? [] : inFlight.appends(to: stream)
    }

    private var durableCount: UInt64 { UInt64(durable.positions.count) }

    var count: UInt64 { inFlight.last.map { $0.lastRevision + 1 } ?? durableCount }

    var lastRevision: UInt64? { count == 0 ? nil : count - 1 }

    /// The last event's revision, type and (when still in flight) data.
    var last: (revision: UInt64, type: String, inFlightData: [UInt8]?)? {
        if let append = inFlight.last, let event = append.events.last { return (append.lastRevision, event.type, event.data) }
        guard let revision = durable.positions.indices.last else { return nil }
        return (UInt64(revision), durable.lastType, nil)
    }

    /// The in-flight append holding `revision` and the event's index in it (nil: durable).
    private func inFlightSlot(_ revision: UInt64) -> (append: InFlightAppend, at: Int)? {
        guard revision >= durableCount else { return nil }
        for append in inFlight where revision <= append.lastRevision {
            return (append, Int(revision - append.firstRevision))
        }
        return nil
    }

    /// For revisions below `count`.
    func id(at revision: UInt64) -> UUID {
        if let slot = inFlightSlot(revision) { return slot.append.events[slot.at].id }
        return durable.ids[Int(revision)]
    }

    /// For revisions below `count`.
    func position(at revision: UInt64) -> UInt64 {
        if let slot = inFlightSlot(revision) { return slot.append.position + UInt64(slot.at) }
        return durable.positions[Int(revision)]
    }

    /// The last revision holding `id`, nil when the stream never had it.
    func revision(of id: UUID) -> UInt64? {
        for append in inFlight.reversed() {
            if let i = append.events.lastIndex(where: { $0.id == id }) { return append.firstRevision + UInt64(i) }
        }
        return durable.revisions[id]
    }

    /// EventStoreDB's idempotency rule (its storage writer's commit check), applied before the
    /// expected-version check. It looks only at this stream: the same id in another stream is a
    /// new event there.
    /// - `.any` (and `.streamExists` on an existing stream): the first id is not in the stream:
    ///   not a retry (nil, written as new). Every id is in the stream: a retry, answered with the
    ///   revision and position of the last one and nothing written. The first is but a later one
    ///   is not: a partial overlap, `duplicateEventIds` (EventStoreDB's "corrupted idempotency",
    ///   which its clients see as WrongExpectedVersion).
    /// - `.exact(r)` / `.noStream` (r = -1) below the stream's last revision: the events at
    ///   revisions r+1, r+2, ... must carry the ids in call order: all do, a retry; the first does
    ///   not, `wrongExpectedVersion` like any stale write; a later one does not (or the call runs
    ///   past the end), a partial overlap.
    /// - Otherwise (the expected version is the current one, or ahead of it): not a retry; the
    ///   expected-version check decides.
    func idempotentResult(stream: String, events: [EventData], expected: ExpectedVersion) throws(WharfError) -> WriteResult? {
        guard let last = lastRevision, let firstEvent = events.first else { return nil }
        func retry(endingAt revision: UInt64) -> WriteResult {
            WriteResult(nextExpectedVersion: revision, position: position(at: revision), deduplicated: true)
        }
        func partial(_ id: UUID) -> WharfError {
            .duplicateEventIds(stream: stream, detail: "event \(id) is new but earlier event(s) of this call are already stored in the stream")
        }
        let start: UInt64
        switch expected {
        case .any, .streamExists:
            guard revision(of: firstEvent.id) != nil else { return nil }
            var end: UInt64 = 0
            for e in events {
                guard let r = revision(of: e.id) else { throw partial(e.id) }
                end = r
            }
            return retry(endingAt: end)
        case .noStream: start = 0
        case .exact(let r):
            guard r < last else { return nil }
            start = r + 1
        }
        for (i, e) in events.enumerated() {
            let revision = start + UInt64(i)
            guard revision <= last, id(at: revision) == e.id else {
                if i == 0 { throw .wrongExpectedVersion(stream: stream, expected: expected.description, actual: last) }
                throw partial(e.id)
            }
        }
        return retry(endingAt: start + UInt64(events.count - 1))
    }
}
