import Foundation
import KafkaProtocol
import Logging
import WharfCore
import WharfEngine
import WharfKafkaClient
import WharfKafkaServer

/// The size of the cluster the scale benchmarks build (issue #7, "Scale").
public struct ClusterShape: Sendable {
    public var topics: Int
    public var partitions: Int32
    public var groups: Int
    public var topicsPerGroup: Int

    public init(topics: Int, partitions: Int32, groups: Int, topicsPerGroup: Int) {
        self.topics = topics
        self.partitions = partitions
        self.groups = groups
        self.topicsPerGroup = topicsPerGroup
    }
}

/// An engine populated to a `ClusterShape` in a temporary directory, an in-process `wharf serve`
/// on 127.0.0.1 port 0 over it, and a client of that server: what `bench cluster-refresh` and
/// `bench metrics-scrape` measure against. `stop()` closes all three and removes the directory.
public struct BenchCluster: Sendable {
    public let engine: Engine
    public let server: KafkaServer
    public let client: KafkaClient
    public let directory: String
    /// Seconds spent creating the topics and committing the groups' offsets.
    public let setupSeconds: Double

    /// `offsetFetchMaxVersion`: the highest OffsetFetch version the server advertises (below 8
    /// there is one OffsetFetch per group, as on older brokers); nil keeps the server's own.
    public static func start(_ shape: ClusterShape, name: String, offsetFetchMaxVersion: Int16? = nil) async throws -> BenchCluster {
        let dir = NSTemporaryDirectory() + "\(name)-\(getpid())"
        try? FileManager.default.removeItem(atPath: dir)
        var logger = Logger(label: "wharf.bench")
        logger.logLevel = .error
        let engine: Engine
        do { engine = try Engine.open(config: EngineConfig(dataDirectory: dir, fsync: .never), logger: logger) } catch {
            try? FileManager.default.removeItem(atPath: dir)
            throw error
        }
        do {
            let setupStart = monotonicNanos()
            try await populate(engine, shape)
            let setupSeconds = Double(monotonicNanos() - setupStart) / 1e9
            var config = KafkaServer.Configuration()
            config.port = 0
            config.autoCreateTopics = false
            if let offsetFetchMaxVersion { config.apiVersions.ranges[.offsetFetch] = 1...offsetFetchMaxVersion }
            let server = KafkaServer(engine: engine, configuration: config, logger: logger)
            let port = try await server.start()
            let client = KafkaClient(bootstrap: [BootstrapAddress(host: "127.0.0.1", port: port)])
            return BenchCluster(engine: engine, server: server, client: client, directory: dir, setupSeconds: setupSeconds)
        } catch {
            try? engine.close()
            try? FileManager.default.removeItem(atPath: dir)
            throw error
        }
    }

    public func stop() async {
        await client.close()
        await server.stop()
        try? engine.close()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Runs `body`, then stops the cluster whether it threw or not.
    public func run<T>(_ body: (BenchCluster) async throws -> T) async throws -> T {
        try await withAsyncCleanup { try await body(self) } cleanup: { await stop() }
    }

    /// Topics "topic-NNNN" with a few records in every partition, and groups "group-NNN" that
    /// committed offset 1 on every partition of `topicsPerGroup` consecutive topics.
    static func populate(_ engine: Engine, _ shape: ClusterShape) async throws {
        let names = (0..<shape.topics).map { String(format: "topic-%04d", $0) }
        let records = (0..<3).map { Record(key: nil, value: "record \($0)") }
        for name in names {
            try engine.createTopic(name, .init(partitions: shape.partitions))
            for p in 0..<shape.partitions { _ = try engine.produce(topic: name, records: records, partition: p) }
        }
        for g in 0..<shape.groups {
            var offsets: [TopicPartition: (offset: Int64, metadata: String)] = [:]
            for k in 0..<shape.topicsPerGroup {
                let topic = names[(g * shape.topicsPerGroup + k) % shape.topics]
                for p in 0..<shape.partitions { offsets[TopicPartition(topic, p)] = (1, "") }
            }
            try await engine.coordinator.commit(groupId: String(format: "group-%03d", g), generationId: -1, memberId: "", offsets: offsets)
        }
    }
}

/// The value below which a share `p` of the (sorted, non-empty) samples lie.
public func percentile(_ sorted: [Double], _ p: Double) -> Double {
    sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
}
