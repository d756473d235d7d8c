import Foundation
import WharfCore

/// An event as an application hands it to `EventStore.append`: a unique id (a retried append
/// with the same ids is deduplicated, see `EventStore.append`), a type name, the data and
/// optional metadata (opaque bytes; JSON by convention), and optionally the data's content type
/// (EventStoreDB clients declare `application/json` or `application/octet-stream`).
public struct EventData: Equatable, Sendable {
    public var id: UUID
    public var type: String
    public var data: [UInt8]
    public var metadata: [UInt8]
    public var contentType: String?

    public init(id: UUID = UUID(), type: String, data: [UInt8], metadata: [UInt8] = [], contentType: String? = nil) {
        self.id = id
        self.type = type
        self.data = data
        self.metadata = metadata
        self.contentType = contentType
    }

    public init(id: UUID = UUID(), type: String, data: String, metadata: String = "") {
        self.init(id: id, type: type, data: Array(data.utf8), metadata: Array(metadata.utf8))
    }
}

/// An event read back: where it sits (its stream and 0-based revision there, its position in
/// `$all`) and when it was appended (ms of the store's clock).
public struct RecordedEvent: Equatable, Sendable {
    public var stream: String
    public var revision: UInt64
    public var position: UInt64
    public var id: UUID
    public var type: String
    public var data: [UInt8]
    public var metadata: [UInt8]
    public var timestamp: Int64
    /// As appended (`EventData.contentType`); nil when the writer declared none.
    public var contentType: String?

    public init(stream: String, revision: UInt64, position: UInt64, id: UUID, type: String,
                data: [UInt8], metadata: [UInt8], timestamp: Int64, contentType: String? = nil) {
        self.stream = stream
        self.revision = revision
        self.position = position
        self.id = id
        self.type = type
        self.data = data
        self.metadata = metadata
        self.timestamp = timestamp
        self.contentType = contentType
    }

    public var dataString: String { String(decoding: data, as: UTF8.self) }

    /// A link event (`$>`, data `<revision>@<stream>`) points at another event; parked streams
    /// hold links. Returns the target, or nil when this is not a link.
    public var linkTarget: (stream: String, revision: UInt64)? {
        guard type == StreamName.linkEventType else { return nil }
        let text = dataString
        guard let at = text.firstIndex(of: "@"), let revision = UInt64(text[..<at]) else { return nil }
        return (String(text[text.index(after: at)...]), revision)
    }
}

/// The optimistic-concurrency condition of an append (EventStoreDB's expected state).
public enum ExpectedVersion: Equatable, Sendable, CustomStringConvertible {
    /// The stream's last revision must be exactly this (its first event is revision 0).
    case exact(UInt64)
    /// No check.
    case any
    /// The stream must not exist (have no events).
    case noStream
    /// The stream must have at least one event.
    case streamExists

    /// Whether a stream whose last revision is `actual` (nil: no stream) satisfies this.
    public func isSatisfied(by actual: UInt64?) -> Bool {
        switch self {
        case .exact(let n): actual == n
        case .any: true
        case .noStream: actual == nil
        case .streamExists: actual != nil
        }
    }

    /// CLI form: a revision number, `any`, `no-stream` or `stream-exists`.
    public init(parsing text: String) throws(WharfError) {
        switch text.lowercased() {
        case "any": self = .any
        case "no-stream": self = .noStream
        case "stream-exists": self = .streamExists
        default:
            guard let n = UInt64(text) else {
                throw .invalidArgument("invalid expected version '\(text)': expected a revision number, 'any', 'no-stream' or 'stream-exists'")
            }
            self = .exact(n)
        }
    }

    public var description: String {
        switch self {
        case .exact(let n): "revision \(n)"
        case .any: "any"
        case .noStream: "no stream"
        case .streamExists: "stream exists"
        }
    }
}

/// What an append wrote (or, for a deduplicated retry, what the original append wrote): the
/// stream's last revision after it (pass it as `.exact` to the next append) and the `$all`
/// position of its last event.
public struct WriteResult: Equatable, Sendable {
    public var nextExpectedVersion: UInt64
    public var position: UInt64
    /// True when the append was recognized as a retry and nothing was written.
    public var deduplicated: Bool

    public init(nextExpectedVersion: UInt64, position: UInt64, deduplicated: Bool = false) {
        self.nextExpectedVersion = nextExpectedVersion
        self.position = position
        self.deduplicated = deduplicated
    }
}

/// Where a subscription reads: the global log or one stream.
public enum EventSource: Hashable, Sendable, Codable, CustomStringConvertible {
    case all
    case stream(String)

    /// `$all` or a stream name.
    public init(parsing text: String) {
        self = text == StreamName.all ? .all : .stream(text)
    }

    public var description: String {
        switch self {
        case .all: StreamName.all
        case .stream(let s): s
        }
    }
}

/// Where a subscription starts. Positions are `$all` positions for `.all`, revisions for a stream.
public enum StartPoint: Equatable, Sendable, Codable {
    /// From the first event.
    case start
    /// Only events appended after the subscription starts.
    case end
    /// After this position/revision (it is treated as already processed: a checkpoint).
    case after(UInt64)
}

/// A stream with its event count, for listings.
public struct StreamInfo: Equatable, Sendable {
    public var name: String
    public var category: String
    public var eventCount: UInt64
    /// Revision of the last event (`eventCount - 1`).
    public var lastRevision: UInt64 { eventCount - 1 }
    /// Append time of the last event (ms).
    public var lastAppended: Int64
}
