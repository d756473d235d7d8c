import WharfAdmin
import WharfCore
import WharfDashboard

extension GroupSnapshot {
    /// A member as any source describes it: ids, host and the partitions assigned to it.
    public typealias Member = (memberId: String, clientId: String, host: String, assigned: [TopicPartition])

    /// The Groups view's group from any source's lag rows and members; a partition's owner is
    /// the member it is assigned to. `timeLagMs`: the source's time lag of a row (nil: unknown).
    public init(name: String, state: String, members: [Member], rows: [PartitionLag], timeLagMs: (PartitionLag) -> Int64?) {
        var ownerOf: [TopicPartition: String] = [:]
        let snapshots = members.map { m -> GroupMember in
            for tp in m.assigned { ownerOf[tp] = m.memberId }
            return GroupMember(memberId: m.memberId, clientId: m.clientId, host: m.host,
                               assigned: m.assigned.map { TopicPartitionRef(topic: $0.topic, partition: $0.partition) })
        }
        self.init(name: name, state: state, members: snapshots, partitions: rows.map { r in
            GroupPartitionSnapshot(topic: r.topic, partition: r.partition, committed: r.committedOffset, logEnd: r.logEndOffset, lag: r.lag,
                                   timeLagMs: timeLagMs(r), owner: ownerOf[TopicPartition(r.topic, r.partition)], lastCommitMs: r.lastCommitMs)
        })
    }
}

extension GroupSnapshot {
    /// The Groups view's group from any source's `GroupStatus` (time lag unknown where it says so).
    public init(_ g: GroupStatus) {
        self.init(name: g.group, state: g.state, members: g.members.map { ($0.memberId, $0.clientId, $0.host, $0.assigned) }, rows: g.partitions) {
            g.unknownTimeLag.contains(TopicPartition($0.topic, $0.partition)) ? nil : $0.timeLagMs
        }
    }
}
