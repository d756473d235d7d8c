import KafkaProtocol
import WharfCore

extension KafkaClient {
    /// Bytes on disk of each partition's leader replica: DescribeLogDirs, one request per leader
    /// broker naming only the partitions it leads (so a follower's copy is never counted), sent
    /// to all leaders at once. A partition no broker reports (an offline log directory) is absent.
    /// Throws `.unsupported` when a broker lacks the API (some Kafka-protocol services do) and
    /// `.broker` when it refuses (CLUSTER_AUTHORIZATION_FAILED without DESCRIBE on the cluster).
    public func partitionSizes(_ partitions: [TopicPartition]) async throws(KafkaClientError) -> [TopicPartition: Int64] {
        try await withRetry { () async throws(KafkaClientError) -> [TopicPartition: Int64] in
            let routes = try await byLeader(partitions)
            let perNode = try await perNode(routes.keys) { (node: Int32) async throws(KafkaClientError) -> [TopicPartition: Int64] in
                var byTopic: [String: [Int32]] = [:]
                for tp in routes[node]! { byTopic[tp.topic, default: []].append(tp.partition) }
                let request = DescribeLogDirsRequest(topics: byTopic.map { .init(topic: $0.key, partitions: $0.value) })
                let r = try await self.send(request, to: .node(node))
                guard r.errorCode == 0 else { throw .broker(api: "DescribeLogDirs", code: r.errorCode, context: "broker \(node)") }
                var out: [TopicPartition: Int64] = [:]
                // A directory with an error (offline disk) reports nothing; a "future" log is a
                // copy being moved between directories, not the replica in use.
                for dir in r.results where dir.errorCode == 0 {
                    for t in dir.topics {
                        for p in t.partitions where !p.isFutureKey {
                            out[TopicPartition(t.name, p.partitionIndex)] = p.partitionSize
                        }
                    }
                }
                return out
            }
            return perNode.values.reduce(into: [:]) { $0.merge($1) { a, _ in a } }
        }
    }
}
