import WharfCore
import WharfEvents

/// What a projection folds: every application event in `$all` order, or the events of one
/// category (`account` for `account-1`, `account-2`, ...), also in `$all` order.
public enum ProjectionSource: Hashable, Sendable, CustomStringConvertible {
    case all
    case category(String)

    /// `$all`, `$ce-<category>` or a bare category name.
    public init(parsing text: String) {
        if text == "$all" {
            self = .all
        } else if text.hasPrefix("$ce-") {
            self = .category(String(text.dropFirst(4)))
        } else {
            self = .category(text)
        }
    }

    public var description: String {
        switch self {
        case .all: "$all"
        case .category(let c): "$ce-\(c)"
        }
    }

    /// The next at most `max` events after `cursor`.
    func read(_ store: EventStore, after cursor: ProjectionCursor, max: Int) throws(WharfError) -> [RecordedEvent] {
        switch self {
        case .all:
            try store.readAll(from: cursor.position.map { $0 + 1 } ?? 0, maxCount: max, includeSystem: false)
        case .category(let c):
            try store.readCategory(c, from: cursor.processed, maxCount: max)
        }
    }

    /// Events of this source committed so far (its head, in events).
    func head(_ store: EventStore) -> UInt64 {
        switch self {
        case .all: store.applicationEventCount
        case .category(let c): store.categoryEventCount(c)
        }
    }

    func lag(_ store: EventStore, cursor: ProjectionCursor) -> Lag {
        switch self {
        case .all: store.lag(of: .all, checkpoint: cursor.position)
        case .category(let c): store.categoryLag(c, processed: cursor.processed)
        }
    }
}

/// How far a projection got: the `$all` position of the last event it applied (nil: none) and
/// how many events of its source it applied (the index into a category's sequence).
public struct ProjectionCursor: Equatable, Sendable {
    public var position: UInt64?
    public var processed: UInt64

    public init(position: UInt64? = nil, processed: UInt64 = 0) {
        self.position = position
        self.processed = processed
    }

    public static let start = ProjectionCursor()
}
