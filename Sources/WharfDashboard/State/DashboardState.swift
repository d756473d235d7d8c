import WharfAdmin  // SourceCapabilities.all in a default argument
import WharfCore

/// The whole dashboard state: the latest snapshot and what was derived from the ones before,
/// the navigation stack, the open dialog, and settings. A value: `update` changes it and
/// returns effects; `render` draws it. Nothing in here performs I/O or reads a clock.
public struct DashboardState: Sendable {
    public var snapshot: ClusterSnapshot
    public var metrics: Metrics
    /// Event append rates per category (Streams & projections view).
    public var eventRates = EventRates()
    public var capabilities: SourceCapabilities
    /// `--read-only`: no dangerous effect is ever produced and dangerous keys are hidden.
    public var readOnly: Bool
    public var paused = false
    /// Internal topics (`__consumer_offsets`, Wharf's own) among the overview's busiest topics:
    /// hidden by default, `i` toggles them (as Kafka UI's "show internal topics").
    public var showInternalTopics = false
    public var refreshMs: Int
    public var width: Int
    public var height: Int
    /// Navigation stack; never empty. The last frame is on screen.
    public var stack: [ViewFrame]
    public var modal: Modal?
    public var status: StatusMessage?
    public var records = RecordsState()
    public var deadLetterBrowser = DeadLetterBrowserState()
    /// The audit log as last loaded (`:audit`), oldest first.
    public var auditEntries: [AuditEntry] = []
    public var auditLoading = false
    /// The trace on screen (`t`); nil while it loads.
    public var trace: TraceSnapshot?
    /// The outbox rows view's rows (Enter on an outbox).
    public var outboxRowsBrowser = OutboxRowsBrowser()
    /// Partitions marked with space in group detail: the scope of the next reset.
    public var marked: Set<TopicPartitionRef> = []
    /// Snapshots received, including repeats (a source that cannot be read sends its last one
    /// again, which `metrics` ignores); status messages expire by this count.
    public var ticksSeen: Int64 = 0
    /// Set by `q`; the loop exits after running the `.quit` effect.
    public var quitRequested = false
    /// Effects handed to the source and not answered yet: the terminal loop runs them off the
    /// input loop and counts them here, and the status line says so while any is running.
    public var pendingEffects = 0

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
        if snapshot != .empty { metrics.ingest(snapshot); eventRates.ingest(snapshot) }
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
    public var canBrowseDeadLetters: Bool { capabilities.contains(.browseDeadLetters) }
    public var canRequeue: Bool { !readOnly && capabilities.contains(.requeue) }
    public var canPurgeQueue: Bool { !readOnly && capabilities.contains(.purgeQueue) }
    public var canUndoQueuePurge: Bool { !readOnly && capabilities.contains(.undoQueuePurge) }
    public var canControlOutbox: Bool { !readOnly && capabilities.canControlOutbox }

    /// Rows available to the table of the current view (the body height minus its header).
    var pageRows: Int { max(1, height - 4) }

    mutating func show(_ text: String, error: Bool = false) {
        status = StatusMessage(text: text, isError: error, untilTick: ticksSeen + 5)
    }
}
