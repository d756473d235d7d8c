import KafkaProtocol
import WharfCore
import WharfEngine

/// The classic consumer-group protocol, answered by the engine's own coordinator (the same one
/// embedded consumers and the dashboard's fenced reset use).
extension KafkaBroker {
    /// This broker coordinates every group (and transactional id). v4+ asks for many keys at
    /// once (`coordinatorKeys`) and is answered per key; v0-v3 name one `key`.
    func findCoordinator(_ r: FindCoordinatorRequest, version: Int16, advertised: (host: String, port: Int32)) -> FindCoordinatorResponse {
        var response = FindCoordinatorResponse()
        let (host, port) = advertised
        if version >= 4 {
            response.coordinators = r.coordinatorKeys.map {
                .init(key: $0, nodeId: nodeId, host: host, port: port, errorCode: KafkaError.none, errorMessage: nil)
            }
        } else {
            response.nodeId = nodeId
            response.host = host
            response.port = port
        }
        return response
    }

    func joinGroup(_ r: KafkaProtocol.JoinGroupRequest, clientId: String) async -> JoinGroupResponse {
        var response = JoinGroupResponse()
        let request = WharfEngine.JoinGroupRequest(
            groupId: r.groupId, memberId: r.memberId, groupInstanceId: r.groupInstanceId, clientId: clientId,
            clientHost: "kafka-client", sessionTimeoutMs: r.sessionTimeoutMs,
            rebalanceTimeoutMs: r.rebalanceTimeoutMs > 0 ? r.rebalanceTimeoutMs : r.sessionTimeoutMs,
            protocolType: r.protocolType, protocols: r.protocols.map { (name: $0.name, metadata: $0.metadata) })
        do {
            try InternalNames.checkClientMayUse(group: r.groupId)
            let result = try await engine.coordinator.join(request)
            response.generationId = result.generationId
            response.protocolType = result.protocolType
            response.protocolName = result.protocolName
            response.leader = result.leaderId
            response.memberId = result.memberId
            response.members = result.members.map { .init(memberId: $0.memberId, groupInstanceId: $0.groupInstanceId, metadata: $0.metadata) }
        } catch {
            response.errorCode = groupErrorCode(error)
            response.memberId = r.memberId
            response.generationId = -1
        }
        return response
    }

    func syncGroup(_ r: SyncGroupRequest) async -> SyncGroupResponse {
        var response = SyncGroupResponse()
        var assignments: [String: [UInt8]] = [:]
        for a in r.assignments { assignments[a.memberId] = a.assignment }
        do {
            try InternalNames.checkClientMayUse(group: r.groupId)
            response.assignment = try await engine.coordinator.sync(groupId: r.groupId, generationId: r.generationId,
                                                                    memberId: r.memberId, assignments: assignments)
            response.protocolType = r.protocolType
            response.protocolName = r.protocolName
        } catch {
            response.errorCode = groupErrorCode(error)
        }
        return response
    }

    func heartbeat(_ r: HeartbeatRequest) async -> HeartbeatResponse {
        var response = HeartbeatResponse()
        do {
            try InternalNames.checkClientMayUse(group: r.groupId)
            try await engine.coordinator.heartbeat(groupId: r.groupId, generationId: r.generationId, memberId: r.memberId) } catch {
            response.errorCode = groupErrorCode(error)
        }
        return response
    }

    func leaveGroup(_ r: LeaveGroupRequest) async -> LeaveGroupResponse {
        var response = LeaveGroupResponse()
        let ids = r.members.isEmpty ? [r.memberId] : r.members.map(\.memberId)
        do {
            try InternalNames.checkClientMayUse(group: r.groupId)
            try await engine.coordinator.leave(groupId: r.groupId, memberIds: ids)
        } catch {
            response.errorCode = groupErrorCode(error)
        }
        response.members = r.members.map { .init(memberId: $0.memberId, groupInstanceId: $0.groupInstanceId, errorCode: response.errorCode) }
        return response
    }

    /// Commits the partitions of topics that exist; every partition of a topic that does not
    /// is answered UNKNOWN_TOPIC_OR_PARTITION and stores nothing. As Kafka 3.x, the check is
    /// per topic: a partition past the topic's count is stored (a consumer closing after its
    /// topic was recreated with fewer partitions commits those, and must not be refused
    /// forever). A member's commit is consumer traffic; a commit from outside the group is an
    /// admin tool's reset, audited as `actor`'s (`Engine.commitFromClient`).
    func offsetCommit(_ r: OffsetCommitRequest, actor: AuditActor) async -> OffsetCommitResponse {
        var offsets: [TopicPartition: (offset: Int64, metadata: String)] = [:]
        var leaderEpochs: [TopicPartition: Int32] = [:]
        var unknown = Set<String>()
        for t in r.topics {
            guard (try? engine.describeTopic(t.name)) != nil else {
                unknown.insert(t.name)
                continue
            }
            for p in t.partitions {
                offsets[TopicPartition(t.name, p.partitionIndex)] = (p.committedOffset, p.committedMetadata ?? "")
                leaderEpochs[TopicPartition(t.name, p.partitionIndex)] = p.committedLeaderEpoch
            }
        }
        var code = KafkaError.none
        if !offsets.isEmpty {
            do {
                try engine.checkClientCommit(groupId: r.groupId, generationId: r.generationIdOrMemberEpoch, memberId: r.memberId, offsets: offsets)
                try await engine.commitFromClient(groupId: r.groupId, generationId: r.generationIdOrMemberEpoch,
                                                  memberId: r.memberId, offsets: offsets, leaderEpochs: leaderEpochs, actor: actor)
            } catch {
                code = groupErrorCode(error)
                // A KIP-848 member's commit with an old epoch: it must heartbeat, then retry.
                if code == KafkaError.illegalGeneration, await engine.coordinator.isConsumerProtocolGroup(r.groupId) {
                    code = KafkaError.staleMemberEpoch
                }
            }
        }
        var response = OffsetCommitResponse()
        response.topics = r.topics.map { t in
            .init(name: t.name, partitions: t.partitions.map {
                .init(partitionIndex: $0.partitionIndex, errorCode: unknown.contains(t.name) ? KafkaError.unknownTopicOrPartition : code)
            })
        }
        return response
    }

    /// OffsetFetch v1-v7 name one group; v8+ carry a `Groups` array so an admin reads many groups
    /// in one round trip (the dashboard's refresh of 500 groups is one request, not 500).
    /// v9 names the member asking: in a KIP-848 group an unknown member is UNKNOWN_MEMBER_ID and
    /// an epoch other than the member's current one STALE_MEMBER_EPOCH (the consumer heartbeats,
    /// then asks again), as Kafka answers; classic groups and admins (no member) are not checked.
    func offsetFetch(_ r: OffsetFetchRequest, version: Int16) async -> OffsetFetchResponse {
        var response = OffsetFetchResponse()
        if version >= 8 {
            for g in r.groups {
                do {
                    try await engine.coordinator.checkConsumerOffsetFetch(groupId: g.groupId, memberId: g.memberId, memberEpoch: g.memberEpoch)
                } catch {
                    var code = groupErrorCode(error)
                    if code == KafkaError.illegalGeneration { code = KafkaError.staleMemberEpoch }
                    response.groups.append(.init(groupId: g.groupId, topics: [], errorCode: code))
                    continue
                }
                let wanted = g.topics.map { topics in topics.flatMap { t in t.partitionIndexes.map { TopicPartition(t.name, $0) } } }
                let topics = await committedOffsets(groupId: g.groupId, wanted: wanted)
                response.groups.append(.init(groupId: g.groupId, topics: topics.map { t in
                    .init(name: t.name, partitions: t.partitions.map {
                        .init(partitionIndex: $0.partitionIndex, committedOffset: $0.committedOffset, committedLeaderEpoch: $0.committedLeaderEpoch,
                              metadata: $0.metadata, errorCode: KafkaError.none)
                    })
                }, errorCode: KafkaError.none))
            }
        } else {
            let wanted = r.topics.map { topics in topics.flatMap { t in t.partitionIndexes.map { TopicPartition(t.name, $0) } } }
            response.topics = await committedOffsets(groupId: r.groupId, wanted: wanted)
        }
        return response
    }

    /// One group's commits, per topic: the `wanted` partitions (-1 where nothing is committed, with
    /// no error, as Kafka answers), or every committed partition when `wanted` is nil.
    private func committedOffsets(groupId: String, wanted: [TopicPartition]?) async -> [OffsetFetchResponse.OffsetFetchResponseTopic] {
        let committed = await engine.coordinator.fetchOffsets(groupId: groupId, partitions: wanted)
        var byTopic: [String: [OffsetFetchResponse.OffsetFetchResponsePartition]] = [:]
        let keys = wanted ?? committed.keys.sorted()
        for tp in keys {
            var p = OffsetFetchResponse.OffsetFetchResponsePartition()
            p.partitionIndex = tp.partition
            if let c = committed[tp] {
                p.committedOffset = c.offset
                p.committedLeaderEpoch = c.leaderEpoch
                p.metadata = c.metadata
            } else {
                p.committedOffset = -1
                p.committedLeaderEpoch = -1
                p.metadata = ""
            }
            byTopic[tp.topic, default: []].append(p)
        }
        return byTopic.keys.sorted().map { .init(name: $0, partitions: byTopic[$0]!) }
    }

    /// ListGroups: v4 filters by state, v5 by type ("classic", "consumer"), both compared
    /// case-insensitively as Kafka compares them; an empty filter keeps every group.
    func listGroups(_ r: ListGroupsRequest) async -> ListGroupsResponse {
        let states = Set(r.statesFilter.map { $0.lowercased() })
        let types = Set(r.typesFilter.map { $0.lowercased() })
        var response = ListGroupsResponse()
        response.groups = await engine.coordinator.listGroups().compactMap {
            var g = ListGroupsResponse.ListedGroup()
            g.groupId = $0.groupId
            g.protocolType = $0.protocolType
            g.groupState = $0.state.kafkaName
            g.groupType = $0.isConsumerProtocol ? "consumer" : "classic"
            guard states.isEmpty || states.contains(g.groupState.lowercased()), types.isEmpty || types.contains(g.groupType) else { return nil }
            return g
        }
        return response
    }

    func describeGroups(_ r: DescribeGroupsRequest) async -> DescribeGroupsResponse {
        var response = DescribeGroupsResponse()
        for id in r.groups {
            var g = DescribeGroupsResponse.DescribedGroup()
            g.groupId = id
            // A KIP-848 group is Dead to the classic API, as Kafka answers DescribeGroups before
            // v6; clients ask ConsumerGroupDescribe for it.
            if await engine.coordinator.isConsumerProtocolGroup(id) {
                g.groupState = "Dead"
            } else if let d = await engine.coordinator.describe(groupId: id) {
                g.groupState = d.state.rawValue
                g.protocolType = d.protocolType
                g.protocolData = d.protocolName
                g.members = d.members.map {
                    var m = DescribeGroupsResponse.DescribedGroupMember()
                    m.memberId = $0.memberId
                    m.groupInstanceId = $0.groupInstanceId
                    m.clientId = $0.clientId
                    m.clientHost = $0.clientHost
                    m.memberMetadata = $0.metadata
                    m.memberAssignment = $0.assignment
                    return m
                }
            } else {
                g.groupState = "Dead"
            }
            response.groups.append(g)
        }
        return response
    }

    func deleteGroups(_ r: DeleteGroupsRequest, actor: AuditActor) async -> DeleteGroupsResponse {
        var response = DeleteGroupsResponse()
        for id in r.groupsNames {
            var code = KafkaError.none
            do {
                try InternalNames.checkClientMayUse(group: id)
                try await engine.deleteGroup(id, actor: actor)
            } catch {
                code = KafkaError.code(error)
            }
            response.results.append(.init(groupId: id, errorCode: code))
        }
        return response
    }

    func groupErrorCode(_ error: WharfError) -> Int16 {
        switch error {
        case .unknownGroup: KafkaError.unknownMemberId
        case .invalidArgument(let why) where why.contains("protocol"): KafkaError.inconsistentGroupProtocol
        default: KafkaError.code(wharf: error)
        }
    }
}
