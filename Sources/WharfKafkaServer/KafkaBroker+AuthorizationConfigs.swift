import KafkaProtocol
import WharfAuth

/// `--authorize` for the Kafka 3.x admin APIs, as Kafka's `KafkaApis` checks them:
///
/// | API | needs |
/// |---|---|
/// | CreatePartitions | ALTER topic |
/// | AlterConfigs, IncrementalAlterConfigs | ALTER_CONFIGS topic, or cluster for a broker |
/// | DescribeCluster | DESCRIBE cluster |
/// | OffsetDelete | DELETE group, READ topic |
/// | DescribeProducers | READ topic |
extension KafkaBroker {
    func adminPlan(_ body: KafkaRequestBody, check: AccessCheck) -> AuthorizationPlan {
        let topicDenied = KafkaError.topicAuthorizationFailed
        let clusterDenied = KafkaError.clusterAuthorizationFailed
        switch body {
        case .createPartitions(var r):
            let denied = r.topics.removeRefused { !check.allows(.alter, .topic, $0.name) }
            guard !denied.isEmpty else { return .proceed(body, nil) }
            return .proceed(.createPartitions(r), .of { (response: inout CreatePartitionsResponse) in
                response.results += denied.map { t in
                    var result = CreatePartitionsResponse.CreatePartitionsTopicResult()
                    result.name = t.name
                    result.errorCode = topicDenied
                    result.errorMessage = "not authorized to ALTER topic \(t.name)"
                    return result
                }
            })

        case .alterConfigs(var r):
            let denied = r.resources.removeRefused { !Self.mayAlterConfigs(type: $0.resourceType, name: $0.resourceName, check) }
            guard !denied.isEmpty else { return .proceed(body, nil) }
            return .proceed(.alterConfigs(r), .of { (response: inout AlterConfigsResponse) in
                response.responses += denied.map { resource in
                    var result = AlterConfigsResponse.AlterConfigsResourceResponse()
                    result.resourceType = resource.resourceType
                    result.resourceName = resource.resourceName
                    result.errorCode = resource.resourceType == AclResourceType.topic.rawValue ? topicDenied : clusterDenied
                    result.errorMessage = "not authorized to ALTER_CONFIGS"
                    return result
                }
            })

        case .incrementalAlterConfigs(var r):
            let denied = r.resources.removeRefused { !Self.mayAlterConfigs(type: $0.resourceType, name: $0.resourceName, check) }
            guard !denied.isEmpty else { return .proceed(body, nil) }
            return .proceed(.incrementalAlterConfigs(r), .of { (response: inout IncrementalAlterConfigsResponse) in
                response.responses += denied.map { resource in
                    var result = IncrementalAlterConfigsResponse.AlterConfigsResourceResponse()
                    result.resourceType = resource.resourceType
                    result.resourceName = resource.resourceName
                    result.errorCode = resource.resourceType == AclResourceType.topic.rawValue ? topicDenied : clusterDenied
                    result.errorMessage = "not authorized to ALTER_CONFIGS"
                    return result
                }
            })

        case .describeCluster:
            guard !check.allowsCluster(.describe) else { return .proceed(body, nil) }
            var response = DescribeClusterResponse()
            response.errorCode = clusterDenied
            response.errorMessage = "not authorized to DESCRIBE the cluster"
            return .refuse(.describeCluster(response))

        case .offsetDelete(var r):
            guard check.allows(.delete, .group, r.groupId) else {
                var response = OffsetDeleteResponse()
                response.errorCode = KafkaError.groupAuthorizationFailed
                return .refuse(.offsetDelete(response))
            }
            let denied = r.topics.removeRefused { !check.allows(.read, .topic, $0.name) }
            guard !denied.isEmpty else { return .proceed(body, nil) }
            return .proceed(.offsetDelete(r), .of { (response: inout OffsetDeleteResponse) in
                response.topics += denied.map { t in
                    var result = OffsetDeleteResponse.OffsetDeleteResponseTopic()
                    result.name = t.name
                    result.partitions = t.partitions.map { p in
                        var partition = OffsetDeleteResponse.OffsetDeleteResponsePartition()
                        partition.partitionIndex = p.partitionIndex
                        partition.errorCode = topicDenied
                        return partition
                    }
                    return result
                }
            })

        case .describeProducers(var r):
            let denied = r.topics.removeRefused { !check.allows(.read, .topic, $0.name) }
            guard !denied.isEmpty else { return .proceed(body, nil) }
            return .proceed(.describeProducers(r), .of { (response: inout DescribeProducersResponse) in
                response.topics += denied.map { t in
                    var result = DescribeProducersResponse.TopicResponse()
                    result.name = t.name
                    result.partitions = t.partitionIndexes.map { index in
                        var partition = DescribeProducersResponse.PartitionResponse()
                        partition.partitionIndex = index
                        partition.errorCode = topicDenied
                        return partition
                    }
                    return result
                }
            })

        default:
            return .proceed(body, nil)
        }
    }

    /// ALTER_CONFIGS on the topic, or on the cluster for a broker (or any other) resource.
    static func mayAlterConfigs(type: Int8, name: String, _ check: AccessCheck) -> Bool {
        type == AclResourceType.topic.rawValue ? check.allows(.alterConfigs, .topic, name) : check.allowsCluster(.alterConfigs)
    }
}
