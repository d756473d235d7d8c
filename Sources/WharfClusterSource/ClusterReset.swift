import WharfAdmin
import WharfCore
import WharfKafkaClient

/// `group reset --bootstrap`: the same plan as `Engine.planReset` (`ResetPlanner`), over the Kafka
/// protocol, executed with an administrative OffsetCommit as kafka-consumer-groups does. Unlike
/// the embedded engine, a remote coordinator cannot be fenced by us, so a group with live
/// members is refused: its consumers would overwrite the reset with their next commit.
public enum ClusterReset {
    public static func plan(_ client: KafkaClient, group: String, topic name: String, partitions: [Int32]?,
                     to spec: OffsetResetSpec, nowMs: Int64) async throws -> [ResetPlanRow] {
        let metadata = try await client.refreshMetadata()
        guard let topic = metadata.topic(name) else { throw WharfError.unknownTopic(name) }
        let all = topic.partitions.map(\.partition)
        let chosen = partitions ?? all
        for p in chosen where !all.contains(p) { throw WharfError.unknownPartition(topic: name, partition: p) }
        let tps = chosen.map { TopicPartition(name, $0) }
        let committed = try await client.offsetFetch([group])[group] ?? [:]
        let logs = try await client.logOffsets(tps)
        var byTime: [TopicPartition: Int64] = [:]
        if let ts = ResetPlanner.searchTimestamp(spec, nowMs: nowMs) { byTime = try await client.firstOffsets(atOrAfter: ts, in: tps) }
        return tps.map { tp in
            let (start, end) = logs[tp] ?? (0, 0)
            return ResetPlanner.row(topic: name, partition: tp.partition, logStart: start, logEnd: end, committed: committed[tp],
                                    spec: spec, offsetAtTime: byTime[tp])
        }
    }

    /// Commits the plan's offsets after checking, with DescribeGroups, that the group is empty.
    public static func execute(_ client: KafkaClient, group: String, plan: [ResetPlanRow]) async throws {
        guard !plan.isEmpty else { throw WharfError.invalidArgument("nothing to reset") }
        if let d = try await client.describeGroups([group])[group], !d.members.isEmpty || !["Empty", "Dead"].contains(d.state) {
            throw KafkaClientError.refused(
                "group \(group) has \(d.members.count) live member\(d.members.count == 1 ? "" : "s") (state \(d.state)): "
                    + "stop its consumers first; a reset over --bootstrap needs an empty group, because a remote coordinator cannot be fenced")
        } else if let listed = try await client.listGroups().first(where: { $0.groupId == group }),
                  !listed.state.isEmpty, !["Empty", "Dead"].contains(listed.state) {
            // A KIP-848 group describes as Dead to the classic API; its listing tells the truth.
            throw KafkaClientError.refused(
                "group \(group) is \(listed.state) (a \(listed.groupType.isEmpty ? "consumer" : listed.groupType)-protocol group with live members): "
                    + "stop its consumers first; a reset over --bootstrap needs an empty group, because a remote coordinator cannot be fenced")
        }
        var offsets: [TopicPartition: Int64] = [:]
        for row in plan { offsets[TopicPartition(row.topic, row.partition)] = row.newOffset }
        try await client.commitOffsets(group: group, offsets)
    }
}
