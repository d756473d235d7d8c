/// The event store seen by the Streams & projections view: streams grouped by category, and
/// everything that reads them (projections, persistent subscriptions, catch-up subscriptions)
/// with state, checkpoint, lag, parked events and rebuild progress.
public struct EventsSnapshot: Equatable, Sendable {
    /// Application events ever appended (all categories).
    public var totalEvents: UInt64
    public var categories: [EventCategorySnapshot]
    public var readers: [EventReaderSnapshot]

    public init(totalEvents: UInt64, categories: [EventCategorySnapshot], readers: [EventReaderSnapshot]) {
        self.totalEvents = totalEvents
        self.categories = categories
        self.readers = readers
    }

    public var streamCount: Int { categories.reduce(0) { $0 + $1.streams } }
}

public struct EventCategorySnapshot: Equatable, Sendable {
    public var name: String
    public var streams: Int
    public var events: UInt64
    /// Append time (ms) of the category's last event, nil when unknown.
    public var lastAppendMs: Int64?

    public init(name: String, streams: Int, events: UInt64, lastAppendMs: Int64? = nil) {
        self.name = name
        self.streams = streams
        self.events = events
        self.lastAppendMs = lastAppendMs
    }
}

/// One reader of the event store.
public struct EventReaderSnapshot: Equatable, Sendable {
    public enum Kind: String, Sendable, Comparable {
        case projection
        case persistent
        case catchUp = "catch-up"
        case checkpoint

        var order: Int {
            switch self {
            case .projection: 0
            case .persistent: 1
            case .catchUp: 2
            case .checkpoint: 3
            }
        }

        public static func < (a: Kind, b: Kind) -> Bool { a.order < b.order }
    }

    public enum State: String, Sendable {
        case running, stopped, faulted, rebuilding
    }

    public var name: String
    public var kind: Kind
    /// `$all`, a stream, or `$ce-<category>`.
    public var source: String
    /// Persistent subscriptions: the group (replay parked needs it with `source`).
    public var group: String?
    public var state: State
    public var error: String?
    /// Last processed position (or revision for a stream source); nil: none yet.
    public var checkpoint: UInt64?
    public var lagEvents: UInt64
    public var lagSeconds: Double
    public var parked: UInt64
    /// Projections: events of the source applied, and the source's head.
    public var processed: UInt64?
    public var head: UInt64?
    /// While rebuilding: applied so far of the events the source had when it began.
    public var rebuildDone: UInt64?
    public var rebuildTotal: UInt64?
    /// Projections: the read model's database.
    public var database: String?
    /// Projections: this source can rebuild it (it runs in the source's process).
    public var rebuildable: Bool

    public init(name: String, kind: Kind, source: String, group: String? = nil, state: State, error: String? = nil,
                checkpoint: UInt64? = nil, lagEvents: UInt64 = 0, lagSeconds: Double = 0, parked: UInt64 = 0,
                processed: UInt64? = nil, head: UInt64? = nil, rebuildDone: UInt64? = nil, rebuildTotal: UInt64? = nil,
                database: String? = nil, rebuildable: Bool = false) {
        self.name = name
        self.kind = kind
        self.source = source
        self.group = group
        self.state = state
        self.error = error
        self.checkpoint = checkpoint
        self.lagEvents = lagEvents
        self.lagSeconds = lagSeconds
        self.parked = parked
        self.processed = processed
        self.head = head
        self.rebuildDone = rebuildDone
        self.rebuildTotal = rebuildTotal
        self.database = database
        self.rebuildable = rebuildable
    }

    /// Rebuild progress in 0...1, nil when not rebuilding.
    public var rebuildFraction: Double? {
        guard let done = rebuildDone, let total = rebuildTotal else { return nil }
        return total == 0 ? 1 : min(1, Double(done) / Double(total))
    }
}
