/// What a dead-letter entity is, which decides where a requeue sends its messages by default.
public enum DeadLetterKind: Equatable, Sendable {
    /// The dead-letter subqueue of queue `source` (`<source>/$deadletterqueue`).
    case queue(source: String)
    /// A Kafka dead-letter topic whose records came from `originalTopic` (nil: unknown,
    /// e.g. a topic configured as a DLT whose records carry no origin header).
    case topic(originalTopic: String?)

    /// Where a requeue goes unless another target is chosen.
    public var defaultTarget: String? {
        switch self {
        case .queue(let source): source
        case .topic(let original): original
        }
    }
}

/// How many dead-lettered messages carry one reason.
public struct DeadLetterReasonCount: Equatable, Sendable {
    public var reason: String
    public var count: Int64
    public init(_ reason: String, _ count: Int64) {
        self.reason = reason
        self.count = count
    }
}

/// Depth of one dead-letter queue or dead-letter topic.
public struct DeadLetterSnapshot: Equatable, Sendable {
    /// The name operators use with `wharf dlq ...`: `q/$deadletterqueue` or a topic name.
    public var entity: String
    public var kind: DeadLetterKind
    public var count: Int64
    public var oldestAgeMs: Int64?
    /// Most frequent dead-letter reasons first (at most a handful); empty when unknown.
    public var topReasons: [DeadLetterReasonCount]

    /// `kind` defaults to the dead-letter queue of the queue named by `entity`.
    public init(entity: String, count: Int64, oldestAgeMs: Int64? = nil, kind: DeadLetterKind? = nil,
                topReasons: [DeadLetterReasonCount] = []) {
        self.entity = entity
        self.count = count
        self.oldestAgeMs = oldestAgeMs
        self.kind = kind ?? .queue(source: Self.sourceQueue(of: entity))
        self.topReasons = topReasons
    }

    public static let subqueueSuffix = "/$deadletterqueue"

    /// `orders/$deadletterqueue` -> `orders`; any other name is returned unchanged.
    public static func sourceQueue(of entity: String) -> String {
        entity.hasSuffix(subqueueSuffix) ? String(entity.dropLast(subqueueSuffix.count)) : entity
    }

    public var isTopic: Bool {
        if case .topic = kind { return true }
        return false
    }
}
