import Foundation
import Synchronization
import WharfCore
import WharfEvents

/// The ACLs `ESDBAuthorizer` reads (a stream's `$acl` in its `$$` metadata, the defaults in
/// `$settings`), parsed once per revision of the stream they come from. Every authorization of a
/// stream used to read the last `$settings` and `$$<stream>` events from the log and parse their
/// JSON; now it asks the index for the stream's last revision and reads and parses again only
/// when that moved, so a new `$settings` or `$$<stream>` event applies from the next call on.
final class ESDBAclCache: Sendable {
    /// Per operation, the users and roles an ACL object names (absent: the object names none).
    typealias Acl = [ESDBStreamOperation: [String]]

    /// The ACL objects of one stream's last event, by key, and that event's revision.
    struct Entry: Sendable {
        let revision: UInt64
        let acls: [String: Acl]
    }

    /// Streams remembered at most; past it the cache starts over (each entry is re-read once).
    static let capacity = 10_000
    let streams: ESDBStreams
    private let entries = Mutex<[String: Entry]>([:])
    private let parses = Atomic<Int>(0)

    init(streams: ESDBStreams) {
        self.streams = streams
    }

    /// Events read and parsed so far (a cached ACL costs none).
    var parseCount: Int { parses.load(ordering: .relaxed) }

    /// The ACL objects under `keys` in the JSON object of `stream`'s last event (pass the same
    /// keys for a stream every time); empty when the stream has no events.
    func acls(in stream: String, keys: [String]) throws(WharfError) -> [String: Acl] {
        guard let revision = streams.store.lastRevision(of: stream) else { return [:] }
        if let hit = entries.withLock({ $0[stream] }), hit.revision == revision { return hit.acls }
        parses.add(1, ordering: .relaxed)
        guard let last = try streams.lastObject(of: stream) else { return [:] }
        var acls: [String: Acl] = [:]
        for key in keys {
            if let acl = Self.acl(last.object?[key]) { acls[key] = acl }
        }
        let entry = Entry(revision: last.revision, acls: acls)
        entries.withLock { entries in
            if entries.count >= Self.capacity, entries[stream] == nil { entries.removeAll(keepingCapacity: true) }
            entries[stream] = entry
        }
        return acls
    }

    /// An ACL object (`{"$r": "alice", "$w": ["alice", "bob"], ...}`); nil for anything else.
    static func acl(_ value: Any?) -> Acl? {
        guard let object = value as? [String: Any] else { return nil }
        var acl: Acl = [:]
        for operation in [ESDBStreamOperation.read, .write, .delete, .metadataRead, .metadataWrite] {
            if let roles = roles(object[operation.rawValue]) { acl[operation] = roles }
        }
        return acl
    }

    /// An ACL entry: a role or user name, or a list of them; nil when absent or of another shape.
    static func roles(_ entry: Any?) -> [String]? {
        if let one = entry as? String { return [one] }
        if let many = entry as? [Any] { return many.compactMap { $0 as? String } }
        return nil
    }
}
