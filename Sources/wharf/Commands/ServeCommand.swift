import ArgumentParser
import Dispatch
import Foundation
import WharfAMQPServer
import WharfAuth
import WharfCore
import WharfEngine
import WharfESDBServer
import WharfEvents
import WharfKafkaServer
import WharfOutbox

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the broker headless: Kafka clients connect to --listen.",
        discussion: "Runs until SIGINT or SIGTERM, then closes every log cleanly.")

    @OptionGroup var data: DataOptions
    @OptionGroup var fsync: FsyncOptions
    @OptionGroup(title: "Listener limits") var listener: ListenerLimitOptions
    @OptionGroup(title: "Engine limits") var engineLimits: EngineLimitOptions
    @Option(help: ArgumentHelp("Listeners for Kafka clients, comma-separated: host:port (PLAINTEXT) or PROTOCOL://host:port with PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL.",
                               valueName: "listeners"))
    var listen = KafkaListenerList(argument: "127.0.0.1:9092")!
    @OptionGroup(title: "Listener security") var security: ListenerSecurityOptions
    @OptionGroup(title: "AMQP (Azure Service Bus) listener") var amqp: AMQPListenerOptions
    @OptionGroup(title: "EventStoreDB (gRPC) listener") var esdb: ESDBListenerOptions
    @OptionGroup(title: "Metrics") var metrics: MetricsOptions
    @OptionGroup(title: "Metrics") var metricsRefresh: MetricsRefreshOption
    @Option(name: .customLong("metrics-outbox"), help: ArgumentHelp(
        "Export this outbox's metrics (pending rows, oldest pending age, dead rows) with --metrics-listen; repeatable. It is only watched: `wharf outbox relay` relays it.",
        valueName: "sqlite:PATH|postgres://..."))
    var metricsOutbox: [String] = []
    @Option(name: .customLong("advertised-host"), help: "Host name clients are told to connect to (default: the listen host).")
    var advertisedHost: String?
    @Flag(name: .customLong("auto-create-topics"), inversion: .prefixedNo, help: "Create unknown topics when clients ask for them.")
    var autoCreateTopics = true
    @Option(name: .customLong("default-partitions"), help: "Partitions of auto-created topics.") var defaultPartitions: Int32 = 1
    @Option(name: .customLong("group-initial-rebalance-delay-ms"),
            help: "How long a new consumer group waits for more members before its first rebalance (Kafka's group.initial.rebalance.delay.ms).")
    var groupInitialRebalanceDelayMs: Int64 = 3000

    func validate() throws {
        guard defaultPartitions >= 1 else { throw ValidationError("--default-partitions must be at least 1") }
        guard defaultPartitions <= engineLimits.maxPartitionsPerTopic else {
            throw ValidationError("--default-partitions must not exceed --max-partitions-per-topic (\(engineLimits.maxPartitionsPerTopic))")
        }
        guard groupInitialRebalanceDelayMs >= 0 else { throw ValidationError("--group-initial-rebalance-delay-ms must not be negative") }
        guard metricsOutbox.isEmpty || metrics.metricsListen != nil else { throw ValidationError("--metrics-outbox needs --metrics-listen") }
        for url in metricsOutbox {
            do { _ = try OutboxDatabaseURL(parsing: url) } catch { throw ValidationError("--metrics-outbox: \(error)") }
        }
    }

    func run() async throws {
        // Signals first: a SIGTERM that arrives while the engine opens still stops cleanly.
        let stop = StopSignals()
        var config = EngineConfig(dataDirectory: data.directory, fsync: try fsync.policy())
        config.defaultPartitions = defaultPartitions
        config.groupInitialRebalanceDelayMs = groupInitialRebalanceDelayMs
        engineLimits.apply(to: &config)
        let engine = try Engine.open(config: config)
        var serverConfig = KafkaServer.Configuration()
        serverConfig.listeners = listen.listeners
        security.apply(to: &serverConfig, dataDirectory: data.directory)
        serverConfig.advertisedHost = advertisedHost
        serverConfig.autoCreateTopics = autoCreateTopics
        serverConfig.autoCreatePartitions = defaultPartitions
        serverConfig.limits = listener.limits
        // Where a SASL listener finds its users (`wharf user add`).
        serverConfig.users = UserStore(dataDirectory: data.directory)
        let server = KafkaServer(engine: engine, configuration: serverConfig)
        do {
            try await server.start()
        } catch {
            try? engine.close()
            throw error
        }
        let stores: ServeStores
        do {
            stores = try await ServeStores.open(engine: engine, queuesNeeded: amqp.enabled || amqp.serviceBusConfig != nil,
                                                eventsNeeded: esdb.enabled, metrics: metrics.metricsListen != nil, outboxURLs: metricsOutbox)
        } catch {
            await server.stop()
            try? engine.close()
            throw error
        }
        // The emulator's Config.json declares queues, topics, subscriptions and rules: created
        // (idempotently) before any listener serves them.
        if let path = amqp.serviceBusConfig, let queues = stores.queues {
            do { _ = try EmulatorConfigFile.apply(try EmulatorConfigFile.load(path), to: queues) } catch {
                await stores.close()
                await server.stop()
                try? engine.close()
                throw error
            }
        }
        // Metrics read the engine and its stores as the dashboard does, every --metrics-refresh, never per scrape.
        var metricsEndpoint: MetricsEndpoint?
        if let address = metrics.metricsListen {
            let driver = MetricsSources.engine(engine, label: data.directory, panels: stores.panels,
                                               outboxes: stores.outboxes?.outboxes ?? [])
            do {
                metricsEndpoint = try await MetricsEndpoint.start(address, kafka: server, storage: true, refreshFrom: driver,
                                                                  refreshMs: metricsRefresh.metricsRefresh)
            } catch {
                await stores.close()
                await server.stop()
                try? engine.close()
                throw error
            }
        }
        print("wharf serving Kafka on \(listen.describe(server.boundListeners)) (data \(data.directory))")
        var serviceBus: AMQPServer?
        do {
            if amqp.enabled, let queues = stores.queues { serviceBus = try await startServiceBus(queues: queues) }
        } catch WharfError.io(let why) where !amqp.isExplicit {
            // The default port is taken: Kafka still serves; an explicit --amqp-listen must bind.
            FileHandle.standardError.write(Data("wharf: AMQP listener not started: \(why) (use --amqp-listen or --no-amqp)\n".utf8))
            serviceBus = nil
        } catch {
            await metricsEndpoint?.stop()
            await stores.close()
            await server.stop()
            try? engine.close()
            throw error
        }
        var esdbServer: ESDBServer?
        do {
            if esdb.enabled, let events = stores.events { esdbServer = try await startEventStore(events: events) }
        } catch WharfError.io(let why) where !esdb.isExplicit {
            // As for AMQP: the default port is taken (a real EventStoreDB?); the rest still serves.
            FileHandle.standardError.write(Data("wharf: EventStoreDB listener not started: \(why) (use --esdb-listen or --no-esdb)\n".utf8))
        } catch {
            await serviceBus?.stop()
            await metricsEndpoint?.stop()
            await stores.close()
            await server.stop()
            try? engine.close()
            throw error
        }
        if let metricsEndpoint { print("wharf serving metrics on http://\(MetricsAddress(host: metricsEndpoint.server.host, port: metricsEndpoint.port))/metrics") }
        fflush(nil)
        let maintenance = Task {
            while !Task.isCancelled {
                await engine.runMaintenance()
                stores.runMaintenance()
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
        _ = await stop.wait()
        await metricsEndpoint?.stop()
        maintenance.cancel()
        _ = await maintenance.value
        await esdbServer?.stop()
        await serviceBus?.stop()
        await stores.close()
        await server.stop()
        try engine.close()
        print("wharf stopped")
    }

    /// The EventStoreDB gRPC listener over the data directory's event store (opened by ServeStores).
    private func startEventStore(events: EventStore) async throws -> ESDBServer {
        let server = ESDBServer(store: events, configuration: esdb.configuration(advertisedHost: advertisedHost))
        do {
            let port = try await server.start()
            print("wharf serving EventStoreDB gRPC on \(MetricsAddress(host: server.configuration.host, port: port)) (esdb://\(server.configuration.host):\(port)?tls=false)")
        } catch {
            await server.stop()
            throw error
        }
        return server
    }

    /// The AMQP listener over the data directory's queues; prints the connection string an SDK
    /// uses (with the data directory's first key, created on first use).
    private func startServiceBus(queues: QueueStore) async throws -> AMQPServer {
        let keyStore = ServiceBusKeys(dataDirectory: data.directory)
        let server = AMQPServer(queues: queues, keys: keyStore, configuration: amqp.configuration)
        do {
            let keys = try keyStore.loadOrCreateDefault()
            let port = try await server.start()
            let host = amqp.configuration.host
            let keyName = keys[ServiceBusKeys.defaultKeyName] != nil ? ServiceBusKeys.defaultKeyName : keys.keys.sorted()[0]
            print("wharf serving AMQP (Service Bus) on \(host):\(port)")
            print("connection string: \(ServiceBusKeys.connectionString(host: host, port: port, keyName: keyName, key: keys[keyName]!))")
        } catch {
            await server.stop()
            throw error
        }
        return server
    }
}
