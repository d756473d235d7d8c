import KafkaProtocol
import WharfCore
import WharfEngine

/// KIP-848 consumer groups over the wire: ConsumerGroupHeartbeat (API 68) and
/// ConsumerGroupDescribe (API 69). The engine's coordinator works with topic names; here they
/// become the topic ids the protocol carries, and back.
extension KafkaBroker {
    func consumerGroupHeartbeat(_ r: KafkaProtocol.ConsumerGroupHeartbeatRequest, clientId: String, clientHost: String) async -> ConsumerGroupHeartbeatResponse {
        var response = ConsumerGroupHeartbeatResponse()
        // Owned partitions of topics that no longer exist (deleted, or recreated under a new
        // id) are not the member's any more: they are left out, as Kafka does.
        let owned = r.topicPartitions.map { topics in
            topics.flatMap { t in
                engine.topicName(forId: (t.topicId.high, t.topicId.low)).map { name in t.partitions.map { TopicPartition(name, $0) } } ?? []
            }
        }
        let request = WharfEngine.ConsumerGroupHeartbeatRequest(
            groupId: r.groupId, memberId: r.memberId, memberEpoch: r.memberEpoch, instanceId: r.instanceId, rackId: r.rackId,
            rebalanceTimeoutMs: r.rebalanceTimeoutMs, subscribedTopicNames: r.subscribedTopicNames,
            subscribedTopicRegex: r.subscribedTopicRegex, serverAssignor: r.serverAssignor, ownedPartitions: owned,
            clientId: clientId, clientHost: clientHost)
        do throws(ConsumerGroupError) {
            let result = try await engine.consumerGroupHeartbeat(request)
            response.memberId = result.memberId
            response.memberEpoch = result.memberEpoch
            response.heartbeatIntervalMs = result.heartbeatIntervalMs
            response.assignment = result.assignment.map { .init(topicPartitions: topicIdPartitions($0)) }
        } catch {
            response.errorCode = Self.code(error)
            response.errorMessage = error.description
            response.memberId = r.memberId.isEmpty ? nil : r.memberId
            response.memberEpoch = r.memberEpoch
        }
        return response
    }

    func consumerGroupDescribe(_ r: ConsumerGroupDescribeRequest) async -> ConsumerGroupDescribeResponse {
        var response = ConsumerGroupDescribeResponse()
        for id in r.groupIds {
            var g = ConsumerGroupDescribeResponse.DescribedGroup()
            g.groupId = id
            if let d = await engine.coordinator.describeConsumerGroup(id) {
                g.groupState = d.state.rawValue
                g.groupEpoch = d.groupEpoch
                g.assignmentEpoch = d.assignmentEpoch
                g.assignorName = d.assignor
                g.members = d.members.map { m in
                    var member = ConsumerGroupDescribeResponse.Member()
                    member.memberId = m.memberId
                    member.instanceId = m.instanceId
                    member.rackId = m.rackId
                    member.memberEpoch = m.memberEpoch
                    member.clientId = m.clientId
                    member.clientHost = m.clientHost
                    member.subscribedTopicNames = m.subscribedTopicNames
                    member.subscribedTopicRegex = m.subscribedTopicRegex
                    member.assignment = .init(topicPartitions: describedPartitions(m.assigned))
                    member.targetAssignment = .init(topicPartitions: describedPartitions(m.target))
                    return member
                }
            } else {
                g.errorCode = KafkaError.groupIdNotFound
                g.errorMessage = "group \(id) is not a consumer-protocol group"
            }
            response.groups.append(g)
        }
        return response
    }

    /// Partitions grouped by topic, with the topic's id; topics without one (deleted) are left out.
    private func topicIdPartitions(_ partitions: [TopicPartition]) -> [ConsumerGroupHeartbeatResponse.TopicPartitions] {
        Dictionary(grouping: partitions, by: \.topic).sorted { $0.key < $1.key }.compactMap { topic, tps in
            guard let id = try? engine.topicId(topic) else { return nil }
            return .init(topicId: KafkaUUID(high: id.high, low: id.low), partitions: tps.map(\.partition).sorted())
        }
    }

    private func describedPartitions(_ partitions: [TopicPartition]) -> [ConsumerGroupDescribeResponse.TopicPartitions] {
        Dictionary(grouping: partitions, by: \.topic).sorted { $0.key < $1.key }.map { topic, tps in
            let id = (try? engine.topicId(topic)).map { KafkaUUID(high: $0.high, low: $0.low) } ?? .zero
            return .init(topicId: id, topicName: topic, partitions: tps.map(\.partition).sorted())
        }
    }

    static func code(_ error: ConsumerGroupError) -> Int16 {
        switch error {
        case .fencedMemberEpoch: KafkaError.fencedMemberEpoch
        case .unknownMember: KafkaError.unknownMemberId
        case .groupIdNotFound: KafkaError.groupIdNotFound
        case .unsupportedAssignor: KafkaError.unsupportedAssignor
        case .unreleasedInstanceId: KafkaError.unreleasedInstanceId
        case .invalidRegularExpression: KafkaError.invalidRegularExpression
        case .invalidRequest: KafkaError.invalidRequest
        case .staleMemberEpoch: KafkaError.staleMemberEpoch
        }
    }
}
