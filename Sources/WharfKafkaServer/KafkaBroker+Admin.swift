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
            let partitions = t.numPartitions <= 0 ? configuration.autoCreatePartitions : t.numPartitions
            var settings = Engine.TopicSettings(partitions: partitions)
            result.numPartitions = partitions
            result.replicationFactor = 1
            do {
                for c in t.configs {
                    switch c.name {
                    case "retention.ms": settings.retentionMs = c.value.flatMap { Int64($0) }
                    case "retention.bytes": settings.retentionBytes = c.value.flatMap { Int64($0) }
                    case "segment.bytes": settings.segmentBytes = c.value.flatMap { Int($0) }
                    case "message.timestamp.before.max.ms": settings.messageTimestampBeforeMaxMs = try Self.milliseconds(c)
                    case "message.timestamp.after.max.ms": settings.messageTimestampAfterMaxMs = try Self.milliseconds(c)
                    default: break
                    }
                }
                if r.validateOnly { try engine.checkNewTopic(t.name, settings) } else { try engine.createTopic(t.name, settings, actor: actor) }
            } catch {
                result.errorCode = KafkaError.code(error)
                result.errorMessage = "\(error)"
            }
            return result
        }
        return response
    }

    /// A config value that must be a whole number of milliseconds (nil: the default).
    static func milliseconds(_ c: CreateTopicsRequest.CreatableTopicConfig) throws(WharfError) -> Int64? {
        guard let text = c.value else { return nil }
        guard let value = Int64(text) else { throw .invalidArgument("\(c.name) must be a number of milliseconds, got '\(text)'") }
        return value
    }

    func deleteTopics(_ r: DeleteTopicsRequest, version: Int16, actor: AuditActor) -> DeleteTopicsResponse {
        let names = version >= 6 ? r.topics.compactMap(\.name) : r.topicNames
        var response = DeleteTopicsResponse()
        response.responses = names.map { name in
            var result = DeleteTopicsResponse.DeletableTopicResult()
            result.name = name
            do { try engine.deleteTopic(name, actor: actor) } catch {
                result.errorCode = KafkaError.code(error)
                result.errorMessage = "\(error)"
            }
            return result
        }
        return response
    }

    /// Topic configs Wharf has (retention, segment size); brokers get an empty list.
    func describeConfigs(_ r: DescribeConfigsRequest) -> DescribeConfigsResponse {
        var response = DescribeConfigsResponse()
        response.results = r.resources.map { resource in
            var result = DescribeConfigsResponse.DescribeConfigsResult()
            result.resourceType = resource.resourceType
            result.resourceName = resource.resourceName
            guard resource.resourceType == 2 else { return result }  // 2 = TOPIC, 4 = BROKER
            do {
                let d = try engine.describeTopic(resource.resourceName)
                let all: [(String, String)] = [
                    ("retention.ms", "\(d.retentionMs)"),
                    ("retention.bytes", "\(d.retentionBytes)"),
                    ("cleanup.policy", d.isInternal ? "compact" : "delete"),
                ]
                result.configs = all.filter { resource.configurationKeys?.contains($0.0) ?? true }.map { name, value in
                    var c = DescribeConfigsResponse.DescribeConfigsResourceResult()
                    c.name = name
                    c.value = value
                    c.readOnly = true
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
