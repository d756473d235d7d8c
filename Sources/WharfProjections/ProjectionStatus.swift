import WharfEvents

/// A rebuild under way: `done` of the `total` events the source held when it began.
public struct RebuildProgress: Equatable, Sendable {
    public var done: UInt64
    public var total: UInt64
    public var fraction: Double { total == 0 ? 1 : min(1, Double(done) / Double(total)) }
}

/// One projection as an operator sees it: where it is, how far behind, and in which state.
public struct ProjectionStatus: Equatable, Sendable {
    public var name: String
    public var source: ProjectionSource
    public var databasePath: String
    public var definitionId: String?
    /// running, stopped, faulted (with the error) or rebuilding.
    public var state: SubscriptionState
    public var cursor: ProjectionCursor
    /// Events of the source committed now.
    public var head: UInt64
    /// Events after the checkpoint and the age of the oldest of them.
    public var lag: Lag
    public var rebuild: RebuildProgress?
    /// True when this process runs it; false for one read from the registry and its database.
    public var live: Bool
    /// `wharf projection rebuild` asked for a rebuild its application has not run yet.
    public var rebuildRequested: Bool

    public var stateName: String { state.name }
}

extension SubscriptionState {
    /// `running`, `stopped`, `faulted` or `rebuilding` (the error is left out).
    public var name: String {
        switch self {
        case .running: "running"
        case .stopped: "stopped"
        case .faulted: "faulted"
        case .rebuilding: "rebuilding"
        }
    }

    public var faultMessage: String? {
        if case .faulted(let m) = self { return m }
        return nil
    }

    init(name: String, error: String?) {
        switch name {
        case "running": self = .running
        case "rebuilding": self = .rebuilding
        case "faulted": self = .faulted(error ?? "unknown error")
        default: self = .stopped
        }
    }
}
