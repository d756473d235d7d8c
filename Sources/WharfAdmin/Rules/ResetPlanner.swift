import WharfCore

/// How a reset ("replay") plans one partition, the same for every source: the target the spec
/// names, clamped into the partition's valid range as Kafka does, and how many records the group
/// reads again. The source answers the one question that needs its data: which offset a
/// time-based spec finds (`searchTimestamp`), asked before the plan.
public enum ResetPlanner {
    /// The timestamp a time-based spec searches the partition for (`datetime`, `byDuration`
    /// counted back from now); nil for the specs that need no search.
    public static func searchTimestamp(_ spec: OffsetResetSpec, nowMs: Int64) -> Int64? {
        switch spec {
        case .datetime(let ts): ts
        case .byDuration(let ms): OffsetMath.subtract(nowMs, ms)
        case .earliest, .latest, .offset, .shiftBy: nil
        }
    }

    /// One row of the plan. `offsetAtTime`: the source's answer to `searchTimestamp` (the first
    /// offset at or after it), nil when no record is that recent: then the log end.
    public static func row(topic: String, partition: Int32, logStart: Int64, logEnd: Int64, committed: Int64?,
                           spec: OffsetResetSpec, offsetAtTime: Int64?) -> ResetPlanRow {
        let target: Int64
        switch spec {
        case .earliest: target = logStart
        case .latest: target = logEnd
        case .offset(let o): target = o
        case .datetime, .byDuration: target = offsetAtTime ?? logEnd
        case .shiftBy(let n): target = OffsetMath.add(committed ?? logStart, n)
        }
        let clamped = min(max(target, logStart), logEnd)
        return ResetPlanRow(topic: topic, partition: partition, currentOffset: committed, newOffset: clamped,
                            recordsToReread: OffsetMath.subtract(committed ?? logStart, clamped))
    }

    /// The plan that puts back what an executed plan replaced (the dashboard's undo); partitions
    /// the group had no commit for before are left where the reset put them.
    public static func undo(_ executed: [ResetPlanRow]) -> [ResetPlanRow] {
        executed.compactMap { r in
            guard let old = r.currentOffset else { return nil }
            return ResetPlanRow(topic: r.topic, partition: r.partition, currentOffset: r.newOffset, newOffset: old,
                                recordsToReread: OffsetMath.subtract(r.newOffset, old))
        }
    }
}
