import WharfCore

/// Heartbeats, leaving, expiry and the rebalance state machine.
extension GroupCoordinator {
    /// Refreshes the member's session. Throws `.rebalanceInProgress` while the group is
    /// rebalancing (the member must rejoin; its session is still refreshed), `.illegalGeneration`
    /// for a generation other than the current one, `.unknownMember` for an unknown group or
    /// member.
    public func heartbeat(groupId: String, generationId: Int32, memberId: String) throws(WharfError) {
        // A heartbeat of a generation fenced by a reset gets ILLEGAL_GENERATION (not
        // REBALANCE_IN_PROGRESS): clients then count their assignment as lost and fetch the
        // committed, reset offsets after rejoining. Told only to rejoin, kafka-python 3 keeps its
        // in-memory positions for partitions it gets back and would never see the reset.
        if let group = groups[groupId], group.has(memberId), let fenced = group.fencedGeneration,
           generationId == fenced, generationId != group.generationId {
            throw .illegalGeneration(group: groupId, generation: generationId, current: group.generationId)
        }
        let group = try validateMember(groupId: groupId, generationId: generationId, memberId: memberId)
        group.update(memberId) { $0.lastHeartbeatMs = clock.nowMillis() }
        switch group.state {
        case .preparingRebalance: throw .rebalanceInProgress(groupId)
        case .completingRebalance, .stable: return
        case .empty, .dead, .assigning, .reconciling: throw .unknownMember(group: groupId, member: memberId)
        }
    }

    /// Removes members (LeaveGroup); the others rebalance. All ids are checked first: if any is
    /// unknown, nothing changes and `.unknownMember` names it.
    public func leave(groupId: String, memberIds: [String]) async throws(WharfError) {
        guard let group = groups[groupId] else {
            throw .unknownMember(group: groupId, member: memberIds.first ?? "")
        }
        if let unknown = memberIds.first(where: { !group.has($0) }) { throw .unknownMember(group: groupId, member: unknown) }
        for id in memberIds where group.has(id) { removeMember(id, from: group, reason: "left the group") }
        await groupStateDurableOrLogged()
    }

    /// The time-driven part of the protocol; call periodically (the engine) or after moving
    /// the clock (tests):
    /// - members whose last sign of life is older than their session timeout are removed (not
    ///   those waiting in a JoinGroup of the current round or in a SyncGroup);
    /// - a PreparingRebalance round past its rebalance timeout completes, without the members
    ///   that did not rejoin;
    /// - an initial rebalance delay that ran out completes its round.
    public func tick() async {
        advanceTimers(now: clock.nowMillis())
    }

    /// What `tick` does, for a request that reads membership: Kafka's timers fire at their
    /// deadline, Wharf's run with the maintenance pass, so such a request first applies what
    /// the clock has already decided (a member whose session ran out 50 ms ago is gone when
    /// DeleteGroups asks, as it would be in Kafka).
    func advanceTimers(now: Int64) {
        for id in groups.keys.sorted() {
            guard let group = groups[id] else { continue }
            for member in group.members where group.has(member.memberId) && !keptAlive(member, in: group) {
                if now - member.lastHeartbeatMs > Int64(member.sessionTimeoutMs) {
                    removeMember(member.memberId, from: group, reason: "session timed out")
                }
            }
            guard group.state == .preparingRebalance else { continue }
            if var delay = group.initialDelay {
                guard now >= delay.deadline else { continue }
                if delay.newMemberAdded && delay.deadline < delay.maxDeadline {
                    delay.newMemberAdded = false
                    delay.deadline = min(now + initialRebalanceDelayMs, delay.maxDeadline)
                    group.initialDelay = delay
                } else {
                    group.initialDelay = nil
                    completeJoin(group)
                }
            } else if let deadline = group.rebalanceDeadline, now >= deadline {
                completeJoin(group)
            }
        }
        expireConsumerMembers(now: now)
    }

    /// Members waiting for the coordinator are alive by definition (Kafka's `shouldKeepAlive`).
    private func keptAlive(_ member: GroupMember, in group: ClassicGroup) -> Bool {
        (group.state == .preparingRebalance && member.hasJoined) || group.syncWaiters[member.memberId] != nil
    }

    /// Removes a member and moves the group on: a Stable or CompletingRebalance group starts a
    /// rebalance, a PreparingRebalance one may now be complete. Its suspended calls get
    /// `.unknownMember`.
    func removeMember(_ memberId: String, from group: ClassicGroup, reason: String) {
        group.remove(memberId)
        logger.info("member removed", metadata: ["group": "\(group.groupId)", "member": "\(memberId)", "reason": "\(reason)"])
        group.joinWaiters.removeValue(forKey: memberId)?.resume(.failure(.unknownMember(group: group.groupId, member: memberId)))
        group.syncWaiters.removeValue(forKey: memberId)?.resume(.failure(.unknownMember(group: group.groupId, member: memberId)))
        switch group.state {
        case .stable, .completingRebalance:
            prepareRebalance(group, reason: "member \(memberId) \(reason)")
            tryCompleteJoin(group)
        case .preparingRebalance:
            tryCompleteJoin(group)
        case .empty, .dead, .assigning, .reconciling:
            break
        }
    }

    /// Enters PreparingRebalance: assignments are void, waiting SyncGroups get
    /// `.rebalanceInProgress`, and the round's deadline is set (after the initial delay for a
    /// group coming out of Empty, else after the longest member rebalance timeout).
    func prepareRebalance(_ group: ClassicGroup, reason: String) {
        let now = clock.nowMillis()
        let wasEmpty = group.state == .empty
        if group.state == .completingRebalance || group.state == .stable {
            group.updateAll { $0.assignment = [] }
        }
        let syncWaiters = group.syncWaiters
        group.syncWaiters = [:]
        for w in syncWaiters.values { w.resume(.failure(.rebalanceInProgress(group.groupId))) }
        group.state = .preparingRebalance
        group.stateTimestamp = now
        let maxDeadline = now + group.rebalanceTimeoutMs
        group.rebalanceDeadline = maxDeadline
        if wasEmpty && initialRebalanceDelayMs > 0 {
            group.initialDelay = InitialDelay(deadline: min(now + initialRebalanceDelayMs, maxDeadline), maxDeadline: maxDeadline)
        }
        logger.info("preparing rebalance", metadata: ["group": "\(group.groupId)", "generation": "\(group.generationId)", "reason": "\(reason)"])
    }

    /// Completes the round if every member has rejoined (never during the initial delay).
    func tryCompleteJoin(_ group: ClassicGroup) {
        guard group.state == .preparingRebalance, group.initialDelay == nil else { return }
        if group.members.allSatisfy(\.hasJoined) { completeJoin(group) }
    }

    /// Ends a PreparingRebalance round (Kafka's `onCompleteJoin`): members that did not rejoin
    /// are removed, the generation advances (unless a fenced reset advanced it already), a
    /// protocol is chosen, and every waiting JoinGroup is answered; the group is then
    /// CompletingRebalance, or Empty (persisted) if nobody is left.
    func completeJoin(_ group: ClassicGroup) {
        let now = clock.nowMillis()
        for m in group.members where !m.hasJoined {
            group.remove(m.memberId)
            logger.info("member removed", metadata: ["group": "\(group.groupId)", "member": "\(m.memberId)", "reason": "did not rejoin in time"])
        }
        group.initialDelay = nil
        group.rebalanceDeadline = nil
        if group.fencedGeneration == nil { group.generationId &+= 1 }
        group.fencedGeneration = nil
        group.stateTimestamp = now
        if group.members.isEmpty {
            group.state = .empty
            group.protocolName = nil
            group.leaderId = nil
            logger.info("group empty", metadata: ["group": "\(group.groupId)", "generation": "\(group.generationId)"])
            persistGroupMetadata(group)
            return
        }
        group.protocolName = group.selectProtocol()
        group.state = .completingRebalance
        group.updateAll { m in
            m.hasJoined = false
            m.lastHeartbeatMs = now
            m.assignment = []
        }
        logger.info("join complete", metadata: [
            "group": "\(group.groupId)", "generation": "\(group.generationId)",
            "protocol": "\(group.protocolName ?? "")", "leader": "\(group.leaderId ?? "")",
        ])
        let waiters = group.joinWaiters
        group.joinWaiters = [:]
        for (id, w) in waiters { w.resume(.success(group.joinResult(for: id))) }
    }

    /// Records a state the group must be found in after a restart. Failure is logged, not
    /// thrown: the transition it records has already happened for the live members, and the
    /// next transition writes a fresh snapshot.
    func persistGroupMetadata(_ group: ClassicGroup) {
        do throws(WharfError) {
            try writeGroupState([ConsumerOffsetsRecord.groupMetadata(group: group.groupId, group.snapshot()).encode()])
        } catch {
            logger.error("could not persist group metadata", metadata: ["group": "\(group.groupId)", "error": "\(error)"])
        }
    }
}
