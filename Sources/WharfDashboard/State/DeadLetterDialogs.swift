/// The dialogs of the Queues and Dead letters views, as one `Modal` case.
public enum QueueModal: Equatable, Sendable {
    case requeue(RequeueDialog)
    case purge(QueuePurgeDialog)
    /// Restore what the last purge of `entity` removed (within the undo window).
    case confirmUndo(entity: String)
}

/// Requeue: choose which messages, see the dry run (how many, where to), then confirm.
public struct RequeueDialog: Equatable, Sendable {
    public enum Step: Equatable, Sendable {
        /// Pick the scope (`choices`).
        case choose
        /// Type the filter value for the chosen scope.
        case value
        /// Type another target.
        case target
        /// Waiting for the dry run.
        case previewing
        /// The dry run is shown; Enter / y moves exactly those messages.
        case review(RequeuePreview)
    }

    public enum Scope: Equatable, Sendable, CaseIterable {
        case selection, all, reason, property, body

        var label: String {
            switch self {
            case .selection: "the selected message(s)"
            case .all: "all messages"
            case .reason: "by dead-letter reason"
            case .property: "by property (name=value)"
            case .body: "by body substring"
            }
        }
    }

    public var entity: String
    /// Marked messages, or the message under the cursor, when opened from the browser.
    public var selected: [Int64]
    public var scopes: [Scope]
    public var choice = 0
    public var step: Step = .choose
    public var input = TextInput()
    /// Empty: the default target.
    public var target = TextInput()
    public var defaultTarget: String?
    public var selection: DeadLetterSelection?
    public var error: String?

    public init(entity: String, selected: [Int64], defaultTarget: String?) {
        self.entity = entity
        self.selected = selected
        self.defaultTarget = defaultTarget
        scopes = selected.isEmpty ? [.all, .reason, .property, .body] : Scope.allCases
    }

    public var request: RequeueRequest? {
        selection.map { RequeueRequest(entity: entity, selection: $0, target: target.text.isEmpty ? nil : target.text) }
    }

    /// Where the messages go, for display.
    public var targetLabel: String {
        target.text.isEmpty ? (defaultTarget.map { "\($0) (source)" } ?? "the source") : target.text
    }
}

/// Purge of a queue or a dead-letter queue: shows how many go, requires typing `purge`.
public struct QueuePurgeDialog: Equatable, Sendable {
    public var entity: String
    public var count: Int64
    /// False for a dead-letter topic: its purge deletes records, and nothing can bring them back.
    public var restorable: Bool
    public var confirmation = TextInput()
    public var error: String?
    public init(entity: String, count: Int64, restorable: Bool = true) {
        self.entity = entity
        self.count = count
        self.restorable = restorable
    }
}
