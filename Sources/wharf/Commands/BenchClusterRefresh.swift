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
            let sorted = r.millis.sorted()
            let p50 = percentile(sorted, 0.5), p90 = percentile(sorted, 0.9), max = sorted.last!
            let apis = r.requests.keys.sorted { $0.rawValue < $1.rawValue }
            let totalRequests = r.requests.values.reduce(0, +)
            let totalBytes = r.bytes.values.reduce(0, +)
            let c = cluster
            if json {
                struct API: Encodable { let api: String; let requests: Double; let responseBytes: Double }
                struct J: Encodable {
                    let benchmark = "cluster-refresh"
                    let topics: Int; let partitions: Int; let groups: Int; let topicsPerGroup: Int; let refreshes: Int
                    let offsetFetchMaxVersion: Int16; let setupSeconds: Double
                    let perRefresh: [API]; let requestsPerRefresh: Double; let responseBytesPerRefresh: Double
                    let firstRefreshMs: Double; let p50Ms: Double; let p90Ms: Double; let maxMs: Double
                }
                return try Output.json(J(
                    topics: c.topics, partitions: c.topics * Int(c.partitions), groups: c.groups, topicsPerGroup: c.topicsPerGroup,
                    refreshes: refreshes, offsetFetchMaxVersion: offsetFetchMaxVersion, setupSeconds: setupSeconds,
                    perRefresh: apis.map { API(api: $0.displayName, requests: r.requests[$0]!, responseBytes: r.bytes[$0] ?? 0) },
                    requestsPerRefresh: totalRequests, responseBytesPerRefresh: totalBytes, firstRefreshMs: r.firstMillis, p50Ms: p50, p90Ms: p90, maxMs: max))
            }
            print(String(format: "cluster-refresh: %d topics x %d partitions, %d groups x %d topics, OffsetFetch up to v%d, %d refreshes (setup %.1f s)",
                         c.topics, Int(c.partitions), c.groups, c.topicsPerGroup, Int(offsetFetchMaxVersion), refreshes, setupSeconds))
            func line(_ name: String, _ requests: Double, _ bytes: Double) {
                print("  " + name.padding(toLength: 16, withPad: " ", startingAt: 0)
                      + String(format: "%8.1f requests  %10.0f response bytes per refresh", requests, bytes))
            }
            for api in apis { line(api.displayName, r.requests[api]!, r.bytes[api] ?? 0) }
            line("total", totalRequests, totalBytes)
            print(String(format: "  time per refresh: p50 %.1f ms, p90 %.1f ms, max %.1f ms (the first, cold: %.1f ms)", p50, p90, max, r.firstMillis))
        }
    }
}
