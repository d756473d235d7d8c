import WharfCore

/// A suspended JoinGroup or SyncGroup: resumed exactly once, by the coordinator, with the
/// answer or an error. `token` tells a re-sent request's waiter from the one it replaced.
struct GroupWaiter<Value: Sendable>: Sendable {
    let token: UInt64
    let continuation: CheckedContinuation<Result<Value, WharfError>, Never>

    func resume(_ result: Result<Value, WharfError>) { continuation.resume(returning: result) }
}

/// One member of a classic group, as the coordinator tracks it.
struct GroupMember {
    let memberId: String
    var groupInstanceId: String?
    var clientId: String
    var clientHost: String
    var sessionTimeoutMs: Int32
    var rebalanceTimeoutMs: Int32
    var protocols: [GroupProtocol]
    /// The leader's assignment from the last completed sync; [] while rebalancing.
    var assignment: [UInt8] = []
    /// Last sign of life (join, sync, heartbeat, commit), ms since the epoch.
    var lastHeartbeatMs: Int64
    /// Has sent JoinGroup in the current PreparingRebalance round.
    var hasJoined = false

    func metadata(for protocolName: String?) -> [UInt8] {
        protocols.first { $0.name == protocolName }?.metadata ?? []
    }
}

/// The initial-rebalance delay of a group that left Empty (Kafka's `InitialDelayedJoin`):
/// the join completes at `deadline`, which moves on by the delay while new members keep
/// arriving, never past `maxDeadline` (the rebalance timeout).
struct InitialDelay {
    var deadline: Int64
    var maxDeadline: Int64
    var newMemberAdded = false
}

/// A classic (pre-KIP-848) consumer group: membership, generation, protocol choice, the
/// rebalance bookkeeping, committed offsets and the suspended requests. Owned and mutated
/// only by the `GroupCoordinator` actor, never shared (hence a non-Sendable class).
///
/// Invariants: `members` is in join order and its ids are unique; `leaderId` is a member's id
/// or nil when there are no members; `state == .empty` iff `members.isEmpty`, except
/// transiently inside a coordinator call; `joinWaiters` are only non-empty in
/// PreparingRebalance and `syncWaiters` only in CompletingRebalance.
final class ClassicGroup {
    let groupId: String
    var state: GroupState = .empty
    var protocolType: String?
    var protocolName: String?
    var generationId: Int32 = 0
    var leaderId: String?
    private(set) var members: [GroupMember] = []
    var offsets: [TopicPartition: CommittedOffset] = [:]
    var stateTimestamp: Int64

    /// When the current PreparingRebalance round completes even if members are missing.
    var rebalanceDeadline: Int64?
    var initialDelay: InitialDelay?
    /// Set by a fenced reset: `generationId` was already advanced past `fencedGeneration`, so
    /// the completing join must not advance it again.
    var fencedGeneration: Int32?

    var joinWaiters: [String: GroupWaiter<JoinGroupResult>] = [:]
    var syncWaiters: [String: GroupWaiter<[UInt8]>] = [:]

    init(groupId: String, now: Int64) {
        self.groupId = groupId
        self.stateTimestamp = now
    }

    // MARK: members

    func index(of memberId: String) -> Int? { members.firstIndex { $0.memberId == memberId } }
    func member(_ memberId: String) -> GroupMember? { index(of: memberId).map { members[$0] } }
    func has(_ memberId: String) -> Bool { index(of: memberId) != nil }

    func update(_ memberId: String, _ body: (inout GroupMember) -> Void) {
        if let i = index(of: memberId) { body(&members[i]) }
    }

    func updateAll(_ body: (inout GroupMember) -> Void) {
        for i in members.indices { body(&members[i]) }
    }

    /// Adds a member; the first member of a leaderless group becomes its leader.
    func add(_ member: GroupMember) {
        precondition(!has(member.memberId), "member \(member.memberId) is already in \(groupId)")
        members.append(member)
        if leaderId == nil { leaderId = member.memberId }
    }

    /// Removes a member; if it led, the oldest remaining member leads.
    func remove(_ memberId: String) {
        members.removeAll { $0.memberId == memberId }
        if leaderId == memberId { leaderId = members.first?.memberId }
    }

    /// The longest rebalance timeout of the members: how long a rebalance may wait for them.
    var rebalanceTimeoutMs: Int64 {
        Int64(members.map(\.rebalanceTimeoutMs).max() ?? 0)
    }

    // MARK: protocols

    /// Kafka's `supportsProtocols`: an empty group takes any non-empty type and protocol list;
    /// otherwise the type must match and one of the protocols must be supported by every other
    /// member.
    func supports(protocolType: String, protocols: [GroupProtocol], joining memberId: String) -> Bool {
        let others = members.filter { $0.memberId != memberId }
        if others.isEmpty { return !protocolType.isEmpty && !protocols.isEmpty }
        guard protocolType == self.protocolType else { return false }
        return protocols.contains { p in others.allSatisfy { m in m.protocols.contains { $0.name == p.name } } }
    }

    /// Kafka's `selectProtocol`: among protocols every member supports, each member votes for
    /// the first in its own preference order; most votes wins, ties going to the one the
    /// oldest member prefers.
    func selectProtocol() -> String? {
        guard let first = members.first else { return nil }
        let candidates = first.protocols.map(\.name).filter { name in
            members.allSatisfy { m in m.protocols.contains { $0.name == name } }
        }
        guard !candidates.isEmpty else { return first.protocols.first?.name }
        var votes: [String: Int] = [:]
        for m in members {
            if let vote = m.protocols.first(where: { candidates.contains($0.name) }) { votes[vote.name, default: 0] += 1 }
        }
        var best = candidates[0]
        for c in candidates where votes[c, default: 0] > votes[best, default: 0] { best = c }
        return best
    }

    // MARK: answers

    /// The JoinGroup answer for `memberId` in the current generation.
    func joinResult(for memberId: String) -> JoinGroupResult {
        let isLeader = memberId == leaderId
        return JoinGroupResult(
            generationId: generationId, protocolType: protocolType ?? "", protocolName: protocolName ?? "",
            leaderId: leaderId ?? "", memberId: memberId,
            members: isLeader
                ? members.map { JoinGroupMember(memberId: $0.memberId, groupInstanceId: $0.groupInstanceId, metadata: $0.metadata(for: protocolName)) }
                : [])
    }

    func snapshot() -> GroupMetadataSnapshot {
        GroupMetadataSnapshot(
            protocolType: protocolType ?? "", generationId: generationId, protocolName: protocolName,
            leaderId: leaderId, currentStateTimestamp: stateTimestamp,
            members: members.map {
                .init(memberId: $0.memberId, groupInstanceId: $0.groupInstanceId, clientId: $0.clientId,
                      clientHost: $0.clientHost, rebalanceTimeoutMs: $0.rebalanceTimeoutMs,
                      sessionTimeoutMs: $0.sessionTimeoutMs, subscription: $0.metadata(for: protocolName),
                      assignment: $0.assignment)
            })
    }

    func describe() -> GroupDescription {
        let isConsumer = protocolType == ConsumerProtocol.protocolType
        return GroupDescription(
            groupId: groupId, state: state, protocolType: protocolType ?? "", protocolName: protocolName ?? "",
            generationId: generationId, leaderId: leaderId,
            members: members.map { m in
                let metadata = m.metadata(for: protocolName)
                return GroupMemberDescription(
                    memberId: m.memberId, groupInstanceId: m.groupInstanceId, clientId: m.clientId,
                    clientHost: m.clientHost, metadata: metadata, assignment: m.assignment,
                    subscribedTopics: isConsumer && !metadata.isEmpty ? (try? ConsumerSubscription.decode(metadata))?.topics : nil,
                    assignedPartitions: isConsumer ? (try? ConsumerAssignment.decode(m.assignment))?.partitions : nil)
            })
    }
}
