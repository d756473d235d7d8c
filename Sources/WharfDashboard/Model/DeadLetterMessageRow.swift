/// One dead-lettered message as the dead-letter browser shows it. For a dead-letter topic,
/// `sequenceNumber` is the record's offset and `properties` its headers.
public struct DeadLetterMessageRow: Equatable, Sendable {
    public var sequenceNumber: Int64
    public var messageId: String
    public var enqueuedTimeMs: Int64
    public var reason: String?
    public var errorDescription: String?
    public var deliveryCount: Int
    /// Application properties (or record headers), sorted by name for a stable display.
    public var properties: [(String, String)]
    public var body: [UInt8]
    /// What `t` traces for this message (`topic/partition/offset` of a dead-letter topic's
    /// record); nil: its message id.
    public var traceId: String?

    public init(sequenceNumber: Int64, messageId: String, enqueuedTimeMs: Int64, reason: String? = nil,
                errorDescription: String? = nil, deliveryCount: Int = 0, properties: [(String, String)] = [], body: [UInt8] = []) {
        self.sequenceNumber = sequenceNumber
        self.messageId = messageId
        self.enqueuedTimeMs = enqueuedTimeMs
        self.reason = reason
        self.errorDescription = errorDescription
        self.deliveryCount = deliveryCount
        self.properties = properties
        self.body = body
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.sequenceNumber == b.sequenceNumber && a.messageId == b.messageId && a.enqueuedTimeMs == b.enqueuedTimeMs
            && a.reason == b.reason && a.errorDescription == b.errorDescription && a.deliveryCount == b.deliveryCount
            && a.properties.elementsEqual(b.properties, by: { $0 == $1 }) && a.body == b.body
    }
}

/// Which dead-lettered messages a requeue takes (mirrors the CLI's `--seq/--all/--reason/--contains`).
public enum DeadLetterSelection: Equatable, Sendable {
    case sequenceNumbers([Int64])
    case all
    case reason(String)
    case property(name: String, value: String)
    case bodyContains(String)

    public var label: String {
        switch self {
        case .sequenceNumbers(let s): s.count == 1 ? "message #\(s[0])" : "\(s.count) selected messages"
        case .all: "all messages"
        case .reason(let r): "reason = \(r)"
        case .property(let n, let v): "property \(n) = \(v)"
        case .bodyContains(let t): "body contains \"\(t)\""
        }
    }
}

/// A requeue as asked: from the dead-letter entity, which messages, to which target (nil: the
/// default, the source queue or the original topic).
public struct RequeueRequest: Equatable, Sendable {
    public var entity: String
    public var selection: DeadLetterSelection
    public var target: String?
    public init(entity: String, selection: DeadLetterSelection, target: String? = nil) {
        self.entity = entity
        self.selection = selection
        self.target = target
    }
}

/// The dry run's answer: exactly which messages would move where.
public struct RequeuePreview: Equatable, Sendable {
    public var entity: String
    public var target: String
    /// Sequence numbers that would move; the confirmed requeue moves exactly these.
    public var sequenceNumbers: [Int64]
    /// Selected but not movable now (locked, gone, or missing a session id the target needs).
    public var skipped: [Int64]
    public init(entity: String, target: String, sequenceNumbers: [Int64], skipped: [Int64] = []) {
        self.entity = entity
        self.target = target
        self.sequenceNumbers = sequenceNumbers
        self.skipped = skipped
    }
}
