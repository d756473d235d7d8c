import KafkaProtocol
import WharfCore
import WharfEngine

/// Topic administration over the wire: CreateTopics, DeleteTopics, DescribeConfigs.
extension KafkaBroker {
    /// Each creation is audited as `actor`'s (validateOnly changes nothing and is not).
    func createTopics(_ r: CreateTopicsRequest, actor: AuditActor) -> CreateTopicsResponse {
        var response = CreateTopicsResponse()
        response.topics = r.topics.map { t in
            var result = CreateTopicsResponse.CreatableTopicResult()
            result.name = t.name
            let partitions: Int32
            switch replicaAssignmentPartitions(t) {
            case .failure(let refusal):
                result.errorCode = refusal.code
                result.errorMessage = refusal.message
                return result
            case .success(let assigned):
                partitions = assigned ?? (t.numPartitions <= 0 ? configuration.autoCreatePartitions : t.numPartitions)
            }
            var settings = Engine.TopicSettings(partitions: partitions)
            result.numPartitions = partitions
            result.replicationFactor = 1
            do throws(TopicConfigs.Refusal) {
                for c in t.configs { try TopicConfigs.apply(c.name, c.value, to: &settings) }
            } catch {
                result.errorCode = error.code
                result.errorMessage = error.message
                return result
            }
            do {
                if r.validateOnly { try engine.checkNewTopic(t.name, settings) } else { try engine.createTopic(t.name, settings, actor: actor) }
            } catch {
                result.errorCode = KafkaError.code(error)
                result.errorMessage = "\(error)"
            }
            return result
        }
        return response
    }

    /// A CreateTopics entry with replica assignments: its partition count is the number of
    /// assignments, which must be partitions 0, 1, ..., n-1, each placed on this broker alone
    /// (INVALID_REPLICA_ASSIGNMENT otherwise), with no count of its own besides (-1, as Kafka
    /// requires; INVALID_REQUEST). nil without assignments.
    func replicaAssignmentPartitions(_ t: CreateTopicsRequest.CreatableTopic) -> Result<Int32?, TopicConfigs.Refusal> {
        guard !t.assignments.isEmpty else { return .success(nil) }
        guard t.numPartitions <= 0, let count = Int32(exactly: t.assignments.count) else {
            return .failure(.init(code: KafkaError.invalidRequest, message: "both numPartitions and replica assignments given"))
        }
        let indexes = Set(t.assignments.map(\.partitionIndex))
        guard indexes.count == t.assignments.count, indexes.allSatisfy({ $0 >= 0 && $0 < count }) else {
            return .failure(.init(code: KafkaError.invalidReplicaAssignment, message: "replica assignments must name partitions 0 to \(count - 1) once each"))
        }
        guard t.assignments.allSatisfy({ !$0.brokerIds.isEmpty && $0.brokerIds.allSatisfy { $0 == nodeId } }) else {
            return .failure(.init(code: KafkaError.invalidReplicaAssignment, message: "this cluster has one broker, id \(nodeId)"))
        }
        return .success(count)
    }

    /// DeleteTopics v0-6. From v6 (KIP-516) a topic is named by its name or by its topic id, so
    /// an admin that saw one incarnation of a topic cannot delete the next one by mistake: an id
    /// no topic has is UNKNOWN_TOPIC_ID, a name and an id together INVALID_REQUEST, as Kafka
    /// answers; v6 answers carry each deleted topic's id.
    func deleteTopics(_ r: DeleteTopicsRequest, version: Int16, actor: AuditActor) -> DeleteTopicsResponse {
        let targets = version >= 6 ? r.topics : r.topicNames.map { DeleteTopicsRequest.DeleteTopicState(name: $0) }
        var response = DeleteTopicsResponse()
        response.responses = targets.map { target in
            var result = DeleteTopicsResponse.DeletableTopicResult()
            result.name = target.name
            result.topicId = target.topicId
            let name: String
            switch (target.name, target.topicId == .zero) {
            case (let given?, true):
                name = given
            case (_?, false):
                result.errorCode = KafkaError.invalidRequest
                result.errorMessage = "a topic is named by its name or by its id, not both"
                return result
            case (nil, false):
                guard let found = engine.topicName(forId: (target.topicId.high, target.topicId.low)) else {
                    result.errorCode = KafkaError.unknownTopicId
                    result.errorMessage = "no topic has id \(target.topicId)"
                    return result
                }
                name = found
                result.name = found
            case (nil, true):
                result.errorCode = KafkaError.invalidRequest
                result.errorMessage = "neither a topic name nor a topic id"
                return result
            }
            if version >= 6, result.topicId == .zero, let id = try? engine.topicId(name) {
                result.topicId = KafkaUUID(high: id.high, low: id.low)
            }
            do { try engine.deleteTopic(name, actor: actor) } catch {
                result.errorCode = KafkaError.code(error)
                result.errorMessage = "\(error)"
            }
            return result
        }
        return response
    }

    /// The topic configs Wharf applies (`TopicConfigs.honoured`), each with its source: the
    /// topic's own (DYNAMIC_TOPIC_CONFIG) or the broker's default (DEFAULT_CONFIG). Brokers get
    /// an empty list.
    func describeConfigs(_ r: DescribeConfigsRequest) -> DescribeConfigsResponse {
        var response = DescribeConfigsResponse()
        response.results = r.resources.map { resource in
            var result = DescribeConfigsResponse.DescribeConfigsResult()
            result.resourceType = resource.resourceType
            result.resourceName = resource.resourceName
            switch resource.resourceType {
            case ConfigResource.topic: break
            case ConfigResource.broker, ConfigResource.brokerLogger: return result
            default:
                // Group (32, Kafka 4.0's group configs), client metrics (16) and unknown types:
                // what a Kafka without them answers, as the alter paths do (librdkafka 2.15's
                // 0081 expects it from a broker before 4.0).
                result.errorCode = KafkaError.invalidRequest
                result.errorMessage = "unsupported resource type \(resource.resourceType)"
                return result
            }
            do {
                let d = try engine.describeTopic(resource.resourceName)
                let settings = try engine.topicSettings(resource.resourceName)
                let defaults = engine.topicDefaults
                result.configs = TopicConfigs.honoured.filter { resource.configurationKeys?.contains($0) ?? true }.map { name in
                    let (value, own) = TopicConfigs.value(name, settings: settings, defaults: defaults, isInternal: d.isInternal)
                    var c = DescribeConfigsResponse.DescribeConfigsResourceResult()
                    c.name = name
                    c.value = value
                    c.readOnly = d.isInternal
                    c.isDefault = !own
                    c.configSource = own ? ConfigResource.dynamicTopicConfig : ConfigResource.defaultConfig
                    return c
                }
            } catch {
                result.errorCode = KafkaError.code(error)
                result.errorMessage = "\(error)"
            }
            return result
        }
        return response
    }
}

/// Kafka's numbers for config resources and config sources.
enum ConfigResource {
    static let topic: Int8 = 2
    static let broker: Int8 = 4
    static let brokerLogger: Int8 = 8
    static let dynamicTopicConfig: Int8 = 1
    static let defaultConfig: Int8 = 5
}
