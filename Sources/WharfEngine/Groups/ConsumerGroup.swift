import WharfCore

/// Where a KIP-848 member stands in reaching its target assignment (Kafka's `MemberState`).
enum ConsumerMemberState: String, Sendable {
    /// It holds its whole target assignment at the current epoch.
    case stable = "STABLE"
    /// It must give partitions up first; its epoch stays until it reports them revoked.
    case unrevokedPartitions = "UNREVOKED_PARTITIONS"
    /// It has the new epoch but waits for partitions other members still hold.
    case unreleasedPartitions = "UNRELEASED_PARTITIONS"
}

/// One member of a consumer-protocol group, as the coordinator tracks it.
struct ConsumerGroupMember {
    let memberId: String
    var instanceId: String?
    var rackId: String?
    var clientId: String
    var clientHost: String
    /// The epoch of the assignment the member works with; -2 while a static member is away.
    var memberEpoch: Int32 = 0
    /// The epoch before the last bump: a heartbeat carrying it is a member that missed an answer.
    var previousMemberEpoch: Int32 = -1
    var state: ConsumerMemberState = .stable
    var rebalanceTimeoutMs: Int32
    var subscribedTopicNames: [String] = []
    var subscribedTopicRegex: String?
    var serverAssignor: String?
    /// Partitions the member may consume now.
    var assigned: Set<TopicPartition> = []
    /// Partitions it must stop consuming before anyone else gets them.
    var pendingRevocation: Set<TopicPartition> = []
    var lastHeartbeatMs: Int64
    /// When a member asked to revoke must have done so (its rebalance timeout).
    var revocationDeadlineMs: Int64?

    /// Partitions nobody else may be given yet.
    var holds: Set<TopicPartition> { assigned.union(pendingRevocation) }

    /// Whether a static member left with epoch -2 and may be replaced by its instance id.
    var isAwayStatic: Bool { memberEpoch == ConsumerGroup.staticLeaveEpoch }
}

/// A consumer group speaking the KIP-848 protocol (ConsumerGroupHeartbeat): membership, the
/// group epoch, the target assignment computed on the server, and each member's progress
/// towards it. Owned and mutated only by the `GroupCoordinator` actor (a non-Sendable class,
/// like `ClassicGroup`). Its committed offsets live in the coordinator's `ClassicGroup` entry
/// of the same id, so offset commits, fetches, deletions and lag work alike for both kinds.
///
/// Invariants: `assignmentEpoch <= groupEpoch`; every member's `memberEpoch <=
/// assignmentEpoch`; no partition is held (`assigned` or `pendingRevocation`) by two members.
final class ConsumerGroup {
    static let leaveEpoch: Int32 = -1
    static let staticLeaveEpoch: Int32 = -2

    let groupId: String
    var groupEpoch: Int32 = 0
    var assignmentEpoch: Int32 = 0
    var members: [String: ConsumerGroupMember] = [:]
    var targetAssignment: [String: Set<TopicPartition>] = [:]
    /// Partition counts of the subscribed topics when the target was last computed; a change
    /// (topic created, deleted, grown) bumps the group epoch.
    var subscribedTopics: [String: Int32] = [:]
    var assignor: ConsumerGroupAssignor = .default
    var stateTimestamp: Int64

    init(groupId: String, now: Int64) {
        self.groupId = groupId
        self.stateTimestamp = now
    }

    /// Kafka's consumer group states: Empty, Assigning (a new target is due), Reconciling
    /// (members are moving to it), Stable.
    var state: GroupState {
        if members.isEmpty { return .empty }
        if groupEpoch > assignmentEpoch { return .assigning }
        if members.values.contains(where: { $0.memberEpoch != assignmentEpoch || $0.state != .stable }) { return .reconciling }
        return .stable
    }

    func member(instanceId: String) -> ConsumerGroupMember? {
        members.values.first { $0.instanceId == instanceId }
    }

    /// Whether a member other than `memberId` holds `tp`.
    func heldByOther(_ tp: TopicPartition, than memberId: String) -> Bool {
        members.contains { $0.key != memberId && $0.value.holds.contains(tp) }
    }

    /// The topics a member's subscription names now: its names, plus every topic the regex
    /// matches whole (internal topics excepted, as Kafka's regex subscriptions skip them).
    static func topics(of member: ConsumerGroupMember, catalog: TopicCatalog) -> Set<String> {
        var out = Set(member.subscribedTopicNames)
        if let pattern = member.subscribedTopicRegex, !pattern.isEmpty, let regex = try? Regex(pattern) {
            for name in catalog.names() where !InternalNames.isInternalTopic(name) {
                if (try? regex.wholeMatch(in: name)) != nil { out.insert(name) }
            }
        }
        return out
    }

    // MARK: reconciliation (Kafka's CurrentAssignmentBuilder)

    /// Moves `member` towards its target. Revocation comes first: partitions leaving the
    /// member are taken out of `assigned` into `pendingRevocation`, its epoch unchanged,
    /// until it reports (`owned`) that it released them. Then it takes the new epoch with the
    /// target partitions nobody else holds, waiting (UNRELEASED_PARTITIONS) for the rest.
    func reconcile(_ member: ConsumerGroupMember, owned: Set<TopicPartition>?, now: Int64) -> ConsumerGroupMember {
        var m = member
        switch m.state {
        case .stable:
            guard m.memberEpoch != assignmentEpoch else { return m }
        case .unrevokedPartitions:
            guard let owned, owned.isDisjoint(with: m.pendingRevocation) else { return m }
            m.pendingRevocation = []
            m.revocationDeadlineMs = nil
        case .unreleasedPartitions:
            break
        }
        let target = targetAssignment[m.memberId] ?? []
        let revoke = m.assigned.subtracting(target)
        if !revoke.isEmpty {
            m.state = .unrevokedPartitions
            m.assigned.subtract(revoke)
            m.pendingRevocation = revoke
            m.revocationDeadlineMs = now &+ Int64(max(m.rebalanceTimeoutMs, 0))
            return m
        }
        let wanted = target.subtracting(m.assigned)
        let free = wanted.filter { !heldByOther($0, than: m.memberId) }
        if m.memberEpoch != assignmentEpoch {
            m.previousMemberEpoch = m.memberEpoch
            m.memberEpoch = assignmentEpoch
        }
        m.assigned.formUnion(free)
        m.state = free.count < wanted.count ? .unreleasedPartitions : .stable
        return m
    }

    // MARK: answers

    func describe(protocolType: String) -> GroupDescription {
        GroupDescription(
            groupId: groupId, state: state, protocolType: protocolType, protocolName: assignor.rawValue,
            generationId: groupEpoch, leaderId: nil,
            members: members.values.sorted { $0.memberId < $1.memberId }.map { m in
                GroupMemberDescription(
                    memberId: m.memberId, groupInstanceId: m.instanceId, clientId: m.clientId, clientHost: m.clientHost,
                    metadata: [], assignment: [], subscribedTopics: m.subscribedTopicNames,
                    assignedPartitions: m.assigned.sorted())
            })
    }

    func describeConsumerGroup() -> ConsumerGroupDescription {
        ConsumerGroupDescription(
            groupId: groupId, state: state, groupEpoch: groupEpoch, assignmentEpoch: assignmentEpoch, assignor: assignor.rawValue,
            members: members.values.sorted { $0.memberId < $1.memberId }.map { m in
                ConsumerGroupDescription.Member(
                    memberId: m.memberId, instanceId: m.instanceId, rackId: m.rackId, memberEpoch: m.memberEpoch,
                    clientId: m.clientId, clientHost: m.clientHost, subscribedTopicNames: m.subscribedTopicNames,
                    subscribedTopicRegex: m.subscribedTopicRegex, assigned: m.assigned.sorted(),
                    target: (targetAssignment[m.memberId] ?? []).sorted())
            })
    }
}
