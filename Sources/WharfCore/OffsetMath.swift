/// Arithmetic on offsets, lags and counts that come from outside (a committed offset is any
/// int64 a client chose, a real cluster may report anything): it saturates instead of trapping,
/// so a hostile value skews one number on a screen and never crashes the reader.
public enum OffsetMath {
    /// `a + b`, clamped to the Int64 range.
    public static func add(_ a: Int64, _ b: Int64) -> Int64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? (b > 0 ? .max : .min) : sum
    }

    /// `a - b`, clamped to the Int64 range.
    public static func subtract(_ a: Int64, _ b: Int64) -> Int64 {
        let (difference, overflow) = a.subtractingReportingOverflow(b)
        return overflow ? (b < 0 ? .max : .min) : difference
    }

    /// The sum of `values`, clamped to the Int64 range.
    public static func sum<S: Sequence>(_ values: S) -> Int64 where S.Element == Int64 {
        values.reduce(0, add)
    }

    /// How many records a group has yet to read: `logEnd - committed`, never negative.
    ///
    /// What a committed offset means (Kafka stores any int64 an OffsetCommit carries, and so does
    /// Wharf): a negative one is no position at all (Kafka's -1), so the lag counts from the log
    /// start as when nothing is committed; one past the log end means nothing is left to read.
    /// A commit below the log start counts the deleted records too, so the loss shows.
    public static func lag(logStart: Int64, logEnd: Int64, committed: Int64?) -> Int64 {
        let position = committed.flatMap { $0 >= 0 ? $0 : nil } ?? logStart
        return max(0, subtract(logEnd, position))
    }
}
