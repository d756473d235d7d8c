import KafkaProtocol

/// `wharf --read-only`: the dashboard's listener answers every request that would change data
/// with Kafka's authorization errors, as a broker whose ACLs grant only reads does. Group
/// The ACL changes (CreateAcls, DeleteAcls) are refused too. Group
/// membership (JoinGroup, SyncGroup, Heartbeat, LeaveGroup) stays open so consumers can read
/// in a group; what they would commit is refused.
extension KafkaBroker {
    /// The answer refusing `body`, or nil when `body` only reads.
    func readOnlyRefusal(_ body: KafkaRequestBody, version: Int16) -> KafkaResponseBody? {
        let topicDenied = KafkaError.topicAuthorizationFailed
        let groupDenied = KafkaError.groupAuthorizationFailed
        switch body {
        case .produce(let r):
            var response = ProduceResponse()
            response.responses = r.topicData.map { t in
                .init(name: t.name, partitionResponses: t.partitionData.map { p in
                    var pr = ProduceResponse.PartitionProduceResponse()
                    pr.index = p.index
                    pr.errorCode = topicDenied
                    pr.errorMessage = Self.readOnlyMessage
                    return pr
                })
            }
            return .produce(response)
        case .createTopics(let r):
            var response = CreateTopicsResponse()
            response.topics = r.topics.map { t in
                var result = CreateTopicsResponse.CreatableTopicResult()
                result.name = t.name
                result.errorCode = topicDenied
                result.errorMessage = Self.readOnlyMessage
                return result
            }
            return .createTopics(response)
        case .deleteTopics(let r):
            var response = DeleteTopicsResponse()
            let targets = version >= 6 ? r.topics : r.topicNames.map { DeleteTopicsRequest.DeleteTopicState(name: $0) }
            response.responses = targets.map { target in
                var result = DeleteTopicsResponse.DeletableTopicResult()
                result.name = target.name
                result.topicId = target.topicId
                result.errorCode = topicDenied
                result.errorMessage = Self.readOnlyMessage
                return result
            }
            return .deleteTopics(response)
        case .deleteRecords(let r):
            var response = DeleteRecordsResponse()
            response.topics = r.topics.map { t in
                .init(name: t.name, partitions: t.partitions.map { .init(partitionIndex: $0.partitionIndex, lowWatermark: -1, errorCode: topicDenied) })
            }
            return .deleteRecords(response)
        case .offsetCommit(let r):
            var response = OffsetCommitResponse()
            response.topics = r.topics.map { t in
                .init(name: t.name, partitions: t.partitions.map { .init(partitionIndex: $0.partitionIndex, errorCode: groupDenied) })
            }
            return .offsetCommit(response)
        case .deleteGroups(let r):
            var response = DeleteGroupsResponse()
            response.results = r.groupsNames.map { .init(groupId: $0, errorCode: groupDenied) }
            return .deleteGroups(response)
        case .createAcls(let r):
            return .createAcls(CreateAclsResponse(results: r.creations.map { _ in
                .init(errorCode: KafkaError.clusterAuthorizationFailed, errorMessage: Self.readOnlyMessage)
            }))
        case .deleteAcls(let r):
            return .deleteAcls(DeleteAclsResponse(filterResults: r.filters.map { _ in
                .init(errorCode: KafkaError.clusterAuthorizationFailed, errorMessage: Self.readOnlyMessage, matchingAcls: [])
            }))
        case .initProducerId:
            return .initProducerId(InitProducerIdResponse(errorCode: KafkaError.clusterAuthorizationFailed, producerId: -1, producerEpoch: -1))
        case .createPartitions(let r):
            var response = CreatePartitionsResponse()
            response.results = r.topics.map { .init(name: $0.name, errorCode: topicDenied, errorMessage: Self.readOnlyMessage) }
            return .createPartitions(response)
        case .alterConfigs(let r):
            var response = AlterConfigsResponse()
            response.responses = r.resources.map {
                .init(errorCode: Self.configDenied($0.resourceType), errorMessage: Self.readOnlyMessage, resourceType: $0.resourceType, resourceName: $0.resourceName)
            }
            return .alterConfigs(response)
        case .incrementalAlterConfigs(let r):
            var response = IncrementalAlterConfigsResponse()
            response.responses = r.resources.map {
                .init(errorCode: Self.configDenied($0.resourceType), errorMessage: Self.readOnlyMessage, resourceType: $0.resourceType, resourceName: $0.resourceName)
            }
            return .incrementalAlterConfigs(response)
        case .offsetDelete:
            var response = OffsetDeleteResponse()
            response.errorCode = groupDenied
            return .offsetDelete(response)
        case .addPartitionsToTxn, .addOffsetsToTxn, .txnOffsetCommit, .endTxn:
            return transactionReadOnlyRefusal(body)
        default:
            return nil
        }
    }

    /// Kafka refuses a topic's config change with TOPIC_AUTHORIZATION_FAILED, a broker's with
    /// CLUSTER_AUTHORIZATION_FAILED.
    static func configDenied(_ resourceType: Int8) -> Int16 {
        resourceType == ConfigResource.topic ? KafkaError.topicAuthorizationFailed : KafkaError.clusterAuthorizationFailed
    }

    static let readOnlyMessage = "this listener is read-only (wharf --read-only)"
}
