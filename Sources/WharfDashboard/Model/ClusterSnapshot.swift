/// Everything the dashboard knows about a cluster at one instant.
///
/// A source (the embedded engine, or a Kafka client for a real cluster) produces one per tick;
/// the dashboard never mutates it and derives rates, trends, ETAs and lag status by comparing
/// successive snapshots (`Metrics`). All times are Unix milliseconds, offsets are Kafka offsets.
public struct ClusterSnapshot: Equatable, Sendable {
    /// When the snapshot was taken (source clock); the header clock shows this.
    public var timeMs: Int64
    /// What is being watched: a data directory or a cluster address.
    public var source: String
    /// The listeners this process serves (Kafka, AMQP, gRPC), in header order; empty hides them.
    public var listeners: [ListenerStatus]
    public var topics: [TopicSnapshot]
    public var groups: [GroupSnapshot]
    /// nil: the source has no dead-letter queues yet (shown as "none yet").
    public var deadLetters: [DeadLetterSnapshot]?
    /// nil: the source has no outbox yet (shown as "none yet").
    public var outboxes: [OutboxSnapshot]?
    /// nil: the source has no queues (the Queues view says so).
    public var queues: [QueueSnapshot]?
    /// nil: the source has no event store (the Streams & projections view says so).
    public var events: EventsSnapshot?
    /// Why the source could not be read just now; the rest of the snapshot is the last one that
    /// was read. nil: the source answered.
    public var sourceProblem: SourceProblem?
    /// The log volume's space; nil when the source cannot tell.
    public var disk: DiskSnapshot?
    /// The brokers (one for the embedded engine); empty until a source has described them.
    public var brokers: [BrokerSnapshot]

    public init(timeMs: Int64, source: String, listeners: [ListenerStatus] = [], topics: [TopicSnapshot] = [],
                groups: [GroupSnapshot] = [], deadLetters: [DeadLetterSnapshot]? = nil,
                outboxes: [OutboxSnapshot]? = nil, queues: [QueueSnapshot]? = nil, events: EventsSnapshot? = nil,
                sourceProblem: SourceProblem? = nil, disk: DiskSnapshot? = nil, brokers: [BrokerSnapshot] = []) {
        self.timeMs = timeMs
        self.source = source
        self.listeners = listeners
        self.topics = topics
        self.groups = groups
        self.deadLetters = deadLetters
        self.outboxes = outboxes
        self.queues = queues
        self.events = events
        self.sourceProblem = sourceProblem
        self.disk = disk
        self.brokers = brokers
    }

    public static let empty = ClusterSnapshot(timeMs: 0, source: "no source")

    public func topic(named name: String) -> TopicSnapshot? { topics.first { $0.name == name } }
    public func group(named name: String) -> GroupSnapshot? { groups.first { $0.name == name } }
    public func queue(named name: String) -> QueueSnapshot? { queues?.first { $0.name == name } }
    public func deadLetter(named entity: String) -> DeadLetterSnapshot? { deadLetters?.first { $0.entity == entity } }
}

/// A source that could not be read: a short badge for the header and the reason for the status row.
public struct SourceProblem: Equatable, Sendable {
    /// "OFFLINE" (no connection), "CONNECTING" (no answer yet), "STALE" (it answered with an error).
    public var badge: String
    /// What failed and what is done about it: "cannot reach 10.0.0.5:9092: connection refused · try 3".
    public var text: String

    public init(badge: String, text: String) {
        self.badge = badge
        self.text = text
    }
}

// OutboxSnapshot: see OutboxSnapshot.swift.
