import Foundation
import WharfCore
import WharfEngine

/// Settings of a persistent subscription group (EventStoreDB's names and defaults where they
/// exist). Times are ms of the store's clock.
public struct PersistentSubscriptionSettings: Codable, Equatable, Sendable {
    /// Where a new group starts; `.end` is resolved when the group is created.
    public var startFrom: StartPoint = .end
    /// Failures (nack with retry, or timeout) an event may have before it is parked: it is
    /// delivered at most `maxRetryCount + 1` times.
    public var maxRetryCount: Int = 10
    /// An event in flight longer than this is taken back and retried (by `tick()`).
    public var messageTimeoutMillis: Int64 = 30_000
    /// The checkpoint is written to disk after this many acks (and on close / delete of consumers).
    public var checkpointAfterAcks: Int = 10
    /// Events read ahead of acknowledgement at most (EventStoreDB's live buffer size).
    public var bufferSize: Int = 500

    public init(startFrom: StartPoint = .end, maxRetryCount: Int = 10, messageTimeoutMillis: Int64 = 30_000,
                checkpointAfterAcks: Int = 10, bufferSize: Int = 500) {
        self.startFrom = startFrom
        self.maxRetryCount = maxRetryCount
        self.messageTimeoutMillis = messageTimeoutMillis
        self.checkpointAfterAcks = checkpointAfterAcks
        self.bufferSize = bufferSize
    }

    func validate() throws(WharfError) {
        guard maxRetryCount >= 0 else { throw .invalidArgument("max retry count must be >= 0, got \(maxRetryCount)") }
        guard messageTimeoutMillis > 0 else { throw .invalidArgument("message timeout must be positive, got \(messageTimeoutMillis) ms") }
        guard checkpointAfterAcks >= 1 else { throw .invalidArgument("checkpoint-after must be >= 1, got \(checkpointAfterAcks)") }
        guard bufferSize >= 1 else { throw .invalidArgument("buffer size must be >= 1, got \(bufferSize)") }
    }
}

/// What a consumer does with an event it could not handle.
public enum NackAction: String, Sendable, Equatable, Codable {
    /// Deliver it again later (counts as a failure towards `maxRetryCount`).
    case retry
    /// Move it to the parked stream now.
    case park
    /// Drop it: counts as handled.
    case skip
}

/// An event delivered to one consumer of a group. Ack or nack it by `event.id`.
public struct PersistentEvent: Sendable, Equatable {
    public var event: RecordedEvent
    /// Failures so far (0 on first delivery).
    public var retryCount: Int
    /// Set when the event comes from replaying the parked stream: the link's revision there.
    public var parkedRevision: UInt64?
}

/// A group's description for listings.
public struct PersistentSubscriptionInfo: Sendable, Equatable {
    public var source: EventSource
    public var group: String
    public var settings: PersistentSubscriptionSettings
    public var parkedStream: String
}

/// `<data>/events/subscriptions/<file>.json`, one per group, JSON, replaced atomically
/// (temporary file, fsync, rename, fsync of the directory):
///
///     {"source": ..., "group": "...", "settings": {...},
///      "checkpoint": N | absent,          last position/revision with everything up to it settled
///      "parkedTruncateBefore": N,         parked-stream revisions below it have been replayed
///      "createdAt": ms}
///
/// `<file>` is `<source>::<group>` with every byte outside `[A-Za-z0-9._-]` written as `%XX`.
struct PersistentSubscriptionFile: Codable, Equatable, Sendable {
    var source: EventSource
    var group: String
    var settings: PersistentSubscriptionSettings
    var checkpoint: UInt64?
    var parkedTruncateBefore: UInt64
    var createdAt: Int64

    static func fileName(source: EventSource, group: String) -> String {
        var out = ""
        for b in "\(source)::\(group)".utf8 {
            let c = Character(Unicode.Scalar(b))
            if b < 0x80, c.isLetter || c.isNumber || c == "." || c == "_" || c == "-" { out.append(c) } else {
                out += "%" + (b < 16 ? "0" : "") + String(b, radix: 16, uppercase: true)
            }
        }
        return out + ".json"
    }

    func save(in directory: String, files: DurableFile) throws(WharfError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data: Data
        do { data = try encoder.encode(self) } catch { throw .io("cannot encode subscription \(group): \(error)") }
        try files.writeAtomically(data, to: directory + "/" + Self.fileName(source: source, group: group))
    }

    static func load(_ path: String) throws(WharfError) -> PersistentSubscriptionFile {
        do {
            return try JSONDecoder().decode(Self.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw .corrupt("cannot read persistent subscription \(path): \(error.localizedDescription)")
        }
    }
}
