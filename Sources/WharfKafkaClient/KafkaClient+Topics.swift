import KafkaProtocol
import WharfCore

extension KafkaClient {
    /// CreateTopics on the controller. `configs` are topic configs ("retention.ms", ...).
    public func createTopic(_ name: String, partitions: Int32, configs: [String: String] = [:]) async throws(KafkaClientError) {
        let version = try await negotiatedVersion(.createTopics)
        var topic = CreateTopicsRequest.CreatableTopic()
        topic.name = name
        topic.numPartitions = partitions
        // -1 (the broker's default replication) exists from v4; before that ask for 1.
        topic.replicationFactor = version >= 4 ? -1 : 1
        topic.configs = configs.keys.sorted().map { .init(name: $0, value: configs[$0]) }
        var request = CreateTopicsRequest()
        request.topics = [topic]
        request.timeoutMs = 30_000
        let r = try await send(request, to: .controller)
        for t in r.topics where t.errorCode != 0 {
            if t.errorCode == KafkaErrorCode.topicAlreadyExists { throw .refused("topic \(name) already exists") }
            throw .broker(api: "CreateTopics", code: t.errorCode, context: "topic \(name)" + (t.errorMessage.map { " (\($0))" } ?? ""))
        }
        _ = try? await refreshMetadata()
    }

    /// DeleteTopics on the controller.
    public func deleteTopic(_ name: String) async throws(KafkaClientError) {
        let version = try await negotiatedVersion(.deleteTopics)
        var request = DeleteTopicsRequest()
        request.timeoutMs = 30_000
        if version >= 6 { request.topics = [.init(name: name, topicId: KafkaUUID(high: 0, low: 0))] } else { request.topicNames = [name] }
        let r = try await send(request, to: .controller)
        for t in r.responses where t.errorCode != 0 {
            if t.errorCode == KafkaErrorCode.unknownTopicOrPartition { throw .notFound("unknown topic \(name)") }
            throw .broker(api: "DeleteTopics", code: t.errorCode, context: "topic \(name)")
        }
        _ = try? await refreshMetadata()
    }

    /// CreatePartitions on the controller: grows `name` to `count` partitions in all (the broker
    /// places the new ones). A count not above the current one is the broker's INVALID_PARTITIONS,
    /// with its message.
    public func createPartitions(_ name: String, totalCount count: Int32) async throws(KafkaClientError) {
        var topic = CreatePartitionsRequest.CreatePartitionsTopic()
        topic.name = name
        topic.count = count
        topic.assignments = nil
        var request = CreatePartitionsRequest()
        request.topics = [topic]
        request.timeoutMs = 30_000
        let r = try await send(request, to: .controller)
        for t in r.results where t.errorCode != 0 {
            if t.errorCode == KafkaErrorCode.unknownTopicOrPartition { throw .notFound("unknown topic \(name)") }
            throw .broker(api: "CreatePartitions", code: t.errorCode, context: "topic \(name)" + (t.errorMessage.map { " (\($0))" } ?? ""))
        }
        _ = try? await refreshMetadata()
    }
}
