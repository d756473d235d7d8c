import WharfAdmin
import WharfCore
import WharfDashboard
import WharfEngine

/// `:audit` and `t`: the data directory's audit log and the causation trace. The audit log is the
/// embedded engine's only; a trace comes from the engine or, over `--bootstrap`, from what a
/// cluster can answer (`ClusterSource.trace`), and starts at the outbox row when one of the dashboard's
/// outboxes has the event.
extension SourceDashboardDriver {
    /// Records a dashboard trace reads at most (as `wharf trace`'s default).
    static var traceMaxRecords: Int { 2_000_000 }

    func performAuditEffect(_ effect: Effect) async throws -> Action? {
        if case .loadTrace(let query) = effect {
            guard let trace = try await traceEvent(query) else { return .operationFailed(DriverMessages.traceUnavailable) }
            return .traceLoaded(Self.traceSnapshot(trace))
        }
        guard let engine = (source as? EngineSource)?.engine else { return .operationFailed(DriverMessages.noAuditLog) }
        switch effect {
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

    /// The trace of `query` from this source (nil: the source cannot trace), starting at the
    /// outbox row when one of the dashboard's outboxes has the event.
    public func traceEvent(_ query: String) async throws -> EventTrace? {
        guard capabilities.contains(.trace) else { return nil }
        let stores = outboxes.map { (name: $0.name, store: $0.store) }
        // A local copy, so the closure captures no state of this actor's.
        let source = self.source
        return try await OutboxTraceStart.trace(query, outboxes: stores) {
            try await source.trace(query, outbox: $0, maxRecords: Self.traceMaxRecords)
        }
    }

    public static func traceSnapshot(_ t: EventTrace) -> TraceSnapshot {
        TraceSnapshot(query: t.query, eventId: t.eventId, hops: t.hops.map { h in
            TraceSnapshot.Hop(role: h.role.rawValue, record: h.coordinates, timestampMs: h.timestamp, from: h.from, reason: h.reason,
                              consumedBy: h.consumedBy.map(\.group), pendingFor: h.pendingFor.map(\.group))
        }, now: t.now, truncated: t.truncated, outbox: t.outbox.map(\.summary))
    }
}
