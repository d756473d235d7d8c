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
            r.lines(shape: shape.shape, overKafka: cluster).forEach { print($0) }
        }
    }
}
