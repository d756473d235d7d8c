import KafkaProtocol
import WharfCore

extension KafkaClient {
    /// ListOffsets special timestamps.
    public static let latestTimestamp: Int64 = -1
    public static let earliestTimestamp: Int64 = -2

    /// The offset for `timestamp` (or -1 latest / -2 earliest) of each partition: one request
    /// per leader broker for all its partitions.
    public func listOffsets(_ partitions: [TopicPartition], timestamp: Int64) async throws(KafkaClientError) -> [TopicPartition: Int64] {
        try await withRetry { () async throws(KafkaClientError) -> [TopicPartition: Int64] in
            let routes = try await byLeader(partitions)
            let perNode = try await perNode(routes.keys) { (node: Int32) async throws(KafkaClientError) -> [TopicPartition: Int64] in
                var request = ListOffsetsRequest()
                request.replicaId = -1
                var byTopic: [String: [ListOffsetsRequest.ListOffsetsPartition]] = [:]
                for tp in routes[node]! {
                    var p = ListOffsetsRequest.ListOffsetsPartition()
                    p.partitionIndex = tp.partition
                    p.currentLeaderEpoch = -1
                    p.timestamp = timestamp
                    p.maxNumOffsets = 1
                    byTopic[tp.topic, default: []].append(p)
                }
                request.topics = byTopic.map { ListOffsetsRequest.ListOffsetsTopic(name: $0.key, partitions: $0.value) }
                let r = try await self.send(request, to: .node(node))
                var out: [TopicPartition: Int64] = [:]
                for t in r.topics {
                    for p in t.partitions {
                        guard p.errorCode == 0 else { throw .broker(api: "ListOffsets", code: p.errorCode, context: "\(t.name)/\(p.partitionIndex)") }
                        out[TopicPartition(t.name, p.partitionIndex)] = p.offset
                    }
                }
                return out
            }
            return perNode.values.reduce(into: [:]) { $0.merge($1) { a, _ in a } }
        }
    }

    /// Log start and end of each partition: two ListOffsets per leader broker, sent together.
    public func logOffsets(_ partitions: [TopicPartition]) async throws(KafkaClientError) -> [TopicPartition: (start: Int64, end: Int64)] {
        async let startsTask = listOffsetsResult(partitions, timestamp: Self.earliestTimestamp)
        let ends = try await listOffsets(partitions, timestamp: Self.latestTimestamp)
        let starts = try await startsTask.get()
        var out: [TopicPartition: (start: Int64, end: Int64)] = [:]
        for (tp, end) in ends { out[tp] = (starts[tp] ?? 0, end) }
        return out
    }

    /// DeleteRecords: everything below `offset` goes. Returns each partition's new log start.
    public func deleteRecords(_ offsets: [TopicPartition: Int64]) async throws(KafkaClientError) -> [TopicPartition: Int64] {
        try await withRetry { () async throws(KafkaClientError) -> [TopicPartition: Int64] in
            let routes = try await byLeader(offsets.keys)
            let perNode = try await perNode(routes.keys) { (node: Int32) async throws(KafkaClientError) -> [TopicPartition: Int64] in
                var request = DeleteRecordsRequest()
                request.timeoutMs = 30_000
                var byTopic: [String: [DeleteRecordsRequest.DeleteRecordsPartition]] = [:]
                for tp in routes[node]! {
                    byTopic[tp.topic, default: []].append(.init(partitionIndex: tp.partition, offset: offsets[tp]!))
                }
                request.topics = byTopic.map { .init(name: $0.key, partitions: $0.value) }
                let r = try await self.send(request, to: .node(node))
                var out: [TopicPartition: Int64] = [:]
                for t in r.topics {
                    for p in t.partitions {
                        guard p.errorCode == 0 else { throw .broker(api: "DeleteRecords", code: p.errorCode, context: "\(t.name)/\(p.partitionIndex)") }
                        out[TopicPartition(t.name, p.partitionIndex)] = p.lowWatermark
                    }
                }
                return out
            }
            return perNode.values.reduce(into: [:]) { $0.merge($1) { a, _ in a } }
        }
    }
}

extension KafkaClient {
    func listOffsetsResult(_ partitions: [TopicPartition], timestamp: Int64) async -> Result<[TopicPartition: Int64], KafkaClientError> {
        do { return .success(try await listOffsets(partitions, timestamp: timestamp)) } catch { return .failure(error) }
    }
}
