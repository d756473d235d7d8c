import Foundation
import Synchronization
import WharfCore
import WharfEvents

/// EventStoreDB's stream semantics over Wharf's event store, where the two differ:
///
/// - **Soft delete** writes `{"$tb": Int64.max}` into the stream's metadata stream `$$<stream>`
///   (`$metadata` events, as the clients read and write it themselves). Revisions below `$tb` are
///   hidden; a stream whose events are all hidden reads as not found and has no current revision.
///   Appending to it continues the numbering (the next event after revision 1 is revision 2) and
///   moves `$tb` to that first new revision, as EventStoreDB does.
/// - **Tombstone** appends a `$streamDeleted` event to the stream itself; from then on reads,
///   appends and deletes of the stream (and reads of its `$$` stream) fail with StreamDeleted.
///   It is reported with revision Int64.max, EventStoreDB's tombstone revision.
/// - Every write through the protocol holds `writes`, so the deletion state a write checks
///   cannot change before the store writes (the store's own expected-version check covers
///   writers that bypass the protocol, such as the embedded API).
final class ESDBStreams: Sendable {
    static let tombstoneType = "$streamDeleted"
    static let metadataType = "$metadata"
    static let metadataPrefix = "$$"
    /// `$tb` of a soft-deleted stream, and the revision a tombstone is reported at.
    static let deletedRevision = UInt64(Int64.max)

    let store: EventStore
    private let writes = Mutex(())

    init(store: EventStore) {
        self.store = store
    }

    /// A stream's state as EventStoreDB sees it.
    struct Status: Sendable {
        /// Wharf's last revision (hidden and tombstone events included).
        var last: UInt64?
        var tombstoned = false
        /// `$tb` of the stream's metadata: revisions below it are hidden.
        var truncateBefore: UInt64?

        /// The revision EventStoreDB calls current: nil when the stream has no visible events.
        var current: UInt64? {
            guard let last, !tombstoned else { return nil }
            if let truncateBefore, truncateBefore > last { return nil }
            return last
        }

        /// The first revision a read may return.
        var firstVisible: UInt64 { truncateBefore ?? 0 }
    }

    static func metadataStream(of stream: String) -> String { metadataPrefix + stream }

    /// The stream a `$$` metadata stream describes, nil for other streams.
    static func described(by stream: String) -> String? {
        stream.hasPrefix(metadataPrefix) ? String(stream.dropFirst(metadataPrefix.count)) : nil
    }

    /// Every write checks it, so it reads the index only (the last event's type says whether a
    /// tombstone ended the stream), plus the `$$` stream when the stream has metadata.
    func status(of stream: String) throws(WharfError) -> Status {
        let last = store.lastEvent(of: stream)
        var status = Status(last: last?.revision)
        if let described = Self.described(by: stream) {
            // A metadata stream has no metadata of its own; it is deleted with its stream.
            status.tombstoned = isTombstoned(described)
            return status
        }
        status.tombstoned = last?.type == Self.tombstoneType
        status.truncateBefore = try metadata(of: stream)?["$tb"].flatMap(Self.revision)
        return status
    }

    private func isTombstoned(_ stream: String) -> Bool {
        store.lastEvent(of: stream)?.type == Self.tombstoneType
    }

    /// The stream's metadata: the JSON object of the last event of `$$<stream>`, nil if none.
    func metadata(of stream: String) throws(WharfError) -> [String: Any]? {
        try lastObject(of: Self.metadataStream(of: stream))?.object
    }

    /// The last event of `stream`: its revision and its data's JSON object (nil if not one);
    /// nil when the stream has no events.
    func lastObject(of stream: String) throws(WharfError) -> (revision: UInt64, object: [String: Any]?)? {
        guard store.lastRevision(of: stream) != nil,
              let last = try store.readStream(stream, direction: .backwards, maxCount: 1).first else { return nil }
        return (last.revision, (try? JSONSerialization.jsonObject(with: Data(last.data))) as? [String: Any])
    }

    static func revision(_ value: Any) -> UInt64? {
        guard let number = value as? NSNumber, number.int64Value >= 0 else { return nil }
        return UInt64(number.int64Value)
    }

    /// Appends with EventStoreDB's expected-version rules (see the type's comment).
    func append(stream: String, events: [EventData], expected: ExpectedVersion) throws(ESDBError) -> WriteResult {
        try ESDBAccess.require(.write, on: stream)
        return try locked { () throws(ESDBError) -> WriteResult in
            let status = try wharf(stream, expected) { () throws(WharfError) in try self.status(of: stream) }
            // Metadata of a tombstoned stream may still be written (EventStoreDB allows it).
            guard !status.tombstoned || Self.described(by: stream) != nil else { throw .streamDeleted(stream) }
            var storeExpected = expected
            let hiddenWhole = status.last != nil && status.current == nil
            if hiddenWhole, let last = status.last {
                // Soft-deleted with nothing visible: it is "no stream" to the client, while Wharf
                // continues its revisions.
                switch expected {
                case .noStream, .any: storeExpected = .exact(last)
                case .exact, .streamExists: throw .wrongExpectedVersion(stream: stream, expected: expected, actual: nil)
                }
            }
            let result = try wharf(stream, expected, actual: status.current) { () throws(WharfError) in
                try store.appendAllowingSystemStream(stream: stream, events: events, expected: storeExpected)
            }
            if hiddenWhole, !result.deduplicated, let last = status.last {
                try wharf(stream, expected) { () throws(WharfError) in _ = try self.writeMetadata(of: stream, truncateBefore: last + 1) }
            }
            return result
        }
    }

    /// The current revision when `expected` holds for an empty append (nothing is written).
    func checkEmptyAppend(stream: String, expected: ExpectedVersion) throws(ESDBError) -> UInt64? {
        try ESDBAccess.require(.write, on: stream)
        let status = try wharf(stream, expected) { () throws(WharfError) in try self.status(of: stream) }
        guard !status.tombstoned else { throw .streamDeleted(stream) }
        guard expected.isSatisfied(by: status.current) else {
            throw .wrongExpectedVersion(stream: stream, expected: expected, actual: status.current)
        }
        return status.current
    }

    /// Soft delete (`tombstone: false`) or tombstone; returns the `$all` position written.
    /// The expected version is checked against the stream's last revision, hidden events
    /// included: soft-deleting twice with the same expected version succeeds, as in EventStoreDB.
    func delete(stream: String, expected: ExpectedVersion, tombstone: Bool) throws(ESDBError) -> UInt64 {
        try ESDBAccess.require(.delete, on: stream)
        return try locked { () throws(ESDBError) -> UInt64 in
            let status = try wharf(stream, expected) { () throws(WharfError) in try self.status(of: stream) }
            guard !status.tombstoned else { throw .streamDeleted(stream) }
            guard expected.isSatisfied(by: status.last), status.last != nil || tombstone else {
                throw .wrongExpectedVersion(stream: stream, expected: expected, actual: status.last)
            }
            if tombstone {
                let marker = EventData(type: Self.tombstoneType, data: [], contentType: ESDBWire.binaryContentType)
                let storeExpected: ExpectedVersion = status.last.map { .exact($0) } ?? .noStream
                return try wharf(stream, expected, actual: status.last) { () throws(WharfError) in
                    try store.appendAllowingSystemStream(stream: stream, events: [marker], expected: storeExpected).position
                }
            }
            return try wharf(stream, expected) { () throws(WharfError) in try self.writeMetadata(of: stream, truncateBefore: Self.deletedRevision) }
        }
    }

    /// Writes the stream's metadata with `$tb` set, keeping its other keys.
    private func writeMetadata(of stream: String, truncateBefore: UInt64) throws(WharfError) -> UInt64 {
        var object = try metadata(of: stream) ?? [:]
        object["$tb"] = NSNumber(value: Int64(clamping: truncateBefore))
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        let event = EventData(type: Self.metadataType, data: [UInt8](data), contentType: ESDBWire.jsonContentType)
        return try store.appendAllowingSystemStream(stream: Self.metadataStream(of: stream), events: [event]).position
    }

    private func locked<T: Sendable>(_ body: () throws(ESDBError) -> T) throws(ESDBError) -> T {
        try writes.withLock { (_: inout ()) throws(ESDBError) -> T in try body() }
    }

    /// Runs a store call, mapping its refusal to the protocol's error for `stream`.
    private func wharf<T>(_ stream: String, _ expected: ExpectedVersion, actual: UInt64? = nil,
                          _ body: () throws(WharfError) -> T) throws(ESDBError) -> T {
        do { return try body() } catch {
            if case .wrongExpectedVersion(_, _, let storeActual) = error {
                throw .wrongExpectedVersion(stream: stream, expected: expected, actual: storeActual)
            }
            throw ESDBError(error, stream: stream, expected: expected, actual: actual)
        }
    }
}
