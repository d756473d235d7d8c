import WharfClusterSource
import WharfCore
import WharfDashboard
import WharfEngine
import WharfKafkaClient
import WharfSources

/// The drivers `serve`, `exporter` and `bench metrics-scrape` refresh the metrics from, built in
/// this one place: issue 16 replaces the drivers' types, and only this file then follows.
public enum MetricsSources {
    /// The embedded engine, read as the dashboard reads it, with the stores beside it (queues,
    /// event streams, projections) and the outboxes it watches.
    public static func engine(_ engine: Engine, label: String, panels: EnginePanels = EnginePanels(),
                       outboxes: [DashboardOutbox] = []) -> any DashboardDriver {
        SourceDashboardDriver(source: EngineSource(engine: engine), label: label, readOnly: true, panels: panels, outboxes: outboxes)
    }

    /// A Kafka-protocol cluster, read as `wharf --bootstrap` reads it.
    public static func cluster(_ client: KafkaClient, label: String) -> ClusterMetricsSource {
        let driver = SourceDashboardDriver(source: KafkaClusterSource(client: client, clock: SystemClock()), label: label, readOnly: true)
        return ClusterMetricsSource(driver: driver, read: { try await driver.readSnapshot() }, close: {
            await driver.close()
            await client.close()
        })
    }
}

/// A cluster driver, one refresh of it that reports its failure (the benchmark), and its close.
public struct ClusterMetricsSource: Sendable {
    public let driver: any DashboardDriver
    public let read: @Sendable () async throws -> ClusterSnapshot
    public let close: @Sendable () async -> Void
}
