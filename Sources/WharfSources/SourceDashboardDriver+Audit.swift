import WharfAdmin
import WharfCore
import WharfDashboard
import WharfEngine

/// `:audit` and `t`: the data directory's audit log and the causation trace. Only the embedded
/// engine has them in the dashboard; over `--bootstrap`, `wharf trace` answers what a cluster can.
extension SourceDashboardDriver {
    func performAuditEffect(_ effect: Effect) async throws -> Action? {
        guard let engine = (source as? EngineSource)?.engine else {
            if case .loadTrace = effect { return .operationFailed(DriverMessages.traceUnavailable) }
            return .operationFailed(DriverMessages.noAuditLog)
        }
        switch effect {
        case .loadTrace(let query):
            return .traceLoaded(Self.traceSnapshot(try await engine.trace(query)))
        case .loadAudit:
            return .auditLoaded(try engine.audit.read().entries, message: nil)
        case .undoAuditEntry(let id):
            guard capabilities.canUndoReset else { return .operationFailed(DriverMessages.resetsDisabled) }
            let result = try await engine.undoReset(auditEntry: id)
            return .auditLoaded(try engine.audit.read().entries, message: DriverMessages.undidEntry(id, restored: result.rows.count))
        default:
            return nil
        }
    }

    public static func traceSnapshot(_ t: EventTrace) -> TraceSnapshot {
        TraceSnapshot(query: t.query, eventId: t.eventId, hops: t.hops.map { h in
            TraceSnapshot.Hop(role: h.role.rawValue, record: h.coordinates, timestampMs: h.timestamp, from: h.from, reason: h.reason,
                              consumedBy: h.consumedBy.map(\.group), pendingFor: h.pendingFor.map(\.group))
        }, now: t.now, truncated: t.truncated)
    }
}
