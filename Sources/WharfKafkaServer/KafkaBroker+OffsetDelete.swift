import KafkaProtocol
import WharfCore
import WharfEngine

/// OffsetDelete (API 47, KIP-496): removes a group's committed offsets for partitions it no
/// longer consumes. A group error (unknown, not empty) is answered at the top; a partition of
/// a topic a member still subscribes to gets GROUP_SUBSCRIBED_TO_TOPIC, one that does not
/// exist UNKNOWN_TOPIC_OR_PARTITION.
extension KafkaBroker {
    func offsetDelete(_ r: OffsetDeleteRequest) async -> OffsetDeleteResponse {
        var response = OffsetDeleteResponse()
        do throws(WharfError) {
            try InternalNames.checkClientMayUse(group: r.groupId)
        } catch {
            response.errorCode = KafkaError.code(error)
            return response
        }
        var wanted: [TopicPartition] = []
        var unknown = Set<TopicPartition>()
        for t in r.topics {
            for p in t.partitions {
                let tp = TopicPartition(t.name, p.partitionIndex)
                if (try? engine.offsets(topic: t.name, partition: p.partitionIndex)) == nil { unknown.insert(tp) } else { wanted.append(tp) }
            }
        }
        // Subscribed topics are refused per partition; the rest are deleted together.
        let subscribed = await subscribedTopics(r.groupId)
        let deletable = wanted.filter { !subscribed.contains($0.topic) }
        do throws(WharfError) {
            guard await engine.coordinator.describe(groupId: r.groupId) != nil else { throw .unknownGroup(r.groupId) }
            try await engine.coordinator.deleteOffsets(groupId: r.groupId, partitions: deletable)
        } catch {
            response.errorCode = switch error {
            case .unknownGroup: KafkaError.groupIdNotFound
            case .invalidArgument: KafkaError.groupSubscribedToTopic
            default: KafkaError.code(wharf: error)
            }
            return response
        }
        response.topics = r.topics.map { t in
            .init(name: t.name, partitions: t.partitions.map { p in
                let tp = TopicPartition(t.name, p.partitionIndex)
                let code = unknown.contains(tp) ? KafkaError.unknownTopicOrPartition
                    : subscribed.contains(t.name) ? KafkaError.groupSubscribedToTopic : KafkaError.none
                return .init(partitionIndex: p.partitionIndex, errorCode: code)
            })
        }
        return response
    }

    /// Topics the group's members subscribe to (a consumer group with members; empty otherwise).
    private func subscribedTopics(_ groupId: String) async -> Set<String> {
        guard let d = await engine.coordinator.describe(groupId: groupId) else { return [] }
        return Set(d.members.flatMap { $0.subscribedTopics ?? [] })
    }
}
