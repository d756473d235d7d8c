import KafkaProtocol
import WharfCore

/// Committed offsets with their metadata string, for the one group whose metadata means
/// something to us: the requeue progress of a dead-letter topic (`__wharf-requeue.<topic>`),
/// which lists the offsets requeued above the committed prefix.
extension KafkaClient {
    /// The committed offset and metadata of every partition `group` committed.
    public func offsetFetchWithMetadata(group: String) async throws(KafkaClientError) -> [TopicPartition: (offset: Int64, metadata: String)] {
        let version = try await negotiatedVersion(.offsetFetch)
        guard version >= 2 else { throw .unsupported("broker only has OffsetFetch v1, which cannot list a group's partitions") }
        return try await withRetry { () async throws(KafkaClientError) -> [TopicPartition: (offset: Int64, metadata: String)] in
            guard let node = try await coordinators(for: [group])[group] else { throw .notFound("no coordinator for group \(group)") }
            var out: [TopicPartition: (offset: Int64, metadata: String)] = [:]
            var request = OffsetFetchRequest()
            if version >= 8 {
                request.groups = [OffsetFetchRequest.OffsetFetchRequestGroup(groupId: group, memberId: nil, memberEpoch: -1, topics: nil)]
                let r = try await send(request, to: .node(node))
                for g in r.groups {
                    // Nothing requeued yet: the group does not exist.
                    if g.errorCode == KafkaErrorCode.groupIdNotFound { return [:] }
                    try checkGroupError(g.errorCode, api: "OffsetFetch", group: group)
                    for t in g.topics {
                        for p in t.partitions where p.committedOffset >= 0 {
                            out[TopicPartition(t.name, p.partitionIndex)] = (p.committedOffset, p.metadata ?? "")
                        }
                    }
                }
            } else {
                request.groupId = group
                request.topics = nil
                let r = try await send(request, to: .node(node))
                if r.errorCode == KafkaErrorCode.groupIdNotFound { return [:] }
                try checkGroupError(r.errorCode, api: "OffsetFetch", group: group)
                for t in r.topics {
                    for p in t.partitions where p.committedOffset >= 0 {
                        out[TopicPartition(t.name, p.partitionIndex)] = (p.committedOffset, p.metadata ?? "")
                    }
                }
            }
            return out
        }
    }

    /// An administrative commit (generation -1, no member) with a metadata string per partition.
    public func commitOffsets(group: String, withMetadata offsets: [TopicPartition: (offset: Int64, metadata: String)]) async throws(KafkaClientError) {
        guard !offsets.isEmpty else { return }
        try await withRetry { () async throws(KafkaClientError) in
            guard let node = try await coordinators(for: [group])[group] else { throw .notFound("no coordinator for group \(group)") }
            var request = OffsetCommitRequest()
            request.groupId = group
            request.generationIdOrMemberEpoch = -1
            request.memberId = ""
            request.retentionTimeMs = -1
            var byTopic: [String: [OffsetCommitRequest.OffsetCommitRequestPartition]] = [:]
            for (tp, value) in offsets.sorted(by: { $0.key < $1.key }) {
                var p = OffsetCommitRequest.OffsetCommitRequestPartition()
                p.partitionIndex = tp.partition
                p.committedOffset = value.offset
                p.committedLeaderEpoch = -1
                p.committedMetadata = value.metadata
                byTopic[tp.topic, default: []].append(p)
            }
            request.topics = byTopic.keys.sorted().map { .init(name: $0, partitions: byTopic[$0]!) }
            let r = try await send(request, to: .node(node))
            for t in r.topics { for p in t.partitions { try checkGroupError(p.errorCode, api: "OffsetCommit", group: group) } }
        }
    }
}
