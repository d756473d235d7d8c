import WharfCore
import WharfDashboard
import WharfEvents
import WharfProjections

/// The Streams & projections panel (engine-only): the event store's categories and readers as
/// dashboard values, and the two actions (replay parked, rebuild a projection).
extension SourceDashboardDriver {
    public func eventsSnapshot() -> EventsSnapshot? {
        guard let store = panels.events, !store.closed else { return nil }
        let streams = store.streams()
        var lastAppend: [String: Int64] = [:]
        for s in streams { lastAppend[s.category] = max(lastAppend[s.category] ?? 0, s.lastAppended) }
        let categories = store.categories().map {
            EventCategorySnapshot(name: $0.category, streams: $0.streams, events: $0.events, lastAppendMs: lastAppend[$0.category])
        }
        var readers: [EventReaderSnapshot] = store.subscriptionSnapshots().map { s in
            let kind: EventReaderSnapshot.Kind = switch s.kind {
            case .persistent: .persistent
            case .catchUp: .catchUp
            case .checkpoint: .checkpoint
            }
            let group = s.kind == .persistent ? s.name.components(separatedBy: "::").last : nil
            return EventReaderSnapshot(name: s.kind == .persistent ? (group ?? s.name) : s.name, kind: kind, source: s.source.description,
                                       group: group, state: Self.readerState(s.state), error: s.state.faultMessage,
                                       checkpoint: s.checkpoint, lagEvents: s.lagEvents, lagSeconds: s.lagSeconds, parked: s.parkedCount)
        }
        for p in panels.projections?.statuses(store: store) ?? [] {
            readers.append(EventReaderSnapshot(
                name: p.name, kind: .projection, source: p.source.description, state: Self.readerState(p.state), error: p.state.faultMessage,
                checkpoint: p.cursor.position, lagEvents: p.lag.events, lagSeconds: p.lag.seconds, processed: p.cursor.processed,
                head: p.head, rebuildDone: p.rebuild?.done, rebuildTotal: p.rebuild?.total, database: p.databasePath,
                rebuildable: p.live && capabilities.contains(.rebuildProjection)))
        }
        return EventsSnapshot(totalEvents: store.applicationEventCount, categories: categories, readers: readers)
    }

    public static func readerState(_ s: SubscriptionState) -> EventReaderSnapshot.State {
        switch s {
        case .running: .running
        case .stopped: .stopped
        case .faulted: .faulted
        case .rebuilding: .rebuilding
        }
    }

    func performEvents(_ effect: Effect) async throws -> Action? {
        switch effect {
        case .replayParked(let group, let source):
            guard capabilities.contains(.replayParked), let store = panels.events else { return .operationFailed(DriverMessages.replayDisabled) }
            let n = try store.replayParked(group, on: EventSource(parsing: source))
            return .operationSucceeded(DriverMessages.replaying(n, to: group))
        case .rebuildProjection(let name):
            guard capabilities.contains(.rebuildProjection) else { return .operationFailed(DriverMessages.rebuildDisabled) }
            guard let projection = panels.projections?.projection(named: name) else {
                return .operationFailed(DriverMessages.projectionNotHere(name))
            }
            try await projection.rebuild()
            return .operationSucceeded(DriverMessages.rebuilding(name))
        default:
            return nil
        }
    }
}
