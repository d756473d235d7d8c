import KafkaProtocol
import WharfAuth
import WharfCore

/// `--authorize`: what each API needs, as Kafka's `KafkaApis` checks it, and the errors it
/// answers (TOPIC_AUTHORIZATION_FAILED 29, GROUP_AUTHORIZATION_FAILED 30,
/// CLUSTER_AUTHORIZATION_FAILED 31, TRANSACTIONAL_ID_AUTHORIZATION_FAILED 53). Items a request
/// may not touch are taken out before it runs and answered with the error; a request refused
/// as a whole never reaches the engine. Listings (Metadata of all topics, ListGroups, OffsetFetch
/// of all topics) silently leave out what the principal may not describe.
///
/// | API | needs |
/// |---|---|
/// | Metadata | DESCRIBE topic (auto-creation also CREATE on cluster or topic) |
/// | Produce | WRITE topic |
/// | Fetch | READ topic |
/// | ListOffsets, OffsetForLeaderEpoch | DESCRIBE topic |
/// | InitProducerId | IDEMPOTENT_WRITE cluster or WRITE on some topic; with a transactional id, WRITE on it |
/// | FindCoordinator | DESCRIBE group (or transactional id) |
/// | JoinGroup, SyncGroup, Heartbeat, LeaveGroup, ConsumerGroupHeartbeat | READ group |
/// | ConsumerGroupDescribe | DESCRIBE group |
/// | OffsetCommit | READ group, READ topic |
/// | OffsetFetch | DESCRIBE group, DESCRIBE topic |
/// | DescribeGroups | DESCRIBE group; ListGroups lists those (all with DESCRIBE cluster) |
/// | DeleteGroups | DELETE group |
/// | CreateTopics | CREATE cluster or topic |
/// | DeleteTopics, DeleteRecords | DELETE topic |
/// | DescribeConfigs | DESCRIBE_CONFIGS topic, or cluster for brokers |
/// | DescribeLogDirs, DescribeAcls, DescribeUserScramCredentials | DESCRIBE cluster |
/// | CreateAcls, DeleteAcls, AlterUserScramCredentials | ALTER cluster |
/// | the Kafka 3.x admin APIs | see `adminPlan` |
/// | the transactional APIs | see `transactionPlan` |
extension KafkaBroker {
    func accessCheck(_ accessControl: BrokerAccessControl, session: ConnectionSession) -> AccessCheck {
        AccessCheck(authorizer: accessControl.authorizer, principal: session.principal, host: session.clientHost,
                    peer: session.peer, log: securityLog)
    }

    func authorizationPlan(_ body: KafkaRequestBody, version: Int16, check: AccessCheck) -> AuthorizationPlan {
        let topicDenied = KafkaError.topicAuthorizationFailed
        let groupDenied = KafkaError.groupAuthorizationFailed
        let clusterDenied = KafkaError.clusterAuthorizationFailed
        switch body {
        case .createPartitions, .alterConfigs, .incrementalAlterConfigs, .describeCluster, .offsetDelete, .describeProducers:
            return adminPlan(body, check: check)

        case .addPartitionsToTxn, .addOffsetsToTxn, .txnOffsetCommit, .endTxn, .describeTransactions, .listTransactions:
            return transactionPlan(body, check: check)

        case .apiVersions, .saslHandshake, .saslAuthenticate,
             .describeAcls, .createAcls, .deleteAcls:
            // SASL comes before any principal exists; the ACL APIs check the cluster themselves
            // (they answer SECURITY_DISABLED without --authorize).
            return .proceed(body, nil)

        case .consumerGroupHeartbeat(let r):
            guard !check.allows(.read, .group, r.groupId) else { return .proceed(body, nil) }
            var response = ConsumerGroupHeartbeatResponse()
            response.errorCode = groupDenied
            response.errorMessage = "not authorized to READ group \(r.groupId)"
            return .refuse(.consumerGroupHeartbeat(response))
        case .consumerGroupDescribe(var r):
            let denied = r.groupIds.removeRefused { !check.allows(.describe, .group, $0) }
            guard !denied.isEmpty else { return .proceed(body, nil) }
            return .proceed(.consumerGroupDescribe(r), .of { (response: inout ConsumerGroupDescribeResponse) in
                response.groups += denied.map {
                    var g = ConsumerGroupDescribeResponse.DescribedGroup()
                    g.groupId = $0
                    g.errorCode = groupDenied
                    return g
                }
            })

        case .metadata(var r):
            return metadataPlan(&r, version: version, check: check)

        case .produce(var r):
            // Produce auto-creates like Metadata does, so creating that way needs CREATE too;
            // without it the topic is unknown (Kafka's Produce never creates topics).
            var refusals: [String: Int16] = [:]
            for t in r.topicData where refusals[t.name] == nil {
                if !check.allows(.write, .topic, t.name) {
                    refusals[t.name] = topicDenied
                } else if configuration.autoCreateTopics, !topicExists(t.name), !check.mayCreate(topic: t.name) {
                    refusals[t.name] = KafkaError.unknownTopicOrPartition
                }
            }
            guard !refusals.isEmpty else { return .proceed(body, nil) }
            let codes = refusals
            let denied = r.topicData.filter { refusals[$0.name] != nil }
            r.topicData.removeAll { refusals[$0.name] != nil }
            return .proceed(.produce(r), .of { (response: inout ProduceResponse) in
                response.responses += denied.map { t in
                    .init(name: t.name, partitionResponses: t.partitionData.map { p in
                        var pr = ProduceResponse.PartitionProduceResponse()
                        pr.index = p.index
                        pr.errorCode = codes[t.name] ?? topicDenied
                        pr.errorMessage = pr.errorCode == topicDenied ? "not authorized to WRITE to topic \(t.name)" : "unknown topic \(t.name)"
                        return pr
                    })
                }
            })

        case .fetch(var r):
            // An unknown topic id (v13+) is answered UNKNOWN_TOPIC_ID by the fetch, not refused.
            let denied = r.topics.removeRefused { !Self.isUnknownTopicId($0) && !check.allows(.read, .topic, $0.topic) }
            guard !denied.isEmpty else { return .proceed(body, nil) }
            return .proceed(.fetch(r), .of { (response: inout FetchResponse) in
                response.responses += denied.map { t in
                    var tr = FetchResponse.FetchableTopicResponse()
                    tr.topic = t.topic
                    tr.topicId = t.topicId
                    tr.partitions = t.partitions.map { p in
                        var pd = FetchResponse.PartitionData()
                        pd.partitionIndex = p.partition
                        pd.errorCode = topicDenied
                        pd.highWatermark = -1
                        pd.records = []
                        return pd
                    }
                    return tr
                }
            })

        case .listOffsets(var r):
            let denied = r.topics.removeRefused { !check.allows(.describe, .topic, $0.name) }
            guard !denied.isEmpty else { return .proceed(body, nil) }
            return .proceed(.listOffsets(r), .of { (response: inout ListOffsetsResponse) in
                response.topics += denied.map { t in
                    .init(name: t.name, partitions: t.partitions.map { p in
                        var pr = ListOffsetsResponse.ListOffsetsPartitionResponse()
                        pr.partitionIndex = p.partitionIndex
                        pr.errorCode = topicDenied
                        return pr
                    })
                }
            })

        case .offsetForLeaderEpoch(var r):
            let denied = r.topics.removeRefused { !check.allows(.describe, .topic, $0.topic) }
            guard !denied.isEmpty else { return .proceed(body, nil) }
            return .proceed(.offsetForLeaderEpoch(r), .of { (response: inout OffsetForLeaderEpochResponse) in
                response.topics += denied.map { t in
                    var tr = OffsetForLeaderEpochResponse.OffsetForLeaderTopicResult()
                    tr.topic = t.topic
                    tr.partitions = t.partitions.map { p in
                        var e = OffsetForLeaderEpochResponse.EpochEndOffset()
                        e.partition = p.partition
                        e.errorCode = topicDenied
                        return e
                    }
                    return tr
                }
            })

        case .deleteRecords(var r):
            let denied = r.topics.removeRefused { !check.allows(.delete, .topic, $0.name) }
            guard !denied.isEmpty else { return .proceed(body, nil) }
            return .proceed(.deleteRecords(r), .of { (response: inout DeleteRecordsResponse) in
                response.topics += denied.map { t in
                    .init(name: t.name, partitions: t.partitions.map { .init(partitionIndex: $0.partitionIndex, lowWatermark: -1, errorCode: topicDenied) })
                }
            })

        case .initProducerId(let r):
            let allowed: Bool
            let code: Int16
            if let transactionalId = r.transactionalId {
                allowed = check.allows(.write, .transactionalId, transactionalId)
                code = KafkaError.transactionalIdAuthorizationFailed
            } else {
                // Kafka 3 (KIP-679): IDEMPOTENT_WRITE on the cluster, or WRITE on any topic.
                allowed = check.allows(.idempotentWrite, .cluster, AclBinding.clusterName, logDenial: false)
                    || check.authorizer.mayOnSomeResource(principal: check.principal, host: check.host, operation: .write, of: .topic)
                if !allowed { _ = check.allowsCluster(.idempotentWrite) }  // logs the denial
                code = clusterDenied
            }
            guard !allowed else { return .proceed(body, nil) }
            return .refuse(.initProducerId(InitProducerIdResponse(errorCode: code, producerId: -1, producerEpoch: -1)))

        case .findCoordinator(var r):
            let isTransaction = r.keyType == 1
            let (type, code) = isTransaction
                ? (AclResourceType.transactionalId, KafkaError.transactionalIdAuthorizationFailed) : (.group, groupDenied)
            if version < 4 {
                guard !check.allows(.describe, type, r.key) else { return .proceed(body, nil) }
                var response = FindCoordinatorResponse()
                response.errorCode = code
                response.errorMessage = "not authorized to DESCRIBE \(type.name) \(r.key)"
                response.nodeId = -1
                response.host = ""
                response.port = -1
                return .refuse(.findCoordinator(response))
            }
            let denied = r.coordinatorKeys.removeRefused { !check.allows(.describe, type, $0) }
            guard !denied.isEmpty else { return .proceed(body, nil) }
            return .proceed(.findCoordinator(r), .of { (response: inout FindCoordinatorResponse) in
                response.coordinators += denied.map {
                    .init(key: $0, nodeId: -1, host: "", port: -1, errorCode: code, errorMessage: "not authorized to DESCRIBE \(type.name) \($0)")
                }
            })

        case .joinGroup(let r):
            guard !check.allows(.read, .group, r.groupId) else { return .proceed(body, nil) }
            var response = JoinGroupResponse()
            response.errorCode = groupDenied
            response.memberId = r.memberId
            response.generationId = -1
            return .refuse(.joinGroup(response))
        case .syncGroup(let r):
            guard !check.allows(.read, .group, r.groupId) else { return .proceed(body, nil) }
            var response = SyncGroupResponse()
            response.errorCode = groupDenied
            return .refuse(.syncGroup(response))
        case .heartbeat(let r):
            guard !check.allows(.read, .group, r.groupId) else { return .proceed(body, nil) }
            var response = HeartbeatResponse()
            response.errorCode = groupDenied
            return .refuse(.heartbeat(response))
        case .leaveGroup(let r):
            guard !check.allows(.read, .group, r.groupId) else { return .proceed(body, nil) }
            var response = LeaveGroupResponse()
            response.errorCode = groupDenied
            response.members = r.members.map { .init(memberId: $0.memberId, groupInstanceId: $0.groupInstanceId, errorCode: groupDenied) }
            return .refuse(.leaveGroup(response))

        case .offsetCommit(var r):
            guard check.allows(.read, .group, r.groupId) else {
                var response = OffsetCommitResponse()
                response.topics = r.topics.map { t in
                    .init(name: t.name, partitions: t.partitions.map { .init(partitionIndex: $0.partitionIndex, errorCode: groupDenied) })
                }
                return .refuse(.offsetCommit(response))
            }
            let denied = r.topics.removeRefused { !check.allows(.read, .topic, $0.name) }
            guard !denied.isEmpty else { return .proceed(body, nil) }
            return .proceed(.offsetCommit(r), .of { (response: inout OffsetCommitResponse) in
                response.topics += denied.map { t in
                    .init(name: t.name, partitions: t.partitions.map { .init(partitionIndex: $0.partitionIndex, errorCode: topicDenied) })
                }
            })

        case .offsetFetch(var r):
            return offsetFetchPlan(&r, version: version, check: check)

        case .listGroups:
            guard !check.allows(.describe, .cluster, AclBinding.clusterName, logDenial: false) else { return .proceed(body, nil) }
            return .proceed(body, .of { (response: inout ListGroupsResponse) in
                response.groups.removeAll { !check.allows(.describe, .group, $0.groupId, logDenial: false) }
            })

        case .describeGroups(var r):
            let denied = r.groups.removeRefused { !check.allows(.describe, .group, $0) }
            guard !denied.isEmpty else { return .proceed(body, nil) }
            return .proceed(.describeGroups(r), .of { (response: inout DescribeGroupsResponse) in
                response.groups += denied.map {
                    var g = DescribeGroupsResponse.DescribedGroup()
                    g.groupId = $0
                    g.errorCode = groupDenied
                    return g
                }
            })

        case .deleteGroups(var r):
            let denied = r.groupsNames.removeRefused { !check.allows(.delete, .group, $0) }
            guard !denied.isEmpty else { return .proceed(body, nil) }
            return .proceed(.deleteGroups(r), .of { (response: inout DeleteGroupsResponse) in
                response.results += denied.map { .init(groupId: $0, errorCode: groupDenied) }
            })

        case .createTopics(var r):
            let denied = r.topics.removeRefused { !check.mayCreate(topic: $0.name) }
            guard !denied.isEmpty else { return .proceed(body, nil) }
            return .proceed(.createTopics(r), .of { (response: inout CreateTopicsResponse) in
                response.topics += denied.map { t in
                    var result = CreateTopicsResponse.CreatableTopicResult()
                    result.name = t.name
                    result.errorCode = topicDenied
                    result.errorMessage = "not authorized to CREATE topic \(t.name)"
                    return result
                }
            })

        case .deleteTopics(var r):
            if version >= 6 {
                // A topic named by id is checked under the name the id has now (an unknown id
                // goes on, to be answered UNKNOWN_TOPIC_ID); a denied one is answered by id.
                let denied = r.topics.removeRefused { t in
                    guard let name = t.name ?? engine.topicName(forId: (t.topicId.high, t.topicId.low)) else { return false }
                    return !check.allows(.delete, .topic, name)
                }
                guard !denied.isEmpty else { return .proceed(body, nil) }
                return .proceed(.deleteTopics(r), .of { (response: inout DeleteTopicsResponse) in
                    response.responses += denied.map {
                        var result = DeleteTopicsResponse.DeletableTopicResult()
                        result.name = $0.name
                        result.topicId = $0.topicId
                        result.errorCode = topicDenied
                        result.errorMessage = "not authorized to DELETE topic \($0.name ?? "\($0.topicId)")"
                        return result
                    }
                })
            }
            let denied = r.topicNames.filter { !check.allows(.delete, .topic, $0) }
            guard !denied.isEmpty else { return .proceed(body, nil) }
            let deniedNames = Set(denied)
            r.topicNames.removeAll { deniedNames.contains($0) }
            return .proceed(.deleteTopics(r), .of { (response: inout DeleteTopicsResponse) in
                response.responses += denied.map {
                    var result = DeleteTopicsResponse.DeletableTopicResult()
                    result.name = $0
                    result.errorCode = topicDenied
                    result.errorMessage = "not authorized to DELETE topic \($0)"
                    return result
                }
            })

        case .describeConfigs(var r):
            // Resource type 2 is a topic; brokers (4) and broker loggers (8) are the cluster's.
            let denied = r.resources.filter { resource in
                resource.resourceType == 2
                    ? !check.allows(.describeConfigs, .topic, resource.resourceName)
                    : !check.allowsCluster(.describeConfigs)
            }
            guard !denied.isEmpty else { return .proceed(body, nil) }
            r.resources.removeAll { resource in denied.contains { $0.resourceType == resource.resourceType && $0.resourceName == resource.resourceName } }
            return .proceed(.describeConfigs(r), .of { (response: inout DescribeConfigsResponse) in
                response.results += denied.map { resource in
                    var result = DescribeConfigsResponse.DescribeConfigsResult()
                    result.resourceType = resource.resourceType
                    result.resourceName = resource.resourceName
                    result.errorCode = resource.resourceType == 2 ? topicDenied : clusterDenied
                    result.errorMessage = "not authorized to DESCRIBE_CONFIGS"
                    return result
                }
            })

        case .describeLogDirs:
            guard !check.allowsCluster(.describe) else { return .proceed(body, nil) }
            var response = DescribeLogDirsResponse()
            response.errorCode = clusterDenied
            return .refuse(.describeLogDirs(response))

        case .describeUserScramCredentials:
            guard !check.allowsCluster(.describe) else { return .proceed(body, nil) }
            var response = DescribeUserScramCredentialsResponse(errorMessage: nil)
            response.errorCode = clusterDenied
            response.errorMessage = "not authorized to DESCRIBE the cluster"
            return .refuse(.describeUserScramCredentials(response))

        case .alterUserScramCredentials(let r):
            guard !check.allowsCluster(.alter) else { return .proceed(body, nil) }
            var seen = Set<String>()
            let users = (r.deletions.map(\.name) + r.upsertions.map(\.name)).filter { seen.insert($0).inserted }
            return .refuse(.alterUserScramCredentials(AlterUserScramCredentialsResponse(results: users.map {
                .init(user: $0, errorCode: clusterDenied, errorMessage: "not authorized to ALTER the cluster")
            })))
        }
    }

    /// Every topic has a partition 0: the cheapest question the engine answers about a name.
    private func topicExists(_ name: String) -> Bool { (try? engine.offsets(topic: name, partition: 0)) != nil }

    /// Explicit topics: each must be describable (29 otherwise), and one that does not exist is
    /// auto-created only with CREATE on the cluster or the topic (29 otherwise, as Kafka answers).
    /// All topics: the undescribable ones are left out.
    private func metadataPlan(_ r: inout MetadataRequest, version: Int16, check: AccessCheck) -> AuthorizationPlan {
        let topicDenied = KafkaError.topicAuthorizationFailed
        guard let requested = r.topics, !(version == 0 && requested.isEmpty) else {
            return .proceed(.metadata(r), .of { (response: inout MetadataResponse) in
                response.topics.removeAll { !check.allows(.describe, .topic, $0.name ?? "", logDenial: false) }
            })
        }
        let autoCreate = configuration.autoCreateTopics && (version < 4 || r.allowAutoTopicCreation)
        var denied: [String] = []
        var passed = Set<String>()
        for name in requested.compactMap(\.name) where !passed.contains(name) && !denied.contains(name) {
            if !check.allows(.describe, .topic, name) || (autoCreate && !topicExists(name) && !check.mayCreate(topic: name)) {
                denied.append(name)
            } else {
                passed.insert(name)
            }
        }
        guard !denied.isEmpty else { return .proceed(.metadata(r), nil) }
        r.topics = requested.filter { $0.name.map(passed.contains) ?? true }
        let (shown, refused) = (passed, denied)
        return .proceed(.metadata(r), .of { (response: inout MetadataResponse) in
            response.topics.removeAll { !shown.contains($0.name ?? "") }
            response.topics += refused.map {
                var t = MetadataResponse.MetadataResponseTopic()
                t.name = $0
                t.errorCode = topicDenied
                return t
            }
        })
    }

    /// DESCRIBE on the group (30 otherwise, for the whole group); committed offsets of topics the
    /// principal may not describe are answered 29 when asked for by name, left out otherwise.
    private func offsetFetchPlan(_ r: inout OffsetFetchRequest, version: Int16, check: AccessCheck) -> AuthorizationPlan {
        let topicDenied = KafkaError.topicAuthorizationFailed
        let groupDenied = KafkaError.groupAuthorizationFailed
        let visible: @Sendable (String) -> Bool = { check.allows(.describe, .topic, $0, logDenial: false) }
        if version < 8 {
            guard check.allows(.describe, .group, r.groupId) else {
                var response = OffsetFetchResponse()
                response.errorCode = groupDenied
                response.topics = (r.topics ?? []).map { t in
                    .init(name: t.name, partitions: t.partitionIndexes.map {
                        .init(partitionIndex: $0, committedOffset: -1, committedLeaderEpoch: -1, metadata: "", errorCode: groupDenied)
                    })
                }
                return .refuse(.offsetFetch(response))
            }
            let named = r.topics != nil
            return .proceed(.offsetFetch(r), .of { (response: inout OffsetFetchResponse) in
                if named {
                    for i in response.topics.indices where !visible(response.topics[i].name) {
                        for j in response.topics[i].partitions.indices {
                            response.topics[i].partitions[j].committedOffset = -1
                            response.topics[i].partitions[j].metadata = ""
                            response.topics[i].partitions[j].errorCode = topicDenied
                        }
                    }
                } else {
                    response.topics.removeAll { !visible($0.name) }
                }
            })
        }
        let denied = r.groups.filter { !check.allows(.describe, .group, $0.groupId) }.map(\.groupId)
        let deniedIds = Set(denied)
        r.groups.removeAll { deniedIds.contains($0.groupId) }
        let named = Set(r.groups.filter { $0.topics != nil }.map(\.groupId))
        return .proceed(.offsetFetch(r), .of { (response: inout OffsetFetchResponse) in
            for g in response.groups.indices {
                if named.contains(response.groups[g].groupId) {
                    for i in response.groups[g].topics.indices where !visible(response.groups[g].topics[i].name) {
                        for j in response.groups[g].topics[i].partitions.indices {
                            response.groups[g].topics[i].partitions[j].committedOffset = -1
                            response.groups[g].topics[i].partitions[j].metadata = ""
                            response.groups[g].topics[i].partitions[j].errorCode = topicDenied
                        }
                    }
                } else {
                    response.groups[g].topics.removeAll { !visible($0.name) }
                }
            }
            response.groups += denied.map { .init(groupId: $0, topics: [], errorCode: groupDenied) }
        })
    }
}
