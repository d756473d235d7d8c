import WharfDashboard

/// A dashboard driver that hands every snapshot the dashboard takes to a `MetricsFeed`, so the
/// dashboard's refresh is also the metrics' refresh (no second walk of the source). Effects and
/// capabilities are the wrapped driver's.
public struct MetricsRecordingDriver<Base: DashboardDriver>: DashboardDriver {
    public let base: Base
    public let feed: MetricsFeed

    public init(_ base: Base, feed: MetricsFeed) {
        self.base = base
        self.feed = feed
    }

    public func snapshot() async -> ClusterSnapshot {
        let snapshot = await base.snapshot()
        await feed.record(snapshot)
        return snapshot
    }

    public func perform(_ effect: Effect) async -> Action? { await base.perform(effect) }

    public var capabilities: SourceCapabilities { base.capabilities }
}

/// Where no dashboard refreshes (`wharf serve`, `wharf exporter`): takes a snapshot from the
/// driver every `intervalMs` into the feed, until cancelled.
public enum MetricsRefresher {
    public static func run(driver: some DashboardDriver, feed: MetricsFeed, intervalMs: Int) async {
        while !Task.isCancelled {
            await feed.record(await driver.snapshot())
            try? await Task.sleep(for: .milliseconds(intervalMs))
        }
    }
}
