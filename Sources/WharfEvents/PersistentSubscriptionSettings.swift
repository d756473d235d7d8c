import Foundation
import WharfCore
import WharfStorage
import WharfEngine

/// Settings of a persistent subscription group (EventStoreDB's names and defaults where they
/// exist). Times are ms of the store's clock. Files written before a field existed read it as
/// its default.
public struct PersistentSubscriptionSettings: Codable, Equatable, Sendable {
    /// Where a new group starts; `.end` is resolved when the group is created.
    public var startFrom: StartPoint = .end
    /// Failures (nack with retry, or timeout) an event may have before it is parked: it is
    /// delivered at most `maxRetryCount + 1` times.
    public var maxRetryCount: Int = 10
    /// An event in flight longer than this is taken back and retried (by `tick()`).
    public var messageTimeoutMillis: Int64 = 30_000
    /// The checkpoint is written to disk after this many acks (and on close / delete of consumers).
    /// EventStoreDB's "min checkpoint count".
    public var checkpointAfterAcks: Int = 10
    /// Events read ahead of acknowledgement at most (EventStoreDB's live buffer size).
    public var bufferSize: Int = 500
    /// A link event (`$>`) is delivered as the event it points to (acked by the link's id). The
    /// engine delivers the link either way; resolving is the protocol's job.
    public var resolveLinks = false
    /// Consumers allowed at once; 0: no limit.
    public var maxSubscriberCount = 0
    public var consumerStrategy = ConsumerStrategy.dispatchToSingle
    /// `.all` only: the events the group delivers; the others are passed over as settled.
    public var filter: EventFilter?
    /// Kept and reported for EventStoreDB's clients, which round-trip them; Wharf's engine
    /// checkpoints by `checkpointAfterAcks` (and in rounds as a consumer's acks arrive over gRPC),
    /// reads ahead by `bufferSize`, and keeps no extra statistics.
    public var maxCheckpointCount = 1000
    public var checkpointAfterMillis: Int64 = 2000
    public var readBatchSize = 20
    public var historyBufferSize = 500
    public var extraStatistics = false

    public init(startFrom: StartPoint = .end, maxRetryCount: Int = 10, messageTimeoutMillis: Int64 = 30_000,
                checkpointAfterAcks: Int = 10, bufferSize: Int = 500) {
        self.startFrom = startFrom
        self.maxRetryCount = maxRetryCount
        self.messageTimeoutMillis = messageTimeoutMillis
        self.checkpointAfterAcks = checkpointAfterAcks
        self.bufferSize = bufferSize
    }

    enum CodingKeys: String, CodingKey {
        case startFrom, maxRetryCount, messageTimeoutMillis, checkpointAfterAcks, bufferSize, resolveLinks, maxSubscriberCount
        case consumerStrategy, filter, maxCheckpointCount, checkpointAfterMillis, readBatchSize, historyBufferSize, extraStatistics
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = Self()
        startFrom = try c.decodeIfPresent(StartPoint.self, forKey: .startFrom) ?? d.startFrom
        maxRetryCount = try c.decodeIfPresent(Int.self, forKey: .maxRetryCount) ?? d.maxRetryCount
        messageTimeoutMillis = try c.decodeIfPresent(Int64.self, forKey: .messageTimeoutMillis) ?? d.messageTimeoutMillis
        checkpointAfterAcks = try c.decodeIfPresent(Int.self, forKey: .checkpointAfterAcks) ?? d.checkpointAfterAcks
        bufferSize = try c.decodeIfPresent(Int.self, forKey: .bufferSize) ?? d.bufferSize
        resolveLinks = try c.decodeIfPresent(Bool.self, forKey: .resolveLinks) ?? d.resolveLinks
        maxSubscriberCount = try c.decodeIfPresent(Int.self, forKey: .maxSubscriberCount) ?? d.maxSubscriberCount
        consumerStrategy = try c.decodeIfPresent(ConsumerStrategy.self, forKey: .consumerStrategy) ?? d.consumerStrategy
        filter = try c.decodeIfPresent(EventFilter.self, forKey: .filter)
        maxCheckpointCount = try c.decodeIfPresent(Int.self, forKey: .maxCheckpointCount) ?? d.maxCheckpointCount
        checkpointAfterMillis = try c.decodeIfPresent(Int64.self, forKey: .checkpointAfterMillis) ?? d.checkpointAfterMillis
        readBatchSize = try c.decodeIfPresent(Int.self, forKey: .readBatchSize) ?? d.readBatchSize
        historyBufferSize = try c.decodeIfPresent(Int.self, forKey: .historyBufferSize) ?? d.historyBufferSize
        extraStatistics = try c.decodeIfPresent(Bool.self, forKey: .extraStatistics) ?? d.extraStatistics
    }

    func validate() throws(WharfError) {
        guard maxRetryCount >= 0 else { throw .invalidArgument("max retry count must be >= 0, got \(maxRetryCount)") }
        guard messageTimeoutMillis > 0 else { throw .invalidArgument("message timeout must be positive, got \(messageTimeoutMillis) ms") }
        guard checkpointAfterAcks >= 1 else { throw .invalidArgument("checkpoint-after must be >= 1, got \(checkpointAfterAcks)") }
        guard bufferSize >= 1 else { throw .invalidArgument("buffer size must be >= 1, got \(bufferSize)") }
        guard maxSubscriberCount >= 0 else { throw .invalidArgument("max subscriber count must be >= 0, got \(maxSubscriberCount)") }
        try filter?.validate()
    }
}

/// How a group hands its events to several consumers.
public enum ConsumerStrategy: String, Codable, Sendable, CaseIterable {
    /// Each consumer takes what is ready, up to its own limit: the first one asking gets a batch.
    case dispatchToSingle = "DispatchToSingle"
    /// Consumers take turns: one takes an event while it holds no more in flight than each of the
    /// others (and more only while it holds fewer), so ready events alternate between them.
    case roundRobin = "RoundRobin"
}

/// A selection of `$all`'s events (a persistent group's, or a gRPC read's): a regular expression
/// searched in the event type or the stream name (ICU syntax, as .NET's Regex.IsMatch; the
/// clients' default excludes system events with a negative lookahead), or a list of prefixes
/// (an event matches either).
public struct EventFilter: Codable, Equatable, Sendable {
    public enum Target: String, Codable, Sendable { case eventType, streamName }
    public var target: Target
    public var regex: String?
    public var prefixes: [String]

    public init(target: Target, regex: String? = nil, prefixes: [String] = []) {
        self.target = target
        self.regex = regex
        self.prefixes = prefixes
    }

    public func validate() throws(WharfError) {
        if let regex, !regex.isEmpty, (try? NSRegularExpression(pattern: regex)) == nil {
            throw .invalidArgument("invalid filter regex '\(regex)'")
        }
    }

    /// The filter compiled (an invalid expression, refused by `validate`, matches nothing).
    public func matcher() -> Matcher {
        Matcher(target: target, prefixes: prefixes,
                expression: regex.flatMap { $0.isEmpty ? nil : try? NSRegularExpression(pattern: $0) }, invalid: (try? validate()) == nil)
    }

    // @unchecked: NSRegularExpression is immutable after init and documented thread-safe for
    // matching; it is the only non-Sendable member.
    public struct Matcher: @unchecked Sendable {
        let target: Target
        let prefixes: [String]
        let expression: NSRegularExpression?
        let invalid: Bool

        public func matches(_ event: RecordedEvent) -> Bool {
            guard !invalid else { return false }
            let text = target == .eventType ? event.type : event.stream
            if prefixes.contains(where: { text.hasPrefix($0) }) { return true }
            guard let expression else { return prefixes.isEmpty }
            return expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
        }
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
///      "createdAt": ms,
///      "readThrough": N | absent,         the next key to read from the source
///      "unsettled": [{"key": N, "retryCount": N}] | absent}
///
/// `readThrough` and `unsettled` (the events read and neither acked, skipped nor parked, in key
/// order) let a restart deliver again exactly what was unsettled, instead of everything after the
/// checkpoint: an event acked before the file was last written does not come back. An event that
/// was in flight when the file was written comes back with its retry count + 1. Files without
/// them resume after the checkpoint.
///
/// `<file>` is `<source>::<group>` with every byte outside `[A-Za-z0-9._-]` written as `%XX`.
struct PersistentSubscriptionFile: Codable, Equatable, Sendable {
    var source: EventSource
    var group: String
    var settings: PersistentSubscriptionSettings
    var checkpoint: UInt64?
    var parkedTruncateBefore: UInt64
    var createdAt: Int64
    var readThrough: UInt64?
    var unsettled: [Unsettled]?

    struct Unsettled: Codable, Equatable, Sendable {
        var key: UInt64
        var retryCount: Int
    }

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
        try FileSystem.writeFileAtomically(directory + "/" + Self.fileName(source: source, group: group), Array(data), faults: files.faults)
    }

    static func load(_ path: String) throws(WharfError) -> PersistentSubscriptionFile {
        do {
            return try JSONDecoder().decode(Self.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw .corrupt("cannot read persistent subscription \(path): \(error.localizedDescription)")
        }
    }
}
