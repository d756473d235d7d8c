import WharfDashboard
import WharfEngine
import WharfEvents
import WharfMetrics
import WharfProjections
import WharfSources
import WharfTerminal

/// Runs the terminal app over the engine, with engine upkeep (retention, fsync intervals,
/// group session timeouts) on a timer, and logs sent to a file while curses owns the screen.
/// The caller has checked that stdout is a terminal.
public enum DashboardRunner {
    public static func run(engine: Engine, queues: QueueStore, events: EventStore? = nil, projections: ProjectionRegistry? = nil, source: String,
                           settings: DashboardSettings, theme: Theme, logFile: String, outboxes: [DashboardOutbox] = []) async throws {
        // Listeners asked for explicitly (and the metrics) must bind, so a taken port stops the
        // dashboard before curses starts; a taken default port shows in the header instead.
        let listeners = try await ListenerSet.start(settings.listeners, engine: engine, queues: queues, events: events,
                                                    metrics: settings.metricsListen)
        let upkeep = EngineUpkeep.start(engine) {
            _ = try? queues.tick()
            events?.runMaintenance()
        }
        let restoreStderr = StderrRedirect(to: logFile)
        let driver = SourceDashboardDriver(source: EngineSource(engine: engine), label: source, readOnly: settings.readOnly,
                                           panels: EnginePanels(queues: queues, events: events, projections: projections),
                                           outboxes: outboxes, listeners: { listeners.statuses() })
        await runTerminal(theme: theme, settings: settings, driver: driver, metrics: listeners.metrics)
        restoreStderr.restore()
        await listeners.stop()
        await upkeep.stop()
    }

    /// The terminal loop; the dashboard's own refresh feeds the metrics, so a scrape never reads
    /// the source again.
    static func runTerminal(theme: Theme, settings: DashboardSettings, driver: some DashboardDriver, metrics: MetricsEndpoint?) async {
        let state = DashboardState(capabilities: driver.capabilities, readOnly: settings.readOnly, refreshMs: settings.refreshMs)
        if let metrics {
            await runTerminal(theme: theme, state: state, driver: MetricsRecordingDriver(driver, feed: metrics.feed))
        } else {
            await runTerminal(theme: theme, state: state, driver: driver)
        }
    }

    @MainActor static func runTerminal(theme: Theme, state: DashboardState, driver: some DashboardDriver) async {
        await TerminalApp(theme: theme).run(initial: state, driver: driver)
    }
}
