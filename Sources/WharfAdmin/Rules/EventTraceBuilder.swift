import WharfCore

/// Builds an `EventTrace` from records a source reads: pure, so the engine and a Kafka cluster
/// share every rule. Feed it the records of every topic (`observe`), then each group's
/// commits (`trace(commits:)`).
///
/// Links: a record belongs to the event when its `id` header is the event id, when its
/// dead-letter headers name a record of the event as their original (any convention
/// `DeadLetterHeaders` parses), or when its `wharf.requeued-from` names one. Links chain
/// (published → dead-lettered → requeued → dead-lettered again), resolved after the scan.
public struct EventTraceBuilder: Sendable {
    public enum Query: Equatable, Sendable {
        /// `TOPIC/PARTITION/OFFSET`.
        case record(topic: String, partition: Int32, offset: Int64)
        /// An outbox event id or a message id (the record's `id` header).
        case id(String)

        /// `orders/0/17` is a record; anything else an id.
        public init(parsing text: String) {
            let parts = text.split(separator: "/", omittingEmptySubsequences: false)
            if parts.count == 3, !parts[0].isEmpty, let p = Int32(parts[1]), p >= 0, let o = Int64(parts[2]), o >= 0 {
                self = .record(topic: String(parts[0]), partition: p, offset: o)
            } else {
                self = .id(text)
            }
        }
    }

    /// The header carrying the event id (the outbox relay's `id`).
    public static let idHeader = "id"

    /// A record that may belong to the event, kept with what links it.
    struct Candidate: Sendable {
        var hop: EventTrace.Hop
        var eventId: String?
        /// Dead-letter origin or requeue provenance: `topic/partition/offset`.
        var from: String?
    }

    public let query: Query
    public private(set) var eventId: String?
    public private(set) var scanned = 0
    public var truncated = false
    private var candidates: [String: Candidate] = [:]

    public init(query: Query) {
        self.query = query
        if case .id(let id) = query { eventId = id }
    }

    /// Looks at one record of `topic`/`partition`; keeps it when it may belong to the event.
    public mutating func observe(topic: String, partition: Int32, _ record: StoredRecord) {
        scanned += 1
        let id = record.headers.last { $0.key == Self.idHeader }?.value.map { String(decoding: $0, as: UTF8.self) }
        var hop = EventTrace.Hop(role: .record, topic: topic, partition: partition, offset: record.offset,
                                 timestamp: record.timestamp, time: TimeParsing.iso(record.timestamp))
        var from: String?
        if let provenance = record.headers.last(where: { $0.key == RequeueProvenance.header })?.value {
            hop.role = .requeued
            from = String(decoding: provenance, as: UTF8.self)
        } else if let origin = DeadLetterHeaders.parse(record.headers) {
            hop.role = .deadLetter
            hop.reason = origin.reason
            if let t = origin.topic, let p = origin.partition, let o = origin.offset { from = "\(t)/\(p)/\(o)" }
        }
        hop.from = from
        let isQueried: Bool
        if case .record(let t, let p, let o) = query { isQueried = t == topic && p == partition && o == record.offset } else { isQueried = false }
        if isQueried, eventId == nil { eventId = id }
        // Only what could link is kept: the queried record, id carriers, dead letters and requeues.
        guard isQueried || id != nil || from != nil else { return }
        candidates[hop.coordinates] = Candidate(hop: hop, eventId: id, from: from)
    }

    /// The hops of the event (oldest first), given each group's committed offsets
    /// (`group -> partition -> commit`), and where it is now.
    public func trace(commits: [String: [TopicPartition: EventTrace.GroupCommit]], outbox: OutboxRowState? = nil) -> EventTrace {
        var members = Set<String>()
        if case .record(let t, let p, let o) = query, candidates["\(t)/\(p)/\(o)"] != nil { members.insert("\(t)/\(p)/\(o)") }
        if let eventId {
            for (key, c) in candidates where c.eventId == eventId { members.insert(key) }
        }
        // Follow dead-letter and requeue links until nothing new joins.
        var grew = true
        while grew {
            grew = false
            for (key, c) in candidates {
                guard let from = c.from else { continue }
                // Forward (a copy of a member) and back (the original a member was copied from).
                if members.contains(from), !members.contains(key) { members.insert(key); grew = true }
                if members.contains(key), candidates[from] != nil, !members.contains(from) { members.insert(from); grew = true }
            }
        }
        var hops = members.compactMap { candidates[$0]?.hop }.sorted { ($0.timestamp, $0.topic, $0.partition, $0.offset) < ($1.timestamp, $1.topic, $1.partition, $1.offset) }
        for i in hops.indices {
            let tp = TopicPartition(hops[i].topic, hops[i].partition)
            for byPartition in commits.sorted(by: { $0.key < $1.key }).map(\.value) {
                guard let c = byPartition[tp] else { continue }
                if c.committedOffset > hops[i].offset { hops[i].consumedBy.append(c) } else { hops[i].pendingFor.append(c) }
            }
        }
        return EventTrace(query: Self.describe(query), eventId: eventId, outbox: outbox, hops: hops, scannedRecords: scanned,
                          truncated: truncated, now: Self.now(hops, outbox: outbox, truncated: truncated))
    }

    static func describe(_ q: Query) -> String {
        switch q {
        case .record(let t, let p, let o): "\(t)/\(p)/\(o)"
        case .id(let id): id
        }
    }

    /// One sentence: where the newest copy is, and who has consumed it.
    static func now(_ hops: [EventTrace.Hop], outbox: OutboxRowState?, truncated: Bool) -> String {
        guard let last = hops.last else {
            if let outbox { return "outbox row \(outbox.id) is \(outbox.status.rawValue): not published yet" }
            return truncated ? "not found in the records scanned (the scan stopped at its limit)" : "no record of this event was found"
        }
        let consumers = last.consumedBy.map(\.group)
        let consumed = consumers.isEmpty ? "not consumed by any group yet" : "consumed by \(consumers.joined(separator: ", "))"
        switch last.role {
        case .record: return "in \(last.coordinates), \(consumed)"
        case .deadLetter:
            return "dead-lettered in \(last.coordinates)\(last.reason.map { " (\($0))" } ?? ""), not requeued; \(consumed)"
        case .requeued: return "requeued to \(last.coordinates) from \(last.from ?? "?"), \(consumed)"
        }
    }
}
