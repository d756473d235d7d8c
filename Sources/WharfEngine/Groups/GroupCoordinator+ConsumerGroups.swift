import WharfCore

/// KIP-848 consumer groups (ConsumerGroupHeartbeat), beside the classic ones on the same
/// coordinator. The server computes the assignment (`ConsumerGroupAssignor`); each member moves
/// to its target one heartbeat at a time, revoking before anyone else receives what it gave up.
///
/// A group id is either classic or consumer: a heartbeat for a classic group with members is
/// GROUP_ID_NOT_FOUND, a JoinGroup for a consumer group with members INCONSISTENT_GROUP_PROTOCOL;
/// an empty group of either kind can be taken over by the other, as Kafka converts empty groups.
///
/// Persistence: the group's existence and committed offsets (with its `ClassicGroup` entry of
/// protocol type "consumer"), and its members, epochs, subscriptions and target assignment as
/// Kafka's consumer-group records (`GroupCoordinator+ConsumerGroupRecords.swift`): a member
/// heartbeating with its epoch after a restart keeps its assignment.
extension GroupCoordinator {
    /// Largest `SubscribedTopicRegex` accepted: Swift's regex engine backtracks, so a pattern
    /// is kept short (it only ever matches topic names, at most 249 bytes).
    static let maxTopicRegexLength = 256

    /// Handles one ConsumerGroupHeartbeat: join (epoch 0), leave (-1, or -2 for a static member
    /// that will be back), or heartbeat (the member's epoch, or its previous one if it missed
    /// an answer and owns no more than it was given). Updates the subscription, recomputes the
    /// target assignment when the group epoch moved (membership, subscriptions or the
    /// subscribed topics' partition counts changed), then reconciles the member.
    public func consumerGroupHeartbeat(_ r: ConsumerGroupHeartbeatRequest, catalog: TopicCatalog) async throws(ConsumerGroupError) -> ConsumerGroupHeartbeatResult {
        let result = try applyConsumerGroupHeartbeat(r, catalog: catalog)
        await groupStateDurableOrLogged()
        return result
    }

    /// `consumerGroupHeartbeat`'s change, made and written without suspending.
    private func applyConsumerGroupHeartbeat(_ r: ConsumerGroupHeartbeatRequest, catalog: TopicCatalog) throws(ConsumerGroupError) -> ConsumerGroupHeartbeatResult {
        try Self.validate(r)
        topicCatalog = catalog
        defer { persistConsumerGroup(r.groupId) }
        let now = clock.nowMillis()
        let interval = consumerSettings.heartbeatIntervalMs
        if let classic = groups[r.groupId], !classic.members.isEmpty {
            throw .groupIdNotFound("group '\(r.groupId)' is a classic group with members")
        }
        if r.memberEpoch < 0 {
            guard let group = consumerGroups[r.groupId], var member = group.members[r.memberId] else {
                throw .unknownMember("member '\(r.memberId)' is not in group '\(r.groupId)'")
            }
            if r.memberEpoch == ConsumerGroup.staticLeaveEpoch, member.instanceId != nil {
                member.previousMemberEpoch = member.memberEpoch
                member.memberEpoch = ConsumerGroup.staticLeaveEpoch
                group.members[r.memberId] = member
                logger.info("static member left for now", metadata: ["group": "\(r.groupId)", "member": "\(r.memberId)"])
            } else {
                removeConsumerMember(r.memberId, from: group, reason: "left the group")
            }
            return ConsumerGroupHeartbeatResult(memberId: r.memberId, memberEpoch: r.memberEpoch, heartbeatIntervalMs: interval, assignment: nil)
        }
        let memberId = r.memberId.isEmpty ? Self.newMemberId(clientId: r.clientId) : r.memberId
        var bump = false
        var member: ConsumerGroupMember
        let before: ConsumerGroupMember?
        let group: ConsumerGroup
        if r.memberEpoch == 0 {
            guard r.subscribedTopicNames != nil || r.subscribedTopicRegex != nil else {
                throw .invalidRequest("SubscribedTopicNames or SubscribedTopicRegex must be set when joining")
            }
            if let instanceId = r.instanceId, let existing = consumerGroups[r.groupId]?.member(instanceId: instanceId),
               existing.memberId != memberId, !existing.isAwayStatic {
                throw .unreleasedInstanceId("instance id '\(instanceId)' is in use by member '\(existing.memberId)'")
            }
            group = consumerGroup(r.groupId, now: now)
            if let instanceId = r.instanceId, let previous = group.member(instanceId: instanceId), previous.memberId != memberId {
                guard previous.isAwayStatic else {
                    throw .unreleasedInstanceId("instance id '\(instanceId)' is in use by member '\(previous.memberId)'")
                }
                // A static member back under a new member id takes over its assignment and epoch:
                // no rebalance, as KIP-345 intends.
                member = ConsumerGroupMember(
                    memberId: memberId, instanceId: instanceId, rackId: previous.rackId, clientId: r.clientId,
                    clientHost: r.clientHost, memberEpoch: previous.previousMemberEpoch, previousMemberEpoch: -1,
                    state: previous.state, rebalanceTimeoutMs: previous.rebalanceTimeoutMs,
                    subscribedTopicNames: previous.subscribedTopicNames, subscribedTopicRegex: previous.subscribedTopicRegex,
                    serverAssignor: previous.serverAssignor, assigned: previous.assigned, pendingRevocation: previous.pendingRevocation,
                    lastHeartbeatMs: now)
                group.members[previous.memberId] = nil
                group.targetAssignment[memberId] = group.targetAssignment.removeValue(forKey: previous.memberId)
                before = nil
            } else if var existing = group.members[memberId] {
                // Rejoining after being fenced: it gave up everything it held.
                existing.assigned = []
                existing.pendingRevocation = []
                existing.state = .stable
                existing.memberEpoch = 0
                existing.revocationDeadlineMs = nil
                member = existing
                before = nil
            } else {
                member = ConsumerGroupMember(
                    memberId: memberId, instanceId: r.instanceId, rackId: r.rackId, clientId: r.clientId, clientHost: r.clientHost,
                    rebalanceTimeoutMs: 0, lastHeartbeatMs: now)
                bump = true
                before = nil
                logger.info("consumer member joined", metadata: ["group": "\(r.groupId)", "member": "\(memberId)"])
            }
        } else {
            guard let existing = consumerGroups[r.groupId]?.members[memberId], let found = consumerGroups[r.groupId] else {
                throw .unknownMember("member '\(memberId)' is not in group '\(r.groupId)'")
            }
            group = found
            try Self.checkEpoch(r, member: existing)
            member = existing
            before = existing
        }
        if r.rebalanceTimeoutMs >= 0 { member.rebalanceTimeoutMs = min(r.rebalanceTimeoutMs, timeoutLimits.maxSessionTimeoutMs) }
        if let rack = r.rackId { member.rackId = rack }
        if let names = r.subscribedTopicNames, Set(names) != Set(member.subscribedTopicNames) {
            member.subscribedTopicNames = Array(Set(names)).sorted()
            bump = true
        }
        if let regex = r.subscribedTopicRegex, regex != (member.subscribedTopicRegex ?? "") {
            member.subscribedTopicRegex = regex.isEmpty ? nil : regex
            bump = true
        }
        if let assignor = r.serverAssignor, assignor != member.serverAssignor {
            member.serverAssignor = assignor
            bump = true
        }
        member.clientId = r.clientId
        member.clientHost = r.clientHost
        member.lastHeartbeatMs = now
        group.members[memberId] = member
        if refreshSubscribedTopics(group, catalog: catalog) { bump = true }
        if bump { group.groupEpoch &+= 1 }
        if group.groupEpoch > group.assignmentEpoch { computeTargetAssignment(group, catalog: catalog) }
        let updated = group.reconcile(member, owned: r.ownedPartitions.map(Set.init), now: now)
        group.members[memberId] = updated
        let changed = before.map { $0.assigned != updated.assigned || $0.memberEpoch != updated.memberEpoch } ?? true
        return ConsumerGroupHeartbeatResult(
            memberId: memberId, memberEpoch: updated.memberEpoch, heartbeatIntervalMs: interval,
            assignment: changed ? updated.assigned.sorted() : nil)
    }

    /// The consumer group `id`, created (and its existence persisted) if new. A classic entry
    /// of the same id is kept: it holds the committed offsets.
    private func consumerGroup(_ id: String, now: Int64) -> ConsumerGroup {
        if let group = consumerGroups[id] { return group }
        let group = ConsumerGroup(groupId: id, now: now)
        consumerGroups[id] = group
        let shell = groups[id] ?? ClassicGroup(groupId: id, now: now)
        shell.protocolType = ConsumerProtocol.protocolType
        groups[id] = shell
        persistGroupMetadata(shell)
        logger.info("consumer group created", metadata: ["group": "\(id)"])
        return group
    }

    private static func validate(_ r: ConsumerGroupHeartbeatRequest) throws(ConsumerGroupError) {
        do throws(WharfError) {
            try Names.validateGroup(r.groupId)
            try InternalNames.checkClientMayUse(group: r.groupId)
        } catch {
            throw .invalidRequest("\(error)")
        }
        guard r.memberEpoch >= ConsumerGroup.staticLeaveEpoch else { throw .invalidRequest("member epoch \(r.memberEpoch) is invalid") }
        if r.memberEpoch != 0, r.memberId.isEmpty { throw .invalidRequest("MemberId can't be empty") }
        if let name = r.serverAssignor, ConsumerGroupAssignor(rawValue: name) == nil {
            throw .unsupportedAssignor("assignor '\(name)' is not one of \(ConsumerGroupAssignor.allCases.map(\.rawValue))")
        }
        if let pattern = r.subscribedTopicRegex, !pattern.isEmpty {
            guard pattern.utf8.count <= maxTopicRegexLength, (try? Regex(pattern)) != nil else {
                throw .invalidRegularExpression("SubscribedTopicRegex '\(pattern.prefix(80))' is not a valid regular expression of at most \(maxTopicRegexLength) bytes")
            }
        }
    }

    /// Kafka's epoch check: a greater epoch is never the member's; a smaller one is accepted
    /// only as the previous epoch of a member that owns no more than it was given (its answer
    /// was lost), else the member is fenced and must rejoin.
    private static func checkEpoch(_ r: ConsumerGroupHeartbeatRequest, member: ConsumerGroupMember) throws(ConsumerGroupError) {
        if r.memberEpoch == member.memberEpoch { return }
        if r.memberEpoch < member.memberEpoch, r.memberEpoch == member.previousMemberEpoch,
           let owned = r.ownedPartitions, Set(owned).isSubset(of: member.assigned) {
            return
        }
        throw .fencedMemberEpoch("member '\(member.memberId)' sent epoch \(r.memberEpoch), its epoch is \(member.memberEpoch)")
    }

    /// Records the partition counts of every topic the members subscribe to; true if they
    /// changed (a topic appeared, disappeared or grew), which calls for a new target.
    private func refreshSubscribedTopics(_ group: ConsumerGroup, catalog: TopicCatalog) -> Bool {
        var counts: [String: Int32] = [:]
        for m in group.members.values {
            for topic in ConsumerGroup.topics(of: m, catalog: catalog) {
                if let n = catalog.partitionCount(topic) { counts[topic] = n }
            }
        }
        guard counts != group.subscribedTopics else { return false }
        group.subscribedTopics = counts
        return true
    }

    /// A new target assignment at the group epoch, from the assignor the members ask for (the
    /// first by member id that names one) or the default. Sticky: the assignor starts from the
    /// previous target.
    private func computeTargetAssignment(_ group: ConsumerGroup, catalog: TopicCatalog) {
        let sorted = group.members.values.sorted { $0.memberId < $1.memberId }
        group.assignor = sorted.lazy.compactMap { $0.serverAssignor.flatMap(ConsumerGroupAssignor.init(rawValue:)) }.first ?? .default
        let input = sorted.map { m in
            ConsumerGroupAssignor.Member(
                id: m.memberId, topics: ConsumerGroup.topics(of: m, catalog: catalog).filter { group.subscribedTopics[$0] != nil },
                current: group.targetAssignment[m.memberId] ?? m.assigned)
        }
        group.targetAssignment = group.assignor.assign(input, partitions: group.subscribedTopics)
        group.assignmentEpoch = group.groupEpoch
        group.stateTimestamp = clock.nowMillis()
        logger.info("consumer group target assignment", metadata: [
            "group": "\(group.groupId)", "epoch": "\(group.groupEpoch)", "assignor": "\(group.assignor.rawValue)",
            "members": "\(group.members.count)",
        ])
    }

    /// Removes a member: what it held becomes free, and the group epoch moves so the others
    /// get a new target.
    func removeConsumerMember(_ memberId: String, from group: ConsumerGroup, reason: String) {
        guard group.members.removeValue(forKey: memberId) != nil else { return }
        group.targetAssignment[memberId] = nil
        group.groupEpoch &+= 1
        group.stateTimestamp = clock.nowMillis()
        logger.info("consumer member removed", metadata: ["group": "\(group.groupId)", "member": "\(memberId)", "reason": "\(reason)"])
    }

    /// The time-driven part for consumer groups (from `tick`): members silent past the session
    /// timeout are removed, and so are members that did not revoke within their rebalance
    /// timeout (Kafka fences them).
    func expireConsumerMembers(now: Int64) {
        let session = Int64(consumerSettings.sessionTimeoutMs)
        for id in consumerGroups.keys.sorted() {
            guard let group = consumerGroups[id] else { continue }
            var removed = false
            for m in group.members.values.sorted(by: { $0.memberId < $1.memberId }) {
                if now - m.lastHeartbeatMs > session {
                    removeConsumerMember(m.memberId, from: group, reason: "session timed out")
                    removed = true
                } else if let deadline = m.revocationDeadlineMs, now > deadline {
                    removeConsumerMember(m.memberId, from: group, reason: "did not revoke within its rebalance timeout")
                    removed = true
                }
            }
            if removed { persistConsumerGroup(id) }
        }
    }

    /// Whether `groupId` is a KIP-848 consumer group (its commits carry member epochs).
    public func isConsumerProtocolGroup(_ groupId: String) -> Bool {
        consumerGroups[groupId] != nil
    }

    /// ConsumerGroupDescribe: nil when `groupId` is not a consumer group.
    public func describeConsumerGroup(_ groupId: String) -> ConsumerGroupDescription? {
        consumerGroups[groupId]?.describeConsumerGroup()
    }

    /// OffsetCommit by a consumer group's member: the member must exist and carry its current
    /// epoch (`.illegalGeneration`, STALE_MEMBER_EPOCH on the wire); a commit from outside
    /// (epoch < 0, no member id) only while the group has no members. Returns false when the
    /// group is not a consumer group with members (the classic rules apply).
    func checkConsumerCommit(groupId: String, memberEpoch: Int32, memberId: String) throws(WharfError) -> Bool {
        guard let group = consumerGroups[groupId], !group.members.isEmpty else { return false }
        guard let member = group.members[memberId] else { throw .unknownMember(group: groupId, member: memberId) }
        guard memberEpoch == member.memberEpoch else {
            throw .illegalGeneration(group: groupId, generation: memberEpoch, current: member.memberEpoch)
        }
        return true
    }

    /// OffsetFetch v9+ (Kafka's `ConsumerGroup.validateOffsetFetch`): a request with no member id
    /// and an epoch < 0 (an admin, a client that names no member) is always answered; otherwise,
    /// in a consumer group, the member must exist (`.unknownMember`) and name exactly its current
    /// epoch (`.illegalGeneration`, STALE_MEMBER_EPOCH on the wire). Classic groups check nothing.
    public func checkConsumerOffsetFetch(groupId: String, memberId: String?, memberEpoch: Int32) throws(WharfError) {
        guard let group = consumerGroups[groupId] else { return }
        if (memberId ?? "").isEmpty, memberEpoch < 0 { return }
        let id = memberId ?? ""
        guard let member = group.members[id] else { throw .unknownMember(group: groupId, member: id) }
        guard memberEpoch == member.memberEpoch else {
            throw .illegalGeneration(group: groupId, generation: memberEpoch, current: member.memberEpoch)
        }
    }

    /// A fenced reset of a consumer group with members: every member is removed, so its next
    /// heartbeat gets UNKNOWN_MEMBER_ID, it rejoins without partitions and fetches the reset
    /// offsets; a commit in flight from the old epochs is refused.
    func fenceConsumerMembers(_ groupId: String) -> ResetOutcome? {
        guard let group = consumerGroups[groupId], !group.members.isEmpty else { return nil }
        let fenced = group.members.keys.sorted()
        let epoch = group.groupEpoch
        for id in fenced { removeConsumerMember(id, from: group, reason: "offsets reset") }
        persistConsumerGroup(groupId)
        return ResetOutcome(fencedMembers: fenced, fencedGeneration: epoch, generationId: group.groupEpoch)
    }
}
