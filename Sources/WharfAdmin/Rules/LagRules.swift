import WharfCore

/// How far behind a consumer group is, the same for every source (the embedded engine, a Kafka
/// cluster over the wire, the dashboard's refresh of either).
public enum LagRules {
    /// Where the group reads next on a partition: its committed offset, but never below the log
    /// start (retention deleted what lies below it; with no commit the group starts there).
    public static func position(logStart: Int64, committed: Int64?) -> Int64 {
        max(committed ?? logStart, logStart)
    }

    /// Records the group has yet to read (`OffsetMath.lag`: never negative; a negative commit is
    /// no position; a commit below the log start counts the deleted records, so the loss shows).
    public static func lag(logStart: Int64, logEnd: Int64, committed: Int64?) -> Int64 {
        OffsetMath.lag(logStart: logStart, logEnd: logEnd, committed: committed)
    }

    /// Time lag: now minus the timestamp of the first unconsumed record, never negative (a
    /// producer's clock may run ahead of ours); 0 when the group is caught up at `position`.
    /// nil when a lagging partition's first unconsumed record could not be read.
    public static func timeLagMs(position: Int64, logEnd: Int64, firstUnconsumedTimestamp: Int64?, nowMs: Int64) -> Int64? {
        guard position < logEnd else { return 0 }
        return firstUnconsumedTimestamp.map { max(0, OffsetMath.subtract(nowMs, $0)) }
    }
}
