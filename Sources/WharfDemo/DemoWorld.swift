import WharfEngine
import WharfEvents
import WharfProjections
import WharfSources

/// Everything `wharf demo` runs in its data directory: the topics and groups with their traffic,
/// the queue 'emails', the event-sourced accounts with their projection, and the order service
/// with its outbox relay, each already running when `start` returns.
public struct DemoWorld: Sendable {
    public let engine: Engine
    public let queues: QueueStore
    public let events: EventStore
    public let projections: ProjectionRegistry
    public let orders: DemoOrderService
    /// The simulated traffic and the accounts, then the order writer and its relay: each pair is
    /// stopped (and waited for) together, in this order.
    private let stages: [[Task<Void, Never>]]

    /// `config`: the engine's configuration for `config.dataDirectory` (the command's limits applied).
    public static func start(config: EngineConfig) async throws -> DemoWorld {
        let dir = config.dataDirectory
        let engine = try Engine.open(config: config)
        let queues = try engine.openQueues()
        let traffic = DemoTraffic(engine: engine, queues: queues)
        try await traffic.setUp()
        let events = try EventStore.open(alongside: engine)
        let registry = ProjectionRegistry(dataDirectory: dir)
        let accounts = try DemoAccounts.open(store: events, registry: registry, dataDirectory: dir)
        try accounts.setUp()
        let producer = Task { await traffic.run() }
        let banking = Task { await accounts.run() }
        // The order service: orders and their outbox rows in one SQLite transaction, and a relay.
        let orders = try await DemoOrderService.open(engine: engine, directory: dir)
        let orderWriter = Task { await orders.run() }
        let orderRelay = Task { await orders.relay.run() }
        return DemoWorld(engine: engine, queues: queues, events: events, projections: registry, orders: orders,
                         stages: [[producer, banking], [orderWriter, orderRelay]])
    }

    /// Stops the traffic, the accounts and the order service, then closes the stores and the engine.
    public func stop() async throws {
        for stage in stages {
            for task in stage { task.cancel() }
            for task in stage { _ = await task.value }
        }
        await orders.close()
        try events.close()
        try queues.close()
        try engine.close()
    }
}
