import WharfAdmin
import WharfDashboard

/// The reset dialog's values and the rulebook's, mapped in one place (the dashboard mirrors the
/// types so it stays free of every source).
extension OffsetResetSpec {
    public init(_ s: ResetSpec) {
        switch s {
        case .earliest: self = .earliest
        case .latest: self = .latest
        case .offset(let o): self = .offset(o)
        case .datetime(let t): self = .datetime(t)
        case .shiftBy(let n): self = .shiftBy(n)
        case .duration(let ms): self = .byDuration(ms)
        }
    }
}

extension WharfDashboard.ResetPlanRow {
    public init(_ r: WharfAdmin.ResetPlanRow) {
        self.init(topic: r.topic, partition: r.partition, current: r.currentOffset, new: r.newOffset, recordsToReread: r.recordsToReread)
    }
}

extension WharfAdmin.ResetPlanRow {
    public init(_ r: WharfDashboard.ResetPlanRow) {
        self.init(topic: r.topic, partition: r.partition, currentOffset: r.current, newOffset: r.new, recordsToReread: r.recordsToReread)
    }
}

extension ReadStart {
    public init(_ s: RecordStart) {
        switch s {
        case .offset(let o): self = .offset(o)
        case .timestamp(let t): self = .timestamp(t)
        }
    }
}
