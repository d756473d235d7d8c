import KafkaProtocol
import WharfCore
import WharfEngine

/// AlterConfigs (KIP-133) and IncrementalAlterConfigs (KIP-339) for topics: names and values
/// checked by `TopicConfigs`, the change persisted by the engine (survives a restart) and
/// applied to the live partitions. A broker resource is answered as Kafka's dynamic broker
/// configuration would answer it (`BrokerConfigs`).
extension KafkaBroker {
    /// Replaces a topic's configs: those named are set, every other one goes back to its default.
    func alterConfigs(_ r: AlterConfigsRequest) -> AlterConfigsResponse {
        var response = AlterConfigsResponse()
        response.responses = r.resources.map { resource in
            if resource.resourceType == ConfigResource.broker {
                let (code, message) = BrokerConfigs.check(resourceName: resource.resourceName, configs: resource.configs.map { ($0.name, $0.value) }, nodeId: nodeId)
                return .init(errorCode: code, errorMessage: message, resourceType: resource.resourceType, resourceName: resource.resourceName)
            }
            let (code, message) = alterTopicConfigs(resource.resourceType, resource.resourceName, validateOnly: r.validateOnly) { settings throws(TopicConfigs.Refusal) in
                let partitions = settings.partitions
                settings = Engine.TopicSettings(partitions: partitions)
                for c in resource.configs { try TopicConfigs.apply(c.name, c.value, to: &settings) }
            }
            return .init(errorCode: code, errorMessage: message, resourceType: resource.resourceType, resourceName: resource.resourceName)
        }
        return response
    }

    /// Changes only the configs named: SET (0), DELETE (1, back to the default); APPEND (2) and
    /// SUBTRACT (3) apply to list configs only (of those Wharf applies: cleanup.policy).
    func incrementalAlterConfigs(_ r: IncrementalAlterConfigsRequest) -> IncrementalAlterConfigsResponse {
        var response = IncrementalAlterConfigsResponse()
        response.responses = r.resources.map { resource in
            if resource.resourceType == ConfigResource.broker {
                // A DELETE (1) names no value.
                let configs = resource.configs.map { (name: $0.name, value: $0.configOperation == 1 ? nil : $0.value) }
                let (code, message) = BrokerConfigs.check(resourceName: resource.resourceName, configs: configs, nodeId: nodeId)
                return .init(errorCode: code, errorMessage: message, resourceType: resource.resourceType, resourceName: resource.resourceName)
            }
            let (code, message) = alterTopicConfigs(resource.resourceType, resource.resourceName, validateOnly: r.validateOnly) { settings throws(TopicConfigs.Refusal) in
                for c in resource.configs {
                    switch c.configOperation {
                    case 0: try TopicConfigs.apply(c.name, c.value, to: &settings)
                    case 1: try TopicConfigs.apply(c.name, nil, to: &settings)
                    case 2, 3:
                        guard TopicConfigs.listConfigs.contains(c.name) else {
                            throw .invalid("Config value append/subtract is not allowed for config key \(c.name): it is not a list")
                        }
                        guard c.name == "cleanup.policy" else { continue }  // the others are ignored
                        let named = Set((c.value ?? "").split(separator: ",").map { $0.trimmingSpaces })
                        var policies = TopicConfigs.cleanupPolicies(settings)
                        if c.configOperation == 2 { policies.formUnion(named) } else { policies.subtract(named) }
                        // Subtracting every policy leaves the default.
                        settings.cleanupPolicy = policies.isEmpty ? nil : try TopicConfigs.cleanupPolicy(policies)
                    default:
                        throw Refusal(code: KafkaError.invalidRequest, message: "unknown config operation \(c.configOperation)")
                    }
                }
            }
            return .init(errorCode: code, errorMessage: message, resourceType: resource.resourceType, resourceName: resource.resourceName)
        }
        return response
    }

    private typealias Refusal = TopicConfigs.Refusal

    /// Runs `change` on the topic's current settings and stores the result: the error code and
    /// message for one resource of an alter request.
    private func alterTopicConfigs(_ type: Int8, _ name: String, validateOnly: Bool,
                                   _ change: (inout Engine.TopicSettings) throws(Refusal) -> Void) -> (Int16, String?) {
        switch type {
        case ConfigResource.topic: break
        default: return (KafkaError.invalidRequest, "unsupported resource type \(type)")
        }
        do throws(WharfError) {
            var settings = try engine.topicSettings(name)
            do throws(Refusal) { try change(&settings) } catch { return (error.code, error.message) }
            try engine.setTopicSettings(name, settings, validateOnly: validateOnly)
            return (KafkaError.none, nil)
        } catch {
            // The engine's own range checks are config errors here.
            if case .invalidArgument(let why) = error { return (KafkaError.invalidConfig, why) }
            return (KafkaError.code(error), "\(error)")
        }
    }
}
