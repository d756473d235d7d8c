import KafkaProtocol
import WharfCore

extension KafkaClient {
    /// Every consumer group on every broker (each broker lists the groups it coordinates). From
    /// ListGroups v5 (Kafka 4) share and streams groups are filtered out: they have no consumer
    /// offsets to show, and OffsetFetch would refuse them.
    public func listGroups() async throws(KafkaClientError) -> [ListedGroup] {
        let nodes = try await refreshMetadata().brokers.keys
        let all = try await perNode(nodes) { (node: Int32) async throws(KafkaClientError) -> [ListedGroup] in
            let r = try await self.send(ListGroupsRequest(typesFilter: ["classic", "consumer"]), to: .node(node))
            guard r.errorCode == 0 else { throw .broker(api: "ListGroups", code: r.errorCode, context: "") }
            return r.groups.map { ListedGroup(groupId: $0.groupId, state: $0.groupState, protocolType: $0.protocolType, groupType: $0.groupType) }
        }
        var seen = Set<String>()
        return all.values.flatMap { $0 }.filter { seen.insert($0.groupId).inserted }.sorted { $0.groupId < $1.groupId }
    }

    /// DescribeGroups: one request per coordinator for all its groups.
    public func describeGroups(_ groups: [String]) async throws(KafkaClientError) -> [String: GroupDescription] {
        guard !groups.isEmpty else { return [:] }
        return try await withRetry { () async throws(KafkaClientError) -> [String: GroupDescription] in
            let routes = try await byCoordinator(groups)
            let perNode = try await perNode(routes.keys) { (node: Int32) async throws(KafkaClientError) -> [String: GroupDescription] in
                var request = DescribeGroupsRequest()
                request.groups = routes[node]!
                let r = try await self.send(request, to: .node(node))
                var out: [String: GroupDescription] = [:]
                for g in r.groups {
                    if g.errorCode == KafkaErrorCode.notCoordinator || g.errorCode == KafkaErrorCode.coordinatorNotAvailable {
                        await self.forgetCoordinator(g.groupId)
                        throw .broker(api: "DescribeGroups", code: g.errorCode, context: "group \(g.groupId)")
                    }
                    // Kafka 4 answers GROUP_ID_NOT_FOUND ("not a classic group") for a KIP-848
                    // consumer group from v6, and "Dead" with no members before: the same to us.
                    if g.errorCode == KafkaErrorCode.groupIdNotFound {
                        out[g.groupId] = GroupDescription(groupId: g.groupId, state: "Dead", protocolType: "", members: [])
                        continue
                    }
                    guard g.errorCode == 0 else { throw .broker(api: "DescribeGroups", code: g.errorCode, context: "group \(g.groupId)") }
                    out[g.groupId] = GroupDescription(
                        groupId: g.groupId, state: g.groupState, protocolType: g.protocolType,
                        members: g.members.map {
                            .init(memberId: $0.memberId, clientId: $0.clientId, host: $0.clientHost,
                                  assignment: g.protocolType == "consumer" ? ConsumerAssignment.decode($0.memberAssignment) : [])
                        })
                }
                return out
            }
            var out = perNode.values.reduce(into: [String: GroupDescription]()) { $0.merge($1) { a, _ in a } }
            // A KIP-848 consumer group is "Dead" with no members to the classic API: ask the
            // consumer-group API for those, when the broker has it (Kafka 4).
            let unknown = out.values.filter { $0.state == "Dead" && $0.members.isEmpty }.map(\.groupId)
            if !unknown.isEmpty, (try? await negotiatedVersion(.consumerGroupDescribe)) != nil {
                for (id, d) in try await consumerGroupDescribe(unknown) { out[id] = d }
            }
            return out
        }
    }

    /// ConsumerGroupDescribe (KIP-848): state, members and their assignments of consumer-protocol
    /// groups, one request per coordinator. Groups that are not consumer-protocol groups (or do
    /// not exist) are left out.
    func consumerGroupDescribe(_ groups: [String]) async throws(KafkaClientError) -> [String: GroupDescription] {
        let routes = try await byCoordinator(groups)
        let perNode = try await perNode(routes.keys) { (node: Int32) async throws(KafkaClientError) -> [String: GroupDescription] in
            let r = try await self.send(ConsumerGroupDescribeRequest(groupIds: routes[node]!), to: .node(node))
            var out: [String: GroupDescription] = [:]
            for g in r.groups {
                if g.errorCode == KafkaErrorCode.notCoordinator || g.errorCode == KafkaErrorCode.coordinatorNotAvailable {
                    await self.forgetCoordinator(g.groupId)
                    throw .broker(api: "ConsumerGroupDescribe", code: g.errorCode, context: "group \(g.groupId)")
                }
                guard g.errorCode == 0 else { continue }  // GROUP_ID_NOT_FOUND: not a consumer-protocol group
                out[g.groupId] = Self.description(of: g)
            }
            return out
        }
        return perNode.values.reduce(into: [:]) { $0.merge($1) { a, _ in a } }
    }

    /// A KIP-848 group in the classic shape: its state in Kafka's words for the new protocol
    /// ("Stable", "Assigning", "Reconciling", "Empty"...), members with their current assignment.
    static func description(of g: ConsumerGroupDescribeResponse.DescribedGroup) -> GroupDescription {
        GroupDescription(groupId: g.groupId, state: g.groupState, protocolType: "consumer", members: g.members.map { m in
            .init(memberId: m.memberId, clientId: m.clientId, host: m.clientHost,
                  assignment: m.assignment.topicPartitions.flatMap { t in t.partitions.map { TopicPartition(t.topicName, $0) } })
        })
    }

    /// Committed offsets of each group (all partitions it committed). From OffsetFetch v8 the
    /// groups of one coordinator share a request; before that it is one request per group.
    public func offsetFetch(_ groups: [String]) async throws(KafkaClientError) -> [String: [TopicPartition: Int64]] {
        guard !groups.isEmpty else { return [:] }
        let version = try await negotiatedVersion(.offsetFetch)
        guard version >= 2 else { throw .unsupported("broker only has OffsetFetch v1, which cannot list a group's partitions") }
        return try await withRetry { () async throws(KafkaClientError) -> [String: [TopicPartition: Int64]] in
            let routes = try await byCoordinator(groups)
            let perNode = try await perNode(routes.keys) { (node: Int32) async throws(KafkaClientError) -> [String: [TopicPartition: Int64]] in
                var out: [String: [TopicPartition: Int64]] = [:]
                if version >= 8 {
                    var request = OffsetFetchRequest()
                    request.groups = routes[node]!.map { OffsetFetchRequest.OffsetFetchRequestGroup(groupId: $0, memberId: nil, memberEpoch: -1, topics: nil) }
                    let r = try await self.send(request, to: .node(node))
                    for g in r.groups {
                        // A group deleted since it was listed has nothing committed.
                        if g.errorCode == KafkaErrorCode.groupIdNotFound { out[g.groupId] = [:]; continue }
                        try await self.checkGroupError(g.errorCode, api: "OffsetFetch", group: g.groupId)
                        var m: [TopicPartition: Int64] = [:]
                        for t in g.topics { for p in t.partitions where p.committedOffset >= 0 { m[TopicPartition(t.name, p.partitionIndex)] = p.committedOffset } }
                        out[g.groupId] = m
                    }
                } else {
                    for group in routes[node]! {
                        var request = OffsetFetchRequest()
                        request.groupId = group
                        request.topics = nil
                        let r = try await self.send(request, to: .node(node))
                        if r.errorCode == KafkaErrorCode.groupIdNotFound { out[group] = [:]; continue }
                        try await self.checkGroupError(r.errorCode, api: "OffsetFetch", group: group)
                        var m: [TopicPartition: Int64] = [:]
                        for t in r.topics { for p in t.partitions where p.committedOffset >= 0 { m[TopicPartition(t.name, p.partitionIndex)] = p.committedOffset } }
                        out[group] = m
                    }
                }
                return out
            }
            return perNode.values.reduce(into: [:]) { $0.merge($1) { a, _ in a } }
        }
    }

    func checkGroupError(_ code: Int16, api: String, group: String) throws(KafkaClientError) {
        guard code != 0 else { return }
        if code == KafkaErrorCode.notCoordinator || code == KafkaErrorCode.coordinatorNotAvailable { forgetCoordinator(group) }
        throw .broker(api: api, code: code, context: "group \(group)")
    }

    /// Commits offsets as an administrator (generation -1, no member), as kafka-consumer-groups
    /// does. The caller checks the group is Empty first: a remote cluster cannot be fenced.
    public func commitOffsets(group: String, _ offsets: [TopicPartition: Int64]) async throws(KafkaClientError) {
        try await commitOffsets(group: group, withMetadata: offsets.mapValues { (offset: $0, metadata: "") })
    }

    /// Deletes groups (each must have no members).
    public func deleteGroups(_ groups: [String]) async throws(KafkaClientError) {
        try await withRetry { () async throws(KafkaClientError) in
            let routes = try await byCoordinator(groups)
            _ = try await perNode(routes.keys) { (node: Int32) async throws(KafkaClientError) -> Bool in
                var request = DeleteGroupsRequest()
                request.groupsNames = routes[node]!
                let r = try await self.send(request, to: .node(node))
                for g in r.results { try await self.checkGroupError(g.errorCode, api: "DeleteGroups", group: g.groupId) }
                return true
            }
        }
    }
}
