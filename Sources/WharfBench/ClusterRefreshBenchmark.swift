import KafkaProtocol
import WharfClusterSource
import WharfCore
import WharfKafkaClient
import WharfSources

/// What one dashboard refresh of a large cluster costs over the Kafka protocol: requests per
/// API, time and response bytes (`wharf bench cluster-refresh`).
public enum ClusterRefreshBenchmark {
    public struct Result: Sendable {
        /// The first refresh: connections, ApiVersions, FindCoordinator, retention and the
        /// dead-letter verdict of every topic are paid once, here.
        public var firstMillis: Double
        public var millis: [Double]
        /// Per refresh, averaged over the measured ones.
        public var requests: [ApiKey: Double]
        public var bytes: [ApiKey: Double]
    }

    /// One dashboard refresh of the whole cluster: exactly what `wharf --bootstrap` does each
    /// refresh interval (`SourceDashboardDriver.readSnapshot` over a `KafkaClusterSource`), with
    /// the caches (time lag, dead-letter verdicts, retention) carried from one refresh to the next
    /// as they are while the dashboard runs.
    static func clusterRefresh(_ driver: SourceDashboardDriver<KafkaClusterSource>) async throws {
        _ = try await driver.readSnapshot()
    }

    /// One warm-up refresh (connection, ApiVersions, FindCoordinator: paid once per client),
    /// then `refreshes` timed ones; counts are the client's, divided by the refreshes.
    public static func measure(_ client: KafkaClient, refreshes: Int) async throws -> Result {
        let driver = SourceDashboardDriver(source: KafkaClusterSource(client: client, clock: SystemClock()), label: "bench", readOnly: true,
                                           waitBudgetMs: 300)
        let firstStart = monotonicNanos()
        try await clusterRefresh(driver)
        let firstMillis = Double(monotonicNanos() - firstStart) / 1e6
        let requestsBefore = await client.requestCounts
        let bytesBefore = await client.responseBytes
        var millis: [Double] = []
        for _ in 0..<refreshes {
            let start = monotonicNanos()
            try await clusterRefresh(driver)
            millis.append(Double(monotonicNanos() - start) / 1e6)
        }
        func perRefresh(_ after: [ApiKey: Int], _ before: [ApiKey: Int]) -> [ApiKey: Double] {
            var out: [ApiKey: Double] = [:]
            for (key, count) in after where count > before[key] ?? 0 { out[key] = Double(count - (before[key] ?? 0)) / Double(refreshes) }
            return out
        }
        return Result(firstMillis: firstMillis, millis: millis, requests: perRefresh(await client.requestCounts, requestsBefore),
                      bytes: perRefresh(await client.responseBytes, bytesBefore))
    }
}
