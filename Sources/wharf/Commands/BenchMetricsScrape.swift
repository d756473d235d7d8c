import ArgumentParser
import Foundation
import WharfBench

extension BenchCommand {
    /// What one Prometheus scrape costs at scale (issue 18): the refresh that feeds it (timed
    /// apart: it runs on the refresh interval, not per scrape), then scrapes over HTTP of a
    /// metrics listener, the first of which renders the snapshot and the rest reuse it.
    struct MetricsScrape: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "metrics-scrape",
            abstract: "Prometheus scrape of --metrics-listen: time and bytes per scrape over HTTP, on a data directory or over --bootstrap of an in-process wharf serve.")
        @OptionGroup var shape: ClusterShapeOptions
        @Option(help: "Scrapes to measure after the first (which renders the snapshot).") var scrapes: Int = 20
        @Flag(help: "Read the engine over the Kafka protocol (as `wharf exporter`) instead of directly (as `wharf serve`).") var cluster = false

        func validate() throws {
            guard shape.isValid, scrapes > 0 else {
                throw ValidationError("--topics, --partitions, --topics-per-group (at most --topics) and --scrapes must be positive")
            }
        }

        func run() async throws {
            let bench = try await BenchCluster.start(shape.shape, name: "wharf-bench-metrics")
            let r = try await bench.run { try await MetricsScrapeBenchmark.measure($0, scrapes: scrapes, overKafka: cluster) }
            let sorted = r.millis.sorted()
            print(String(format: "metrics-scrape (%@): %d topics x %d partitions, %d groups x %d topics",
                         cluster ? "over the Kafka protocol" : "engine", shape.topics, Int(shape.partitions), shape.groups, shape.topicsPerGroup))
            print(String(format: "  refresh feeding the metrics: %.1f ms (once per --metrics-refresh, not per scrape)", r.refreshMillis))
            print(String(format: "  scrape: %d bytes; first (renders the snapshot) %.1f ms; next %d: p50 %.1f ms, max %.1f ms",
                         r.bodyBytes, r.firstScrapeMillis, scrapes, percentile(sorted, 0.5), sorted.last ?? 0))
        }
    }
}
