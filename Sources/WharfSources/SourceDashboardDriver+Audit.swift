import WharfAdmin
import WharfClusterSource
import WharfCore
import WharfDashboard
import WharfEngine

/// `:audit` and `t`: the data directory's audit log and the causation trace. The audit log is the
/// embedded engine's only; a trace comes from the engine or, over `--bootstrap`, from what a
/// cluster can answer (`ClusterTrace`), and starts at the outbox row when one of the dashboard's
/// outboxes has the event.
extension SourceDashboardDriver {
    /// Records a dashboard trace reads over `--bootstrap` at most (as `wharf trace`'s default).
    static var clusterTraceMaxRecords: Int { 2_000_000 }

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

    /// The trace of `query` from this source (nil: the source cannot trace), with the outbox row
    /// it started as: looked up first for an event id (so a row not yet published is found),
    /// else by the event id the records carry.
    public func traceEvent(_ query: String) async throws -> EventTrace? {
        var first: EventTrace.OutboxRow?
        if case .id(let id) = EventTraceBuilder.Query(parsing: query) { first = await outboxRow(eventId: id) }
        var trace: EventTrace
        if let engine = (source as? EngineSource)?.engine {
            trace = try await engine.trace(query, outbox: first)
        } else if let cluster = source as? KafkaClusterSource {
            trace = try await ClusterTrace.trace(cluster.client, query: query, maxRecords: Self.clusterTraceMaxRecords, outbox: first)
        } else {
            return nil
        }
        if trace.outbox == nil, let id = trace.eventId { trace.outbox = await outboxRow(eventId: id) }
        return trace
    }

    /// The row with event id `id` in the first of the dashboard's outboxes that has it (one
    /// indexed lookup per outbox; an outbox that cannot be read is skipped).
    func outboxRow(eventId id: String) async -> EventTrace.OutboxRow? {
        for o in outboxes {
            if let row = try? await o.store.row(id: id) { return EventTrace.OutboxRow(row, outbox: o.name) }
        }
        return nil
    }

    public static func traceSnapshot(_ t: EventTrace) -> TraceSnapshot {
        TraceSnapshot(query: t.query, eventId: t.eventId, hops: t.hops.map { h in
            TraceSnapshot.Hop(role: h.role.rawValue, record: h.coordinates, timestampMs: h.timestamp, from: h.from, reason: h.reason,
                              consumedBy: h.consumedBy.map(\.group), pendingFor: h.pendingFor.map(\.group))
        }, now: t.now, truncated: t.truncated, outbox: t.outbox.map(\.summary))
    }
}
