import ArgumentParser
import Foundation
import WharfOutbox

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
        let location = try cluster.location(data, fsync: fsync)
        // Scripts are pointed at the commands that print, with the same source options.
        let hint = cluster.bootstrap == nil ? "the other commands" : "the other commands with --bootstrap"
        try await SourceDashboard.run(location, limits: { dashboard.engineLimits.apply(to: &$0) }, outboxURLs: outbox,
                                      settings: dashboard.settings(dataDirectory: location.dataDirectory), theme: theme) {
            try dashboard.requireTerminal(hint: hint)
        }
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
        let dir = try await DemoRunner.run(limits: { dashboard.engineLimits.apply(to: &$0) }, settings: { dashboard.settings(dataDirectory: $0) },
                                           theme: theme, keep: keep) { try dashboard.requireTerminal(hint: "the other commands") }
        if keep { print("demo data kept in \(dir)") }
    }
}
