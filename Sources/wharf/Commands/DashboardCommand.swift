import ArgumentParser
import Foundation
import WharfAuth
import WharfCore
import WharfDashboard
import WharfDemo
import WharfEngine
import WharfEvents
import WharfKafkaServer
import WharfMetrics
import WharfOutbox
import WharfProjections
import WharfSources
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
    @OptionGroup(title: "Kafka listener limits") var listener: ListenerLimitOptions
    @OptionGroup(title: "Engine limits") var engineLimits: EngineLimitOptions
    @OptionGroup(title: "Metrics") var metrics: MetricsOptions

    func validate() throws {
        guard (100...60_000).contains(refresh) else { throw ValidationError("--refresh must be between 100 and 60000 ms") }
    }

    func loadTheme() throws -> Theme {
        do { return try ThemeLoader.load(nameOrPath: theme) } catch { throw ValidationError("\(error)") }
    }
}

struct DashboardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "Open the live dashboard on the data directory (the default command).",
        discussion: """
            Keys: ':' command palette, '/' filter, '?' help, Enter drill down, Esc back, q quit.
            With --bootstrap the dashboard watches a Kafka-protocol cluster (Apache Kafka, another \
            machine's wharf serve...) instead of a data directory: topics, groups, lag, records and \
            dead-letter topics, with reset (only of an empty group), purge and requeue over the wire.
            """)

    @OptionGroup var data: DataOptions
    @OptionGroup var cluster: BootstrapOption
    @OptionGroup var fsync: FsyncOptions
    @OptionGroup var dashboard: DashboardOptions
    @Option(name: .customLong("outbox"), help: ArgumentHelp(
        "Relay this outbox (table 'outbox') into the data directory (or the --bootstrap cluster) while the dashboard runs, and show it in the Outbox view (key 6); repeatable. Under --read-only it is only watched.",
        valueName: "sqlite:PATH|postgres://..."))
    var outbox: [String] = []

    func validate() throws {
        try cluster.validate(with: data)
        for url in outbox {
            do { _ = try OutboxDatabaseURL(parsing: url) } catch { throw ValidationError("--outbox: \(error)") }
        }
    }

    func run() async throws {
        let theme = try dashboard.loadTheme()
        if let kafka = try cluster.clientConfiguration() {
            return try await ClusterDashboardRunner.run(kafka: kafka, options: dashboard, theme: theme, outboxURLs: outbox)
        }
        var config = EngineConfig(dataDirectory: data.directory, fsync: try fsync.policy())
        dashboard.engineLimits.apply(to: &config)
        let engine = try Engine.open(config: config)
        let queues: QueueStore
        do { queues = try engine.openQueues() } catch {
            try? engine.close()
            throw error
        }
        // Without its event store the dashboard still shows everything else.
        let events: EventStore?
        do { events = try EventStore.open(alongside: engine) } catch {
            FileHandle.standardError.write(Data("warning: event streams unavailable: \(error)\n".utf8))
            events = nil
        }
        let outboxes: DashboardOutboxes
        do { outboxes = try await DashboardOutboxes.open(urls: outbox, engine: engine, readOnly: dashboard.readOnly) } catch {
            try? events?.close()
            try? queues.close()
            try? engine.close()
            throw error
        }
        // Relays start only once the dashboard can run: a refused start publishes nothing.
        if isatty(1) == 1 { outboxes.start() }
        do {
            try await DashboardRunner.run(engine: engine, queues: queues, events: events,
                                          projections: ProjectionRegistry(dataDirectory: data.directory), source: data.directory,
                                          options: dashboard, theme: theme, logFile: data.directory + "/wharf.log",
                                          outboxes: outboxes.outboxes)
        } catch {
            await outboxes.stop()
            try? events?.close()
            throw error
        }
        await outboxes.stop()
        try? events?.close()
        try queues.close()
        try engine.close()
    }
}

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Open the dashboard on a fresh temporary data directory with live simulated traffic.",
        discussion: """
            Four topics with uneven rates and three consumer groups (billing keeps up, analytics \
            falls behind, fraud-check has stopped), and a queue 'emails' whose handler dead-letters some \
            messages (max delivery count, invalid address, expired one-time codes), all produced and \
            consumed through the real engine. \
            An order service writes orders and their outbox rows in one SQLite transaction, relayed \
            to outbox.event.order by a relay that lags now and then (the Outbox view, key 6). \
            An event-sourced account aggregate has a balances projection that periodically falls \
            behind and a fraud-review subscription that parks large withdrawals (view 7). \
            The data directory is removed on exit unless --keep.
            """)

    @OptionGroup var dashboard: DashboardOptions
    @Flag(help: "Keep the demo's data directory after exit (its path is printed).") var keep = false

    func run() async throws {
        let theme = try dashboard.loadTheme()
        let dir = NSTemporaryDirectory() + "wharf-demo-\(getpid())"
        try? FileManager.default.removeItem(atPath: dir)
        var config = EngineConfig(dataDirectory: dir, fsync: .interval(milliseconds: 1000))
        dashboard.engineLimits.apply(to: &config)
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
        try await DashboardRunner.run(engine: engine, queues: queues, events: events, projections: registry, source: "demo · \(dir)",
                                      options: dashboard, theme: theme, logFile: dir + "/wharf.log",
                                      outboxes: [orders.dashboardOutbox])
        producer.cancel()
        banking.cancel()
        _ = await producer.value
        _ = await banking.value
        orderWriter.cancel()
        orderRelay.cancel()
        _ = await orderWriter.value
        _ = await orderRelay.value
        await orders.close()
        try events.close()
        try queues.close()
        try engine.close()
        if keep { print("demo data kept in \(dir)") } else { try? FileManager.default.removeItem(atPath: dir) }
    }
}

/// Runs the terminal app over the engine, with engine upkeep (retention, fsync intervals,
/// group session timeouts) on a timer, and logs sent to a file while curses owns the screen.
enum DashboardRunner {
    static func run(engine: Engine, queues: QueueStore, events: EventStore? = nil, projections: ProjectionRegistry? = nil, source: String,
                    options: DashboardOptions, theme: Theme, logFile: String, outboxes: [DashboardOutbox] = []) async throws {
        guard isatty(1) == 1 else {
            throw ValidationError("the dashboard needs a terminal on stdout; for scripts use the other commands (see wharf --help)")
        }
        let listener = await KafkaListenerForDashboard.start(engine: engine, options: options)
        // Asked for explicitly, so a taken port stops the dashboard before curses starts.
        var metrics: MetricsEndpoint?
        if let address = options.metrics.metricsListen {
            do { metrics = try await MetricsEndpoint.start(address, kafka: listener.server, storage: true) } catch {
                await listener.server?.stop()
                throw error
            }
        }
        let maintenance = Task {
            while !Task.isCancelled {
                await engine.runMaintenance()
                _ = try? queues.tick()
                events?.runMaintenance()
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
        let restoreStderr = StderrRedirect(to: logFile)
        let driver = SourceDashboardDriver(source: EngineSource(engine: engine), label: source, readOnly: options.readOnly,
                                           panels: EnginePanels(queues: queues, events: events, projections: projections),
                                           outboxes: outboxes, listener: listener.status)
        let state = DashboardState(capabilities: driver.capabilities, readOnly: options.readOnly, refreshMs: options.refresh)
        // The dashboard's own refresh feeds the metrics: a scrape never reads the engine again.
        if let metrics {
            await runTerminal(theme: theme, state: state, driver: MetricsRecordingDriver(driver, feed: metrics.feed))
        } else {
            await runTerminal(theme: theme, state: state, driver: driver)
        }
        restoreStderr.restore()
        await metrics?.stop()
        maintenance.cancel()
        _ = await maintenance.value
        await listener.server?.stop()
    }

    @MainActor static func runTerminal(theme: Theme, state: DashboardState, driver: some DashboardDriver) async {
        await TerminalApp(theme: theme).run(initial: state, driver: driver)
    }
}

/// Points fd 2 at a log file for as long as curses draws on the terminal (anything written to
/// stderr would tear the screen), then puts the terminal back.
struct StderrRedirect {
    private let saved: Int32

    init(to path: String) {
        saved = dup(2)
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, OwnerOnly.fileMode)
        if fd >= 0 {
            dup2(fd, 2)
            close(fd)
        }
    }

    func restore() {
        guard saved >= 0 else { return }
        dup2(saved, 2)
        close(saved)
    }
}

/// The dashboard's own Kafka listener. A port that is taken does not stop the dashboard: the
/// header says why there is no listener instead.
struct KafkaListenerForDashboard: Sendable {
    let server: KafkaServer?
    let status: @Sendable () -> String

    static func start(engine: Engine, options: DashboardOptions) async -> KafkaListenerForDashboard {
        if options.noKafka { return KafkaListenerForDashboard(server: nil, status: { "off" }) }
        var config = KafkaServer.Configuration()
        config.listeners = options.kafkaListen.listeners
        options.security.apply(to: &config, dataDirectory: engine.config.dataDirectory)
        config.limits = options.listener.limits
        // --read-only holds on the wire too: writes get Kafka's authorization errors.
        config.readOnly = options.readOnly
        // Where a SASL listener finds its users (`wharf user add`).
        config.users = UserStore(dataDirectory: engine.config.dataDirectory)
        let server = KafkaServer(engine: engine, configuration: config)
        do {
            try await server.start()
            let address = options.kafkaListen.describe(server.boundListeners)
            return KafkaListenerForDashboard(server: server, status: {
                let n = server.connectionCount
                return "\(address) · \(Output.count(n, "client"))"
            })
        } catch {
            await server.stop()
            let message = "\(error)"
            return KafkaListenerForDashboard(server: nil, status: { "off: \(message)" })
        }
    }
}
