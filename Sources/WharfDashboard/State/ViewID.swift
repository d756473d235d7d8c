/// The screens of the dashboard. The navigation stack holds these; breadcrumbs name them.
public enum ViewID: Equatable, Hashable, Sendable {
    case overview
    case topics
    case topicDetail(String)
    case groups
    case groupDetail(String)
    case records(topic: String, partition: Int32)
    case queues
    case deadLetters
    /// The message browser of one dead-letter entity.
    case deadLetterMessages(String)
    /// Outboxes: backlog, publish rate, relay state (key 6).
    case outbox
    /// The newest rows of one outbox (Enter on an outbox).
    case outboxRows(String)
    case streams
    /// Brokers: leaders, replicas out of sync, disk (key 8).
    case brokers
    /// The data directory's audit log (`:audit`): recent changes, and undo of a reset.
    case audit
    /// The trace of one event (`t` on a record or a dead letter).
    case trace(String)

    public var title: String {
        switch self {
        case .overview: "Overview"
        case .topics: "Topics"
        case .topicDetail(let t): t
        case .groups: "Groups"
        case .groupDetail(let g): g
        case .records(let t, let p): "records \(t)/\(p)"
        case .queues: "Queues"
        case .deadLetters: "Dead letters"
        case .deadLetterMessages(let e): e
        case .outbox: "Outbox"
        case .outboxRows(let o): "\(o) rows"
        case .streams: "Streams & projections"
        case .brokers: "Brokers"
        case .audit: "Audit log"
        case .trace(let q): "trace \(q)"
        }
    }

    /// Sortable columns: (sort key, column index, numeric: first press sorts descending).
    var sortKeys: [(key: Character, column: Int, numeric: Bool)] {
        switch self {
        case .topics: [("N", 0, false), ("P", 1, true), ("R", 2, true), ("S", 3, true), ("I", 4, true), ("T", 5, true)]
        case .groups: [("N", 0, false), ("S", 1, false), ("M", 2, true), ("L", 3, true), ("T", 4, true), ("E", 5, true), ("U", 7, true)]
        case .topicDetail: [("P", 0, false), ("E", 2, true), ("R", 3, true), ("Z", 4, true), ("I", 5, true)]
        case .groupDetail: [("N", 0, false), ("P", 1, false), ("L", 4, true), ("T", 5, true), ("E", 6, true), ("U", 8, true)]
        case .queues: [("N", 0, false), ("A", 1, true), ("L", 2, true), ("D", 3, true), ("S", 4, true), ("Q", 5, true), ("Z", 6, true), ("O", 7, true)]
        case .deadLetters: [("N", 0, false), ("C", 2, true), ("O", 3, true), ("G", 4, true)]
        case .outbox: [("N", 0, false), ("S", 1, true), ("P", 2, true), ("A", 3, true), ("R", 4, true), ("F", 5, true), ("D", 6, true)]
        case .brokers: [("I", 0, false), ("L", 3, true), ("R", 4, true), ("B", 5, true), ("D", 6, true)]
        case .overview, .records, .deadLetterMessages, .outboxRows, .streams, .audit, .trace: []
        }
    }

    /// Whether `/` filters this view.
    var filterable: Bool {
        switch self {
        case .topics, .groups, .topicDetail, .groupDetail, .records, .queues, .deadLetters, .deadLetterMessages, .outbox, .outboxRows, .streams, .brokers, .audit: true
        case .overview, .trace: false
        }
    }
}
