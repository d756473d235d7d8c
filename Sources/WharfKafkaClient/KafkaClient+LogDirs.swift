import KafkaProtocol
import WharfCore

/// What DescribeLogDirs says: the bytes of each partition's leader replica, and each broker's
/// log directories with the space left on their volumes.
public struct LogDirsReport: Sendable, Equatable {
    public struct Volume: Sendable, Equatable {
        public var broker: Int32
        public var logDir: String
        /// The volume's size and the space writable on it (DescribeLogDirs v4); -1 when the
        /// broker is older or does not know.
        public var totalBytes: Int64
        public var usableBytes: Int64
    }

    public var sizes: [TopicPartition: Int64] = [:]
    public var volumes: [Volume] = []

    /// Empty: no sizes, no volumes (what a broker without DescribeLogDirs leaves).
    public init(sizes: [TopicPartition: Int64] = [:], volumes: [Volume] = []) {
        self.sizes = sizes
        self.volumes = volumes
    }

    /// The volume with the smallest share of free space, the one that fills first.
    public var fullestVolume: Volume? {
        volumes.filter { $0.totalBytes > 0 && $0.usableBytes >= 0 }
            .min { Double($0.usableBytes) / Double($0.totalBytes) < Double($1.usableBytes) / Double($1.totalBytes) }
    }
}

extension KafkaClient {
    /// DescribeLogDirs to every broker at once, each asked only for the partitions it leads (so a
    /// follower's copy is never counted, and a broker leading nothing still reports its disks).
    /// A partition no broker reports (an offline log directory) has no size. Throws
    /// `.unsupported` when a broker lacks the API (some Kafka-protocol services do) and `.broker`
    /// when it refuses (CLUSTER_AUTHORIZATION_FAILED without DESCRIBE on the cluster).
    public func describeLogDirs(_ partitions: [TopicPartition]) async throws(KafkaClientError) -> LogDirsReport {
        try await withRetry { () async throws(KafkaClientError) -> LogDirsReport in
            var leading = try await byLeader(partitions)
            for node in try await currentMetadata().brokers.keys where leading[node] == nil { leading[node] = [] }
            let routes = leading
            let perNode = try await perNode(routes.keys) { (node: Int32) async throws(KafkaClientError) -> LogDirsReport in
                var byTopic: [String: [Int32]] = [:]
                for tp in routes[node]! { byTopic[tp.topic, default: []].append(tp.partition) }
                let request = DescribeLogDirsRequest(topics: byTopic.map { .init(topic: $0.key, partitions: $0.value) })
                let r = try await self.send(request, to: .node(node))
                guard r.errorCode == 0 else { throw .broker(api: "DescribeLogDirs", code: r.errorCode, context: "broker \(node)") }
                var out = LogDirsReport()
                // A directory with an error (offline disk) reports nothing; a "future" log is a
                // copy being moved between directories, not the replica in use.
                for dir in r.results where dir.errorCode == 0 {
                    out.volumes.append(.init(broker: node, logDir: dir.logDir, totalBytes: dir.totalBytes, usableBytes: dir.usableBytes))
                    for t in dir.topics {
                        for p in t.partitions where !p.isFutureKey {
                            out.sizes[TopicPartition(t.name, p.partitionIndex)] = p.partitionSize
                        }
                    }
                }
                return out
            }
            var report = LogDirsReport()
            for node in perNode.keys.sorted() {
                report.sizes.merge(perNode[node]!.sizes) { a, _ in a }
                report.volumes += perNode[node]!.volumes
            }
            return report
        }
    }
}
