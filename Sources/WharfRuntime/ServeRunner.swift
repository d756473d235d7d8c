import WharfCore
import WharfEngine

/// `wharf serve`: the engine, the stores its listeners and metrics need, every listener of the
/// plan, the metrics read from the engine as the dashboard reads it (every `refreshMs`, never per
/// scrape) and the engine's upkeep, until a stop signal; then each is stopped in turn and the
/// engine closed cleanly. Nothing is left open when a start fails.
public enum ServeRunner {
    /// `serviceBusConfig`: a Service Bus emulator Config.json whose queues, topics, subscriptions
    /// and rules are created (idempotently) before any listener serves them. `outboxURLs`: the
    /// outboxes the metrics watch. `started` gets the listeners once all are up (their start
    /// lines, and warnings for a default port that was taken: the rest still serves).
    public static func run(config: EngineConfig, listeners plan: ListenerPlan, serviceBusConfig: String?,
                           metrics: (host: String, port: Int)?, refreshMs: Int, outboxURLs: [String],
                           until stop: StopSignals, started: (ListenerSet) -> Void) async throws {
        let engine = try Engine.open(config: config)
        let stores: ServeStores
        do {
            stores = try await ServeStores.open(engine: engine, queuesNeeded: plan.amqp != nil || serviceBusConfig != nil,
                                                eventsNeeded: plan.esdb != nil, metrics: metrics != nil, outboxURLs: outboxURLs)
        } catch {
            try? engine.close()
            throw error
        }
        let listeners: ListenerSet
        do {
            if let path = serviceBusConfig, let queues = stores.queues {
                _ = try EmulatorConfigFile.apply(try EmulatorConfigFile.load(path), to: queues)
            }
            let driver = MetricsSources.engine(engine, label: config.dataDirectory, panels: stores.panels,
                                               outboxes: stores.outboxes?.outboxes ?? [])
            listeners = try await ListenerSet.start(plan, engine: engine, queues: stores.queues, events: stores.events, metrics: metrics,
                                                    refreshFrom: driver, refreshMs: refreshMs)
        } catch {
            await stores.close()
            try? engine.close()
            throw error
        }
        started(listeners)
        let upkeep = EngineUpkeep.start(engine, also: stores.runMaintenance)
        _ = await stop.wait()
        await listeners.stop()
        await upkeep.stop()
        await stores.close()
        try engine.close()
    }
}
