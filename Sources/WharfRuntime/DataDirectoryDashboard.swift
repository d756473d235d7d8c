import Foundation
import WharfDashboard
import WharfEngine
import WharfEvents
import WharfProjections
import WharfSources

/// `wharf` on a data directory: opens the engine with its queues, its event store and the
/// outboxes it relays (`outboxURLs`), runs the dashboard over them, and closes everything.
public enum DataDirectoryDashboard {
    /// `requireTerminal`: the command's check that stdout is a terminal, run once the stores are
    /// open; outboxes start relaying only when it is one, so a refused start publishes nothing.
    public static func run(config: EngineConfig, outboxURLs: [String], settings: DashboardSettings, theme: Theme,
                           requireTerminal: () throws -> Void) async throws {
        let directory = config.dataDirectory
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
        do { outboxes = try await DashboardOutboxes.open(urls: outboxURLs, engine: engine, readOnly: settings.readOnly) } catch {
            try? events?.close()
            try? queues.close()
            try? engine.close()
            throw error
        }
        if isatty(1) == 1 { outboxes.start() }
        do {
            try requireTerminal()
            try await DashboardRunner.run(engine: engine, queues: queues, events: events, projections: ProjectionRegistry(dataDirectory: directory),
                                          source: directory, settings: settings, theme: theme, logFile: directory + "/wharf.log",
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
