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
        for t in r.topics {
            if t.errorCode == KafkaErrorCode.topicAlreadyExists { throw .refused("topic \(name) already exists") }
            try check("CreateTopics", topic: name, code: t.errorCode, message: t.errorMessage)
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
        for t in r.results {
            if t.errorCode == KafkaErrorCode.unknownTopicOrPartition { throw .notFound("unknown topic \(name)") }
            try check("CreatePartitions", topic: name, code: t.errorCode, message: t.errorMessage)
        }
        _ = try? await refreshMetadata()
    }

    /// A topic's error code in an admin answer: nothing when 0, else the broker's error with the
    /// message it gave.
    private func check(_ api: String, topic name: String, code: Int16, message: String?) throws(KafkaClientError) {
        guard code != 0 else { return }
        throw .broker(api: api, code: code, context: "topic \(name)" + (message.map { " (\($0))" } ?? ""))
    }
}
