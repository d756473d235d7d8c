import ArgumentParser
import Foundation
import WharfAuth
import WharfDashboard
import WharfESDBServer
import WharfKafkaServer
import WharfTerminal

/// Options shared by `wharf` (the dashboard) and `wharf demo`.
struct DashboardOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Theme name (from themes/) or path to a .toml file. Default: the built-in dark theme.", valueName: "name|path"))
    var theme: String?
    @Option(help: "Refresh interval in milliseconds (+/- change it while running).") var refresh: Int = 1000
    @Flag(name: .customLong("read-only"), help: "Hide and disable every action that changes data (reset, undo, purge, requeue); the Kafka listener refuses writes.")
    var readOnly = false
    @Option(name: .customLong("kafka-listen"),
            help: ArgumentHelp("Also serve Kafka clients on these listeners: host:port or PROTOCOL://host:port, comma-separated (as serve --listen).",
                               valueName: "listeners"))
    var kafkaListen = KafkaListenerList(argument: "127.0.0.1:9092")!
    @OptionGroup(title: "Kafka listener security") var security: ListenerSecurityOptions
    @Flag(name: .customLong("no-kafka"), help: "Do not start the Kafka listener.") var noKafka = false
    @OptionGroup(title: "AMQP (Azure Service Bus) listener") var amqp: AMQPListenerOptions
    @OptionGroup(title: "EventStoreDB (gRPC) listener") var esdb: ESDBListenerOptions
    @OptionGroup(title: "Kafka listener limits") var listener: ListenerLimitOptions
    @OptionGroup(title: "Engine limits") var engineLimits: EngineLimitOptions
    @OptionGroup(title: "Metrics") var metrics: MetricsOptions

    func validate() throws {
        guard (100...60_000).contains(refresh) else { throw ValidationError("--refresh must be between 100 and 60000 ms") }
    }

    func loadTheme() throws -> Theme {
        do { return try ThemeLoader.load(nameOrPath: theme) } catch { throw ValidationError("\(error)") }
    }

    /// curses needs a terminal; scripts are pointed at the commands that print (`hint`).
    func requireTerminal(hint: String) throws {
        guard isatty(1) == 1 else {
            throw ValidationError("the dashboard needs a terminal on stdout; for scripts use \(hint) (see wharf --help)")
        }
    }

    /// What the runners need from these options; the dashboard's own listeners exist only over a
    /// data directory (`dataDirectory`), and `--read-only` holds on them (`DashboardSettings`).
    func settings(dataDirectory: String?) -> DashboardSettings {
        DashboardSettings(readOnly: readOnly, refreshMs: refresh, metricsListen: metrics.metricsListen.map { ($0.host, $0.port) },
                          ownListeners: dataDirectory.map(listenerPlan))
    }

    /// The listeners over `dataDirectory`: Kafka unless --no-kafka, AMQP and gRPC unless --no-amqp / --no-esdb.
    private func listenerPlan(_ dataDirectory: String) -> ListenerPlan {
        var kafka: KafkaServer.Configuration?
        if !noKafka {
            var config = KafkaServer.Configuration()
            config.listeners = kafkaListen.listeners
            security.apply(to: &config, dataDirectory: dataDirectory)
            config.limits = listener.limits
            kafka = config
        }
        let addresses = kafkaListen
        return ListenerPlan(kafka: kafka, kafkaRequired: false, describeKafka: { addresses.describe($0) }, amqp: amqp.request(security: security),
                            esdb: esdb.request(advertisedHost: nil, security: security.esdb(dataDirectory: dataDirectory)))
    }
}
