/// The whole dashboard state: the latest snapshot and what was derived from the ones before,
/// the navigation stack, the open dialog, and settings. A value: `update` changes it and
/// returns effects; `render` draws it. Nothing in here performs I/O or reads a clock.
public struct DashboardState: Sendable {
    public var snapshot: ClusterSnapshot
    public var metrics: Metrics
    public var capabilities: SourceCapabilities
    /// `--read-only`: no dangerous effect is ever produced and dangerous keys are hidden.
    public var readOnly: Bool
    public var paused = false
    public var refreshMs: Int
    public var width: Int
    public var height: Int
    /// Navigation stack; never empty. The last frame is on screen.
    public var stack: [ViewFrame]
    public var modal: Modal?
    public var status: StatusMessage?
    public var records = RecordsState()
    /// Partitions marked with space in group detail: the scope of the next reset.
    public var marked: Set<TopicPartitionRef> = []
    /// Set by `q`; the loop exits after running the `.quit` effect.
    public var quitRequested = false

    public init(snapshot: ClusterSnapshot = .empty, capabilities: SourceCapabilities = .all, readOnly: Bool = false,
                refreshMs: Int = 1000, width: Int = 80, height: Int = 24, metricsConfig: Metrics.Config = Metrics.Config()) {
        self.snapshot = snapshot
        self.metrics = Metrics(config: metricsConfig)
        self.capabilities = capabilities
        self.readOnly = readOnly
        self.refreshMs = refreshMs
        self.width = width
        self.height = height
        self.stack = [ViewFrame(.overview)]
        if snapshot != .empty { metrics.ingest(snapshot) }
    }

    public var current: ViewFrame {
        get { stack[stack.count - 1] }
        set { stack[stack.count - 1] = newValue }
    }

    // Dangerous operations exist only when the source supports them and we are not read-only.
    public var canReset: Bool { !readOnly && capabilities.canReset }
    public var canUndo: Bool { !readOnly && capabilities.canUndoReset }
    public var canPurge: Bool { !readOnly && capabilities.canPurge }
    public var canBrowse: Bool { capabilities.canBrowseRecords }

    /// Rows available to the table of the current view (the body height minus its header).
    var pageRows: Int { max(1, height - 4) }

    mutating func show(_ text: String, error: Bool = false) {
        status = StatusMessage(text: text, isError: error, untilTick: metrics.tick + 5)
    }
}

/// The dialog or overlay on top of the view (at most one).
public enum Modal: Equatable, Sendable {
    case help
    case palette(PaletteState)
    /// `/` typing; `previous` is restored by Esc.
    case filter(input: TextInput, previous: String)
    case reset(ResetDialog)
    case purge(PurgeDialog)
    case confirmUndo
    /// Records view: jump to an offset or a date-time.
    case seek(TextInput)
}

public struct PaletteState: Equatable, Sendable {
    public var input = TextInput()
    public var selected = 0
}

/// The replay (offset reset) dialog: choose a spec, give its value, review the dry-run, confirm.
public struct ResetDialog: Equatable, Sendable {
    public enum Step: Equatable, Sendable {
        case choose
        case value
        /// Waiting for `pending` more `.resetPreviewed` answers.
        case previewing(pending: Int)
        case review
    }

    public static let choices = ["earliest", "latest", "offset", "date-time", "shift-by", "duration"]

    public var group: String
    /// Topic -> partitions in scope (all of the group's partitions on that topic, or the marked ones).
    public var scope: [(topic: String, partitions: [Int32])]
    public var step: Step = .choose
    public var choice = 0
    public var input = TextInput()
    public var spec: ResetSpec?
    public var rows: [ResetPlanRow] = []
    public var error: String?

    public static func == (a: ResetDialog, b: ResetDialog) -> Bool {
        a.group == b.group && a.step == b.step && a.choice == b.choice && a.input == b.input && a.spec == b.spec
            && a.rows == b.rows && a.error == b.error && a.scope.map(\.topic) == b.scope.map(\.topic)
            && a.scope.map(\.partitions) == b.scope.map(\.partitions)
    }

    public var partitionCount: Int { scope.reduce(0) { $0 + $1.partitions.count } }
}

/// The purge dialog: pick "up to" offset, see how many records go, type `purge` to confirm.
public struct PurgeDialog: Equatable, Sendable {
    public enum Step: Equatable, Sendable { case offset, confirm }
    public struct Row: Equatable, Sendable {
        public var partition: Int32
        public var beforeOffset: Int64
        public var records: Int64
    }

    public static let confirmWord = "purge"

    public var topic: String
    public var partitions: [Int32]
    public var step: Step = .offset
    public var input = TextInput("end")
    public var confirmation = TextInput()
    public var plan: [Row] = []
    public var error: String?

    public var totalRecords: Int64 { plan.reduce(0) { $0 + $1.records } }
}
