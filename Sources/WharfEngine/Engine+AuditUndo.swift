import WharfAdmin
import WharfCore
import WharfStorage

/// Undo from the audit log: a reset recorded there can be reversed by any later process (the
/// dashboard that made it may be long gone), because the entry holds each partition's offset
/// before the reset.
extension Engine {
    /// Puts back the committed offsets audit entry `id` replaced, as a reset of its own
    /// (audited, naming `id` in `undoes`). Partitions that had no committed offset before keep
    /// the reset's offset (there is nothing to restore; `ResetPlanner.undo` does the same).
    public func undoReset(auditEntry id: String, actor: AuditActor = .thisProcess) async throws(WharfError) -> ResetResult {
        guard let entry = try audit.entry(id: id) else { throw .invalidArgument("the audit log has no entry \(id)") }
        let plan = try await undoPlan(entry)
        guard !plan.rows.isEmpty else { throw .invalidArgument("entry \(id): no partition had a committed offset before the reset") }
        return try await executeReset(group: plan.group, plan: plan.rows, actor: actor, undoes: id)
    }

    /// The group and the rows that restore `entry`'s `before` offsets.
    public func undoPlan(_ entry: AuditEntry) async throws(WharfError) -> (group: String, rows: [ResetPlanRow]) {
        let resets = [AuditAction.groupResetOffsets, AuditAction.groupResetUndo, AuditAction.groupAdminCommit]
        guard resets.contains(entry.action),
              entry.target.hasPrefix("group:") else {
            throw .invalidArgument("entry \(entry.id) is a \(entry.action) of \(entry.target), not an offset reset")
        }
        guard entry.succeeded, let before = entry.before else { throw .invalidArgument("entry \(entry.id) failed: nothing was reset") }
        let group = String(entry.target.dropFirst("group:".count))
        var targets: [TopicPartition: Int64] = [:]
        for (key, value) in before {
            guard let offset = Int64(value) else { continue }   // "none": no offset to restore
            guard let slash = key.lastIndex(of: "/"), let p = Int32(key[key.index(after: slash)...]) else {
                throw .invalidArgument("entry \(entry.id) names partition '\(key)', not topic/partition")
            }
            targets[TopicPartition(String(key[..<slash]), p)] = offset
        }
        let now = await coordinator.fetchOffsets(groupId: group, partitions: Array(targets.keys)).mapValues(\.offset)
        let rows = targets.sorted { ($0.key.topic, $0.key.partition) < ($1.key.topic, $1.key.partition) }.map { tp, offset in
            ResetPlanRow(topic: tp.topic, partition: tp.partition, currentOffset: now[tp], newOffset: offset,
                         recordsToReread: OffsetMath.subtract(now[tp] ?? offset, offset))
        }
        return (group, rows)
    }
}
