import ArgumentParser
import KafkaProtocol
import WharfBench

extension BenchCommand {
    /// What one dashboard refresh of a large cluster costs over the Kafka protocol: requests per
    /// API, time and response bytes, against an in-process `wharf serve` (issue #7, "Scale").
    struct ClusterRefresh: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "cluster-refresh",
            abstract: "Cluster refresh over the Kafka protocol: requests, bytes and time per refresh against an in-process wharf serve.")
        @OptionGroup var cluster: ClusterShapeOptions
        @Option(help: "Refreshes to measure (after one warm-up refresh).") var refreshes: Int = 20
        @Option(name: .customLong("offset-fetch-max-version"),
                help: "Highest OffsetFetch version the server advertises (below 8 there is one OffsetFetch per group, as on older brokers).")
        var offsetFetchMaxVersion: Int16 = 9
        @Flag(name: .long) var json = false

        func validate() throws {
            guard cluster.isValid, refreshes > 0 else {
                throw ValidationError("--topics, --partitions, --topics-per-group (at most --topics) and --refreshes must be positive")
            }
            guard (2...9).contains(offsetFetchMaxVersion) else { throw ValidationError("--offset-fetch-max-version must be 2 to 9") }
        }

        func run() async throws {
            let bench = try await BenchCluster.start(cluster.shape, name: "wharf-bench-refresh", offsetFetchMaxVersion: offsetFetchMaxVersion)
            let result = try await bench.run { try await ClusterRefreshBenchmark.measure($0.client, refreshes: refreshes) }
            try report(result, setupSeconds: bench.setupSeconds)
        }

        func report(_ r: ClusterRefreshBenchmark.Result, setupSeconds: Double) throws {
            let report = ClusterRefreshBenchmark.Report(r, shape: cluster.shape, refreshes: refreshes, offsetFetchMaxVersion: offsetFetchMaxVersion,
                                                        setupSeconds: setupSeconds)
            if json { return try Output.json(report) }
            report.lines.forEach { print($0) }
        }
    }
}
