/// The screens of the dashboard. The navigation stack holds these; breadcrumbs name them.
public enum ViewID: Equatable, Hashable, Sendable {
    case overview
    case topics
    case topicDetail(String)
    case groups
    case groupDetail(String)
    case records(topic: String, partition: Int32)

    public var title: String {
        switch self {
        case .overview: "Overview"
        case .topics: "Topics"
        case .topicDetail(let t): t
        case .groups: "Groups"
        case .groupDetail(let g): g
        case .records(let t, let p): "records \(t)/\(p)"
        }
    }

    /// Sortable columns: (sort key, column index, numeric: first press sorts descending).
    var sortKeys: [(key: Character, column: Int, numeric: Bool)] {
        switch self {
        case .topics: [("N", 0, false), ("P", 1, true), ("R", 2, true), ("S", 3, true), ("I", 4, true), ("T", 5, true)]
        case .groups: [("N", 0, false), ("S", 1, false), ("M", 2, true), ("L", 3, true), ("T", 4, true), ("E", 5, true), ("U", 7, true)]
        case .topicDetail: [("P", 0, false), ("E", 2, true), ("R", 3, true), ("Z", 4, true), ("I", 5, true)]
        case .groupDetail: [("N", 0, false), ("P", 1, false), ("L", 4, true), ("T", 5, true), ("U", 7, true)]
        case .overview, .records: []
        }
    }

    /// Whether `/` filters this view.
    var filterable: Bool {
        switch self {
        case .topics, .groups, .topicDetail, .groupDetail, .records: true
        case .overview: false
        }
    }
}

/// Per-screen UI state, kept on the navigation stack so Esc returns to where you were.
public struct ViewFrame: Equatable, Sendable {
    public var id: ViewID
    public var selected: Int = 0
    public var scroll: Int = 0
    public var sortColumn: Int = 0
    public var ascending: Bool = true
    /// Substring filter, case-insensitive; a leading "!" keeps the rows that do NOT match.
    public var filter: String = ""

    public init(_ id: ViewID) { self.id = id }
}

/// How the Records view shows a value.
public enum RecordViewMode: String, CaseIterable, Sendable {
    case text, json, hex

    var next: RecordViewMode {
        switch self {
        case .text: .json
        case .json: .hex
        case .hex: .text
        }
    }
}

/// The Records view's data.
public struct RecordsState: Equatable, Sendable {
    public var topic: String = ""
    public var partition: Int32 = 0
    public var start: RecordStart = .offset(0)
    public var rows: [RecordRow] = []
    public var mode: RecordViewMode = .text
    public var loading = false
    public static let pageSize = 50
}

/// A transient line under the header: the result of the last operation.
public struct StatusMessage: Equatable, Sendable {
    public var text: String
    public var isError: Bool
    /// Metrics tick after which it disappears.
    public var untilTick: Int64
}
