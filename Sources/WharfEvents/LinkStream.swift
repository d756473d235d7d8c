import Foundation
import WharfCore

/// EventStoreDB's system link streams, served from the store's index and never stored:
/// `$ce-<category>` (its `$by_category` projection) and `$et-<type>` (`$by_event_type`). The link
/// at revision i points to the i-th event of `$all` the stream covers, has that event's position
/// (so positions are never renumbered) and a stable id (acks name it). One rule for every
/// reader: stream reads, catch-up and persistent subscriptions.
public enum LinkStream: Sendable, Hashable {
    /// Events of streams whose category (`StreamName.category`) is this.
    case category(String)
    /// Events of this type.
    case eventType(String)

    public static let categoryPrefix = "$ce-"
    public static let eventTypePrefix = "$et-"

    /// The link stream `name` denotes; nil for other names.
    public init?(name: String) {
        if name.hasPrefix(Self.categoryPrefix) {
            self = .category(String(name.dropFirst(Self.categoryPrefix.count)))
        } else if name.hasPrefix(Self.eventTypePrefix) {
            self = .eventType(String(name.dropFirst(Self.eventTypePrefix.count)))
        } else {
            return nil
        }
    }

    public var name: String {
        switch self {
        case .category(let c): Self.categoryPrefix + c
        case .eventType(let t): Self.eventTypePrefix + t
        }
    }

    /// Whether `event` (an event of `$all`) is linked from this stream.
    public func covers(_ event: RecordedEvent) -> Bool {
        switch self {
        case .category(let c): StreamName.category(of: event.stream) == c
        case .eventType(let t): event.type == t
        }
    }

    /// The link at `revision` of this stream to `target`.
    public func link(to target: RecordedEvent, revision: UInt64) -> RecordedEvent {
        RecordedEvent(stream: name, revision: revision, position: target.position, id: Self.linkId(stream: name, revision: revision),
                      type: StreamName.linkEventType, data: Array("\(target.revision)@\(target.stream)".utf8), metadata: [],
                      timestamp: target.timestamp, contentType: "application/octet-stream")
    }

    /// FNV-1a of the stream name, then the revision, with the version-8 (custom) bits set.
    public static func linkId(stream: String, revision: UInt64) -> UUID {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in stream.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        var b = [UInt8](repeating: 0, count: 16)
        for i in 0..<8 {
            b[i] = UInt8(truncatingIfNeeded: hash >> (56 - 8 * UInt64(i)))
            b[8 + i] = UInt8(truncatingIfNeeded: revision >> (56 - 8 * UInt64(i)))
        }
        b[6] = (b[6] & 0x0f) | 0x80
        b[8] = (b[8] & 0x3f) | 0x80
        return UUID(uuid: (b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]))
    }
}

extension EventStore {
    /// Events ever appended that `link` covers (the head of the link stream: its next revision).
    public func linkCount(_ link: LinkStream) -> UInt64 {
        state.withLock { UInt64($0.index.positions(of: link)?.count ?? 0) }
    }

    /// Up to `maxCount` of the events `link` points to, from its revision `from`, in `$all` order.
    public func readLinkTargets(_ link: LinkStream, from: UInt64 = 0, maxCount: Int = 100) throws(WharfError) -> [RecordedEvent] {
        let positions = try state.withLock { (s: inout State) throws(WharfError) -> [UInt64] in
            guard !s.closed else { throw closedError }
            guard let all = s.index.positions(of: link), from < UInt64(all.count), maxCount > 0 else { return [] }
            let lo = Int(from)
            return Array(all[lo..<lo + min(all.count - lo, maxCount)])
        }
        return try events(at: positions)
    }

    /// Up to `maxCount` links of `link` from revision `from`.
    public func readLinks(_ link: LinkStream, from: UInt64, maxCount: Int) throws(WharfError) -> [RecordedEvent] {
        try readLinkTargets(link, from: from, maxCount: maxCount).enumerated().map { i, target in
            link.link(to: target, revision: from + UInt64(i))
        }
    }
}
