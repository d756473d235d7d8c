import Foundation
import WharfCore

/// `$ce-<category>` as a link stream served from the store's category index, never stored
/// (EventStoreDB's `$by_category` projection): the link at revision i points to the category's
/// i-th event in `$all` order, has that event's position, and a stable id (acks name it).
public enum CategoryLinks {
    public static let prefix = "$ce-"

    /// The category a `$ce-` stream name covers; nil for other names.
    public static func category(ofLinkStream name: String) -> String? {
        name.hasPrefix(prefix) ? String(name.dropFirst(prefix.count)) : nil
    }

    /// The link at `revision` of `stream` to `target`.
    public static func link(to target: RecordedEvent, in stream: String, revision: UInt64) -> RecordedEvent {
        RecordedEvent(stream: stream, revision: revision, position: target.position, id: linkId(stream: stream, revision: revision),
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
    /// Up to `maxCount` links of the `$ce-` stream `stream` from revision `from`.
    func readCategoryLinks(_ stream: String, category: String, from: UInt64, maxCount: Int) throws(WharfError) -> [RecordedEvent] {
        try readCategory(category, from: from, maxCount: maxCount).enumerated().map { i, target in
            CategoryLinks.link(to: target, in: stream, revision: from + UInt64(i))
        }
    }
}
