import Foundation
import WharfCore
import WharfEngine
import WharfEvents
import WharfProjections
import WharfSources

/// The stores `wharf serve` opens beside the engine, so its metrics show what the dashboard shows
/// for the same `--data`: the queues (also the AMQP listener's), the event store and its
/// projections when the directory has them (serve never creates `events/` just to read it), and
/// the outboxes named by `--metrics-outbox`, watched only (their relay runs elsewhere).
///
/// All of them are read by the metrics refresh, every `--metrics-refresh`, never per scrape.
public struct ServeStores: Sendable {
    public let queues: QueueStore?
    public let events: EventStore?
    public let projections: ProjectionRegistry?
    public let outboxes: DashboardOutboxes?

    /// Opens what serve needs: queues when the AMQP listener or the metrics read them; the event
    /// store when the EventStoreDB listener serves it (created then) or the metrics read it; the
    /// outboxes only for metrics. One instance of each store per process, shared by the listeners
    /// and the metrics. Nothing is left open when a store refuses to open.
    public static func open(engine: Engine, queuesNeeded: Bool, eventsNeeded: Bool = false, metrics: Bool,
                            outboxURLs: [String]) async throws -> ServeStores {
        var queues: QueueStore?
        if queuesNeeded || metrics { queues = try engine.openQueues() }
        let dataDirectory = engine.config.dataDirectory
        var events: EventStore?
        if eventsNeeded {
            do { events = try EventStore.open(alongside: engine) } catch {
                try? queues?.close()
                throw error
            }
        } else if metrics, FileManager.default.fileExists(atPath: dataDirectory + "/events/all-0") {
            // Without its event store serve still serves and exports everything else.
            do { events = try EventStore.open(alongside: engine) } catch {
                FileHandle.standardError.write(Data("wharf: event stream metrics unavailable: \(error)\n".utf8))
            }
        }
        let outboxes: DashboardOutboxes?
        do {
            outboxes = outboxURLs.isEmpty ? nil : try await DashboardOutboxes.open(urls: outboxURLs, engine: engine, readOnly: true)
        } catch {
            try? events?.close()
            try? queues?.close()
            throw error
        }
        return ServeStores(queues: queues, events: events,
                           projections: events == nil ? nil : ProjectionRegistry(dataDirectory: dataDirectory), outboxes: outboxes)
    }

    public var panels: EnginePanels { EnginePanels(queues: queues, events: events, projections: projections) }

    /// Upkeep the stores need while serve runs (lock expiries, scheduled messages, the event
    /// store's interval fsync), on serve's maintenance timer.
    public func runMaintenance() {
        _ = try? queues?.tick()
        events?.runMaintenance()
    }

    public func close() async {
        await outboxes?.stop()
        try? events?.close()
        try? queues?.close()
    }
}
