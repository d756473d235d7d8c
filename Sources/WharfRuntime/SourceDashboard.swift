import WharfDashboard
import WharfEngine

/// The dashboard on a command's `SourceLocation`: a data directory's engine with its stores and
/// listeners (`DataDirectoryDashboard`), or a cluster watched over the wire
/// (`ClusterDashboardRunner`). The command does not know which it has.
public enum SourceDashboard {
    /// `limits`: the engine's (a data directory only). `requireTerminal` runs before the dashboard
    /// takes the screen: on a cluster before connecting, on a data directory once the engine
    /// opened (so a locked directory is reported first).
    public static func run(_ location: SourceLocation, limits: (inout EngineConfig) -> Void, outboxURLs: [String],
                           settings: DashboardSettings, theme: Theme, requireTerminal: () throws -> Void) async throws {
        switch location {
        case .cluster(let configuration):
            try requireTerminal()
            try await ClusterDashboardRunner.run(kafka: configuration, settings: settings, theme: theme, outboxURLs: outboxURLs)
        case .dataDirectory(let directory, let fsync):
            var config = EngineConfig(dataDirectory: directory, fsync: fsync)
            limits(&config)
            try await DataDirectoryDashboard.run(config: config, outboxURLs: outboxURLs, settings: settings, theme: theme,
                                                 requireTerminal: requireTerminal)
        }
    }
}
