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
///   writers that bypass the protocol, such as the embedded API). A write checks the state
///   appends still in flight leave (`status(of:asWritten:)`), and waits for its fdatasync after
///   releasing `writes`, so concurrent writes share one (the store's group commit).
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
    /// A read sees what is durable; a write (`asWritten`) what the next append is checked
    /// against, appends still in flight included (`EventStore.lastWrittenEvent`).
    func status(of stream: String, asWritten: Bool = false) throws(WharfError) -> Status {
        let last = lastEvent(of: stream, asWritten: asWritten)
        var status = Status(last: last?.revision)
        if let described = Self.described(by: stream) {
            // A metadata stream has no metadata of its own; it is deleted with its stream.
            status.tombstoned = lastEvent(of: described, asWritten: asWritten)?.type == Self.tombstoneType
            return status
        }
        status.tombstoned = last?.type == Self.tombstoneType
        status.truncateBefore = try metadata(of: stream, asWritten: asWritten)?["$tb"].flatMap(Self.revision)
        return status
    }

    private func lastEvent(of stream: String, asWritten: Bool) -> (revision: UInt64, type: String)? {
        asWritten ? store.lastWrittenEvent(of: stream).map { ($0.revision, $0.type) } : store.lastEvent(of: stream)
    }

    /// The stream's metadata: the JSON object of the last event of `$$<stream>`, nil if none.
    func metadata(of stream: String, asWritten: Bool = false) throws(WharfError) -> [String: Any]? {
        try lastObject(of: Self.metadataStream(of: stream), asWritten: asWritten)?.object
    }

    /// The last event of `stream`: its revision and its data's JSON object (nil if not one);
    /// nil when the stream has no events.
    func lastObject(of stream: String, asWritten: Bool = false) throws(WharfError) -> (revision: UInt64, object: [String: Any]?)? {
        if asWritten, let last = store.lastWrittenEvent(of: stream), let data = last.inFlightData {
            return (last.revision, Self.object(data))
        }
        guard store.lastRevision(of: stream) != nil,
              let last = try store.readStream(stream, direction: .backwards, maxCount: 1).first else { return nil }
        return (last.revision, Self.object(last.data))
    }

    private static func object(_ data: [UInt8]) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(data))) as? [String: Any]
    }

    static func revision(_ value: Any) -> UInt64? {
        guard let number = value as? NSNumber, number.int64Value >= 0 else { return nil }
        return UInt64(number.int64Value)
    }

    /// Appends with EventStoreDB's expected-version rules (see the type's comment); returns once
    /// the append is durable.
    func append(stream: String, events: [EventData], expected: ExpectedVersion) async throws(ESDBError) -> WriteResult {
        try await write(stream: stream, events: events, expected: expected).durable()
    }

    /// `append` up to the write: the answer may go out only after `ESDBWrite.durable()`. A
    /// caller with more appends to take meanwhile (a BatchAppend call) writes them all first.
    func write(stream: String, events: [EventData], expected: ExpectedVersion) throws(ESDBError) -> ESDBWrite {
        try ESDBAccess.require(.write, on: stream)
        return try locked { () throws(ESDBError) -> ESDBWrite in
            let status = try wharf(stream, expected) { () throws(WharfError) in try self.status(of: stream, asWritten: true) }
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
            let written = try wharf(stream, expected, actual: status.current) { () throws(WharfError) in
                try store.writeAllowingSystemStream(stream: stream, events: events, expected: storeExpected)
            }
            if hiddenWhole, !written.result.deduplicated, let last = status.last {
                // Written after the events: once it is durable, so are they.
                let metadata = try wharf(stream, expected) { () throws(WharfError) in try self.writeMetadata(of: stream, truncateBefore: last + 1) }
                return ESDBWrite(result: written.result, last: metadata, stream: stream, expected: expected)
            }
            return ESDBWrite(result: written.result, last: written, stream: stream, expected: expected)
        }
    }

    /// The current revision when `expected` holds for an empty append (nothing is written).
    func checkEmptyAppend(stream: String, expected: ExpectedVersion) throws(ESDBError) -> UInt64? {
        try ESDBAccess.require(.write, on: stream)
        let status = try wharf(stream, expected) { () throws(WharfError) in try self.status(of: stream, asWritten: true) }
        guard !status.tombstoned else { throw .streamDeleted(stream) }
        guard expected.isSatisfied(by: status.current) else {
            throw .wrongExpectedVersion(stream: stream, expected: expected, actual: status.current)
        }
        return status.current
    }

    /// Soft delete (`tombstone: false`) or tombstone; returns the `$all` position written once
    /// it is durable. The expected version is checked against the stream's last revision, hidden
    /// events included: soft-deleting twice with the same expected version succeeds, as in
    /// EventStoreDB.
    func delete(stream: String, expected: ExpectedVersion, tombstone: Bool) async throws(ESDBError) -> UInt64 {
        try ESDBAccess.require(.delete, on: stream)
        let write = try locked { () throws(ESDBError) -> WrittenAppend in
            let status = try wharf(stream, expected) { () throws(WharfError) in try self.status(of: stream, asWritten: true) }
            guard !status.tombstoned else { throw .streamDeleted(stream) }
            guard expected.isSatisfied(by: status.last), status.last != nil || tombstone else {
                throw .wrongExpectedVersion(stream: stream, expected: expected, actual: status.last)
            }
            if tombstone {
                let marker = EventData(type: Self.tombstoneType, data: [], contentType: ESDBWire.binaryContentType)
                let storeExpected: ExpectedVersion = status.last.map { .exact($0) } ?? .noStream
                return try wharf(stream, expected, actual: status.last) { () throws(WharfError) in
                    try store.writeAllowingSystemStream(stream: stream, events: [marker], expected: storeExpected)
                }
            }
            return try wharf(stream, expected) { () throws(WharfError) in try self.writeMetadata(of: stream, truncateBefore: Self.deletedRevision) }
        }
        return try await ESDBWrite(result: write.result, last: write, stream: stream, expected: expected).durable().position
    }

    /// Writes the stream's metadata with `$tb` set, keeping its other keys (not yet durable).
    private func writeMetadata(of stream: String, truncateBefore: UInt64) throws(WharfError) -> WrittenAppend {
        var object = try metadata(of: stream, asWritten: true) ?? [:]
        object["$tb"] = NSNumber(value: Int64(clamping: truncateBefore))
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        let event = EventData(type: Self.metadataType, data: [UInt8](data), contentType: ESDBWire.jsonContentType)
        return try store.writeAllowingSystemStream(stream: Self.metadataStream(of: stream), events: [event])
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

/// A write through the protocol (`ESDBStreams.write`), done under the front-end's lock and not
/// yet acknowledged: `durable()` waits for its fdatasync outside the lock.
struct ESDBWrite: Sendable {
    let result: WriteResult
    /// The store append written last for it: once that one is durable, so is the whole write.
    let last: WrittenAppend
    let stream: String
    let expected: ExpectedVersion

    /// The result, once durable; a failed fdatasync is the write's error.
    func durable() async throws(ESDBError) -> WriteResult {
        do { try await last.durable() } catch { throw ESDBError(error, stream: stream, expected: expected, actual: nil) }
        return result
    }
}
