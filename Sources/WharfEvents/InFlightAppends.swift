import WharfCore

/// One append written to the `$all` log that no fdatasync covers yet (`always` only): what the
/// index takes once it is durable, and what the next append's checks must already see.
/// It keeps the events themselves (shared storage, no copy) so that a front-end checking a
/// write (EventStoreDB's stream metadata) can see the data of one still in flight.
struct InFlightAppend: Sendable {
    let stream: String
    let events: [EventData]
    let firstRevision: UInt64
    /// `$all` position of its first event; the others follow it.
    let position: UInt64
    let timestamp: Int64

    var end: UInt64 { position + UInt64(events.count) }
    var lastRevision: UInt64 { firstRevision + UInt64(events.count - 1) }
}

/// The appends written but not yet durable, in position order (under `always`; empty otherwise).
///
/// Why they are kept apart from the index: readers see only the index, so no read returns an
/// event a power cut could still take back, while appends wait for their fdatasync outside the
/// store's lock and so share it (group commit). The store's lock still orders the writes, and
/// the durable prefix moves into the index in position order, so `$all` stays dense for readers.
/// A handful of entries at a time (those written during one fdatasync): scans are cheap.
struct InFlightAppends: Sendable {
    private(set) var appends: [InFlightAppend] = []

    var isEmpty: Bool { appends.isEmpty }

    /// One past the last position in flight, nil when none is.
    var end: UInt64? { appends.last?.end }

    mutating func add(_ append: InFlightAppend) {
        appends.append(append)
    }

    /// `stream`'s appends in flight, in order.
    func appends(to stream: String) -> [InFlightAppend] {
        appends.filter { $0.stream == stream }
    }

    /// Removes and returns the appends that end at or below `durableEnd` (an fdatasync covers them).
    mutating func takeDurable(below durableEnd: UInt64) -> ArraySlice<InFlightAppend> {
        let count = appends.prefix { $0.end <= durableEnd }.count
        guard count > 0 else { return [] }
        let taken = appends[..<count]
        appends.removeFirst(count)
        return taken
    }
}

extension StreamIndex {
    /// Indexes every event of `append` (now durable, or written under a policy that does not wait).
    mutating func add(_ append: InFlightAppend) throws(WharfError) {
        for (i, e) in append.events.enumerated() {
            try add(stream: append.stream, id: e.id, type: e.type, revision: append.firstRevision + UInt64(i),
                    position: append.position + UInt64(i), timestamp: append.timestamp)
        }
    }
}
