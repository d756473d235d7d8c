import Foundation
import WharfDashboard
import WharfDemo
import WharfEngine
import WharfStorage

/// `wharf demo`: `DemoWorld`'s live traffic in a fresh temporary data directory, under the
/// dashboard; the directory is removed on exit unless `keep`.
public enum DemoRunner {
    /// `limits`: the engine's; `settings`: the dashboard's for the demo's directory;
    /// `requireTerminal` runs once the world started. Returns the directory.
    public static func run(limits: (inout EngineConfig) -> Void, settings: (String) -> DashboardSettings, theme: Theme, keep: Bool,
                           requireTerminal: () throws -> Void) async throws -> String {
        let dir = NSTemporaryDirectory() + "wharf-demo-\(getpid())"
        try? FileManager.default.removeItem(atPath: dir)
        var config = EngineConfig(dataDirectory: dir, fsync: .interval(milliseconds: 1000))
        limits(&config)
        let world = try await DemoWorld.start(config: config)
        try requireTerminal()
        try await DashboardRunner.run(engine: world.engine, queues: world.queues, events: world.events, projections: world.projections,
                                      source: "demo · \(dir)", settings: settings(dir), theme: theme, logFile: dir + "/wharf.log",
                                      outboxes: [world.orders.dashboardOutbox])
        try await world.stop()
        if !keep { try? FileManager.default.removeItem(atPath: dir) }
        return dir
    }
}
