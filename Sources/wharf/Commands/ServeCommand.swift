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
    @Option(name: .customLong("servicebus-config"),
            help: ArgumentHelp("A Service Bus emulator Config.json: its queues, topics, subscriptions and rules are created at start (existing ones kept).", valueName: "file"))
    var serviceBusConfig: String?
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
        try await ServeRunner.run(config: config, listeners: listenerPlan(), serviceBusConfig: serviceBusConfig,
                                  metrics: metrics.metricsListen.map { ($0.host, $0.port) }, refreshMs: metricsRefresh.metricsRefresh,
                                  outboxURLs: metricsOutbox, until: stop) { listeners in
            // A default AMQP or EventStoreDB port that is taken: the rest still serves.
            for warning in listeners.warnings { FileHandle.standardError.write(Data((warning + "\n").utf8)) }
            for line in listeners.startLines { print(line) }
            fflush(nil)
        }
        print("wharf stopped")
    }

    /// serve's listeners: Kafka must bind (serve exists for it); AMQP and EventStoreDB unless --no-amqp / --no-esdb.
    private func listenerPlan() -> ListenerPlan {
        var kafka = KafkaServer.Configuration()
        kafka.listeners = listen.listeners
        security.apply(to: &kafka, dataDirectory: data.directory)
        kafka.advertisedHost = advertisedHost
        kafka.autoCreateTopics = autoCreateTopics
        kafka.autoCreatePartitions = defaultPartitions
        kafka.limits = listener.limits
        let addresses = listen
        return ListenerPlan(kafka: kafka, kafkaRequired: true, describeKafka: { addresses.describe($0) },
                            amqp: amqp.request(security: security), esdb: esdb.request(advertisedHost: advertisedHost, security: security.esdb(dataDirectory: data.directory)))
    }
}
