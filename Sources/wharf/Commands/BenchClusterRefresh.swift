import ArgumentParser
import Foundation
import KafkaProtocol
import Logging
import WharfCore
import WharfEngine
import WharfKafkaClient
import WharfKafkaServer
import WharfClusterSource
import WharfSources

extension BenchCommand {
    /// What one dashboard refresh of a large cluster costs over the Kafka protocol: requests per
    /// API, time and response bytes, against an in-process `wharf serve` (issue #7, "Scale").
    struct ClusterRefresh: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "cluster-refresh",
            abstract: "Cluster refresh over the Kafka protocol: requests, bytes and time per refresh against an in-process wharf serve.")
        @Option(help: "Topics to create.") var topics: Int = 2000
        @Option(help: "Partitions per topic.") var partitions: Int32 = 3
        @Option(help: "Consumer groups with committed offsets.") var groups: Int = 500
        @Option(name: .customLong("topics-per-group"), help: "Topics each group committed to (every partition).") var topicsPerGroup: Int = 4
        @Option(help: "Refreshes to measure (after one warm-up refresh).") var refreshes: Int = 20
        @Option(name: .customLong("offset-fetch-max-version"),
                help: "Highest OffsetFetch version the server advertises (below 8 there is one OffsetFetch per group, as on older brokers).")
        var offsetFetchMaxVersion: Int16 = 9
        @Flag(name: .long) var json = false

        func validate() throws {
            guard topics > 0, partitions > 0, groups >= 0, topicsPerGroup > 0, topicsPerGroup <= topics, refreshes > 0 else {
                throw ValidationError("--topics, --partitions, --topics-per-group (at most --topics) and --refreshes must be positive")
            }
            guard (2...9).contains(offsetFetchMaxVersion) else { throw ValidationError("--offset-fetch-max-version must be 2 to 9") }
        }

        func run() async throws {
            let dir = NSTemporaryDirectory() + "wharf-bench-refresh-\(getpid())"
            try? FileManager.default.removeItem(atPath: dir)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            var logger = Logger(label: "wharf.bench")
            logger.logLevel = .error
            let engine = try Engine.open(config: EngineConfig(dataDirectory: dir, fsync: .never), logger: logger)
            defer { try? engine.close() }
            let setupStart = monotonicNanos()
            try await BenchClusterRefresh.populate(engine, topics: topics, partitions: partitions, groups: groups, topicsPerGroup: topicsPerGroup)
            let setupSeconds = Double(monotonicNanos() - setupStart) / 1e9

            var config = KafkaServer.Configuration()
            config.port = 0
            config.autoCreateTopics = false
            config.apiVersions.ranges[.offsetFetch] = 1...offsetFetchMaxVersion
            let server = KafkaServer(engine: engine, configuration: config, logger: logger)
            let port = try await server.start()
            let client = KafkaClient(bootstrap: [BootstrapAddress(host: "127.0.0.1", port: port)])
            let result: BenchClusterRefresh.Result
            do {
                result = try await BenchClusterRefresh.measure(client, refreshes: refreshes)
            } catch {
                await client.close()
                await server.stop()
                throw error
            }
            await client.close()
            await server.stop()
            try BenchClusterRefresh.report(result, setupSeconds: setupSeconds, command: self)
        }
    }
}

enum BenchClusterRefresh {
    /// One dashboard refresh of the whole cluster: exactly what `wharf --bootstrap` does each
    /// refresh interval (`SourceDashboardDriver.readSnapshot` over a `KafkaClusterSource`), with
    /// the caches (time lag, dead-letter verdicts, retention) carried from one refresh to the next
    /// as they are while the dashboard runs.
    static func clusterRefresh(_ driver: SourceDashboardDriver<KafkaClusterSource>) async throws {
        _ = try await driver.readSnapshot()
    }

    /// Topics "topic-NNNN" with a few records in every partition, and groups "group-NNN" that
    /// committed offset 1 on every partition of `topicsPerGroup` consecutive topics.
    static func populate(_ engine: Engine, topics: Int, partitions: Int32, groups: Int, topicsPerGroup: Int) async throws {
        let names = (0..<topics).map { String(format: "topic-%04d", $0) }
        let records = (0..<3).map { Record(key: nil, value: "record \($0)") }
        for name in names {
            try engine.createTopic(name, .init(partitions: partitions))
            for p in 0..<partitions { _ = try engine.produce(topic: name, records: records, partition: p) }
        }
        for g in 0..<groups {
            var offsets: [TopicPartition: (offset: Int64, metadata: String)] = [:]
            for k in 0..<topicsPerGroup {
                let topic = names[(g * topicsPerGroup + k) % topics]
                for p in 0..<partitions { offsets[TopicPartition(topic, p)] = (1, "") }
            }
            try await engine.coordinator.commit(groupId: String(format: "group-%03d", g), generationId: -1, memberId: "", offsets: offsets)
        }
    }

    struct Result {
        /// The first refresh: connections, ApiVersions, FindCoordinator, retention and the
        /// dead-letter verdict of every topic are paid once, here.
        var firstMillis: Double
        var millis: [Double]
        /// Per refresh, averaged over the measured ones.
        var requests: [ApiKey: Double]
        var bytes: [ApiKey: Double]
    }

    /// One warm-up refresh (connection, ApiVersions, FindCoordinator: paid once per client),
    /// then `refreshes` timed ones; counts are the client's, divided by the refreshes.
    static func measure(_ client: KafkaClient, refreshes: Int) async throws -> Result {
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

    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
    }

    static func report(_ r: Result, setupSeconds: Double, command c: BenchCommand.ClusterRefresh) throws {
        let sorted = r.millis.sorted()
        let p50 = percentile(sorted, 0.5), p90 = percentile(sorted, 0.9), max = sorted.last!
        let apis = r.requests.keys.sorted { $0.rawValue < $1.rawValue }
        let totalRequests = r.requests.values.reduce(0, +)
        let totalBytes = r.bytes.values.reduce(0, +)
        if c.json {
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
                refreshes: c.refreshes, offsetFetchMaxVersion: c.offsetFetchMaxVersion, setupSeconds: setupSeconds,
                perRefresh: apis.map { API(api: $0.displayName, requests: r.requests[$0]!, responseBytes: r.bytes[$0] ?? 0) },
                requestsPerRefresh: totalRequests, responseBytesPerRefresh: totalBytes, firstRefreshMs: r.firstMillis, p50Ms: p50, p90Ms: p90, maxMs: max))
        }
        print(String(format: "cluster-refresh: %d topics x %d partitions, %d groups x %d topics, OffsetFetch up to v%d, %d refreshes (setup %.1f s)",
                     c.topics, Int(c.partitions), c.groups, c.topicsPerGroup, Int(c.offsetFetchMaxVersion), c.refreshes, setupSeconds))
        func line(_ name: String, _ requests: Double, _ bytes: Double) {
            print("  " + name.padding(toLength: 16, withPad: " ", startingAt: 0)
                  + String(format: "%8.1f requests  %10.0f response bytes per refresh", requests, bytes))
        }
        for api in apis { line(api.displayName, r.requests[api]!, r.bytes[api] ?? 0) }
        line("total", totalRequests, totalBytes)
        print(String(format: "  time per refresh: p50 %.1f ms, p90 %.1f ms, max %.1f ms (the first, cold: %.1f ms)", p50, p90, max, r.firstMillis))
    }
}
