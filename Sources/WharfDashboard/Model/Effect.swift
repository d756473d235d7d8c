/// Work the dashboard asks the outside world to do. `update` only returns these; the
/// executable (or `TerminalApp` through a `DashboardDriver`) runs them and feeds results back
/// as `Action`s. Dangerous effects are never produced under read-only or without the
/// matching `SourceCapabilities`.
public enum Effect: Equatable, Sendable {
    /// Dry-run of a reset for the partitions of one topic (empty `partitions` = all of them).
    /// Answered by `.resetPreviewed`.
    case previewReset(group: String, topic: String, partitions: [Int32], spec: ResetSpec)
    /// Commit exactly the previewed plan. Dangerous.
    case executeReset(group: String, plan: [ResetPlanRow])
    /// Restore the offsets saved before the last reset. Dangerous.
    case undoLastReset
    /// Delete records of one partition below `beforeOffset`. Dangerous.
    case purge(topic: String, partition: Int32, beforeOffset: Int64)
    /// Read up to `max` records; answered by `.recordsLoaded`.
    case loadRecords(topic: String, partition: Int32, from: RecordStart, max: Int)
    /// Send a persistent subscription's parked events back to it. Dangerous.
    case replayParked(group: String, source: String)
    /// Empty a projection's read model and replay its source from the start. Dangerous.
    case rebuildProjection(name: String)
    /// Change how often snapshots are taken.
    case setRefresh(ms: Int)
    case quit

    /// True for effects that change data; used to assert read-only mode in tests.
    public var isDangerous: Bool {
        switch self {
        case .executeReset, .undoLastReset, .purge, .replayParked, .rebuildProjection: true
        case .previewReset, .loadRecords, .setRefresh, .quit: false
        }
    }
}
