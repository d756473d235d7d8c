#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import WharfAdmin
import WharfCore

/// The classic consumer-group coordinator (Kafka's JoinGroup / SyncGroup / Heartbeat /
/// LeaveGroup / OffsetCommit / OffsetFetch semantics), shared by embedded consumers and, later,
/// the Kafka wire listener. Protocol metadata and assignments are opaque bytes: the group
/// leader computes assignments, as with Kafka.
///
/// Persistence: every offset commit, offset or group deletion and group state change is
/// appended to the `CommitLog` as `__consumer_offsets` records before the call returns;
/// `init` replays the log, so committed offsets and the existence of groups survive a
/// restart. Classic members do not: after a restart every classic group is Empty and its
/// consumers rejoin. KIP-848 consumer groups keep their members, epochs and assignments
/// (`GroupCoordinator+ConsumerGroupRecords.swift`), as in Kafka.
///
/// Time: the coordinator never reads time except through `clock`, and never schedules work.
/// Session timeouts, rebalance timeouts and the initial rebalance delay take effect when
/// `tick()` runs, which the engine calls periodically and tests call after moving the clock.
///
/// Concurrency: an actor. JoinGroup and SyncGroup suspend inside the actor (the state stays
/// consistent across the suspension: a suspended call is just a stored continuation) until
/// the rebalance step they wait for completes, fails, or their task is cancelled.
///
/// Fenced reset (`resetOffsets`): storing new offsets while members are live also advances
/// the generation and starts a rebalance, so an in-flight commit of the old generation cannot
/// overwrite the reset; members rejoin, sync, and fetch the reset offsets.
public actor GroupCoordinator {
    let log: any CommitLog
    let clock: any WallClock
    let logger: Logger
    let initialRebalanceDelayMs: Int64
    /// The session and rebalance timeouts JoinGroup accepts.
    let timeoutLimits: GroupTimeoutLimits
    var groups: [String: ClassicGroup] = [:]
    /// KIP-848 groups by id; each also has a `groups` entry, which holds its offsets.
    var consumerGroups: [String: ConsumerGroup] = [:]
    let consumerSettings: ConsumerGroupSettings
    /// The consumer-group records last written per group, by key (what the next write diffs against).
    var persistedConsumerGroups: [String: [ConsumerRecordKey: ConsumerGroupRecord]] = [:]
    /// The topics (and their ids) consumer groups are persisted against: the engine's, or the
    /// last heartbeat's catalog.
    var topicCatalog: TopicCatalog
    /// The newest group-state write (`writeGroupState`), which answers wait on.
    var lastGroupStateWrite: CommitLogWrite = .durable
    private var nextToken: UInt64 = 0

    /// Largest offset-commit metadata accepted (Kafka's `offset.metadata.max.bytes`).
    public static let maxMetadataBytes = OffsetCommitLimits.maxMetadataBytes

    /// Replays `log` to rebuild committed offsets and the groups that exist.
    public init(log: any CommitLog, clock: any WallClock, logger: Logger, initialRebalanceDelayMs: Int64 = 0,
                timeoutLimits: GroupTimeoutLimits = GroupTimeoutLimits(),
                consumerSettings: ConsumerGroupSettings = ConsumerGroupSettings(),
                catalog: TopicCatalog = .empty) throws(WharfError) {
        self.timeoutLimits = timeoutLimits
        self.topicCatalog = catalog
        self.consumerSettings = consumerSettings
        self.log = log
        self.clock = clock
        self.logger = logger
        self.initialRebalanceDelayMs = max(0, initialRebalanceDelayMs)
        let now = clock.nowMillis()
        let replayed = try Self.replay(log.readAll(), now: now, logger: logger)
        self.groups = replayed.groups
        self.persistedConsumerGroups = replayed.consumerRecords
        self.consumerGroups = Self.restoreConsumerGroups(replayed.consumerRecords, catalog: catalog, now: now)
        for id in consumerGroups.keys where groups[id] == nil {
            let shell = ClassicGroup(groupId: id, now: now)
            shell.protocolType = ConsumerProtocol.protocolType
            groups[id] = shell
        }
    }

    /// Rebuilds groups from `__consumer_offsets` records in log order: later records win, a
    /// tombstone removes. A group exists afterwards if it has offsets or live group metadata;
    /// it starts Empty with the persisted protocol type and generation. Consumer-group records
    /// are returned as the last one per key. Undecodable records are logged and skipped rather
    /// than refusing to start.
    static func replay(_ records: [StoredRecord], now: Int64, logger: Logger)
        -> (groups: [String: ClassicGroup], consumerRecords: [String: [ConsumerRecordKey: ConsumerGroupRecord]]) {
        var offsets: [String: [TopicPartition: CommittedOffset]] = [:]
        var metadata: [String: GroupMetadataSnapshot] = [:]
        var consumerRecords: [String: [ConsumerRecordKey: ConsumerGroupRecord]] = [:]
        for stored in records {
            do throws(WharfError) {
                switch try ConsumerOffsetsRecord.decode(stored) {
                case .offsetCommit(let g, let tp, let c)?: offsets[g, default: [:]][tp] = c
                case .offsetTombstone(let g, let tp)?: offsets[g]?[tp] = nil
                case .groupMetadata(let g, let snapshot)?: metadata[g] = snapshot
                case .groupTombstone(let g)?: metadata[g] = nil
                case .consumerGroup(let r)?:
                    consumerRecords[r.group, default: [:]][key(of: r)] = isTombstone(r) ? nil : r
                    if consumerRecords[r.group]?.isEmpty == true { consumerRecords[r.group] = nil }
                case nil: continue
                }
            } catch {
                logger.warning("skipping undecodable __consumer_offsets record", metadata: ["offset": "\(stored.offset)", "error": "\(error)"])
            }
        }
        var groups: [String: ClassicGroup] = [:]
        for id in Set(offsets.keys).union(metadata.keys) {
            let groupOffsets = offsets[id] ?? [:]
            let snapshot = metadata[id]
            guard !groupOffsets.isEmpty || snapshot != nil else { continue }
            let group = ClassicGroup(groupId: id, now: now)
            group.offsets = groupOffsets
            if let snapshot {
                group.protocolType = snapshot.protocolType.isEmpty ? nil : snapshot.protocolType
                group.generationId = snapshot.generationId
                if snapshot.currentStateTimestamp >= 0 { group.stateTimestamp = snapshot.currentStateTimestamp }
            }
            groups[id] = group
        }
        return (groups, consumerRecords)
    }

    func makeToken() -> UInt64 {
        nextToken += 1
        return nextToken
    }

    // MARK: JoinGroup

    /// Joins (or rejoins) a group and suspends until the rebalance completes: every member has
    /// rejoined, or the rebalance timeout passed (`tick`) and the missing members were removed.
    /// A rejoin that changes nothing in Stable or CompletingRebalance answers at once with the
    /// current generation, as Kafka does.
    ///
    /// Throws `.unknownMember` (member id not in the group), `.invalidArgument` (empty group id,
    /// protocol type or protocol list, or a protocol type or
    /// protocol set inconsistent with the group: Kafka's INCONSISTENT_GROUP_PROTOCOL), and
    /// `.invalidSessionTimeout` outside `timeoutLimits`.
    public func join(_ request: JoinGroupRequest) async throws(WharfError) -> JoinGroupResult {
        let memberId = request.memberId.isEmpty ? Self.newMemberId(clientId: request.clientId) : request.memberId
        let token = makeToken()
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<JoinGroupResult, WharfError>, Never>) in
                beginJoin(request, memberId: memberId, waiter: GroupWaiter(token: token, continuation: continuation))
            }
        } onCancel: {
            Task { await self.abandonJoin(groupId: request.groupId, memberId: memberId, token: token) }
        }
        let joined = try result.get()
        await groupStateDurableOrLogged()
        return joined
    }

    static func newMemberId(clientId: String) -> String {
        "\(clientId)-\(UUID().uuidString.lowercased())"
    }

    private func beginJoin(_ joining: JoinGroupRequest, memberId: String, waiter: GroupWaiter<JoinGroupResult>) {
        do throws(WharfError) {
            var request = joining
            request.rebalanceTimeoutMs = try timeoutLimits.check(
                sessionTimeoutMs: request.sessionTimeoutMs,
                rebalanceTimeoutMs: request.rebalanceTimeoutMs > 0 ? request.rebalanceTimeoutMs : request.sessionTimeoutMs)
            try Names.validateGroup(request.groupId)
            try checkKafkaString(request.groupId, "group id")
            try checkKafkaString(request.memberId, "member id")
            try checkKafkaString(request.clientId, "client id", reserve: 37)
            try checkKafkaString(request.clientHost, "client host")
            try checkKafkaString(request.groupInstanceId ?? "", "group instance id")
            try checkKafkaString(request.protocolType, "protocol type")
            for p in request.protocols { try checkKafkaString(p.name, "protocol name") }
            let isNew = request.memberId.isEmpty
            let group: ClassicGroup
            if let existing = groups[request.groupId] {
                group = existing
            } else {
                guard isNew else { throw .unknownMember(group: request.groupId, member: memberId) }
                group = ClassicGroup(groupId: request.groupId, now: clock.nowMillis())
            }
            guard group.supports(protocolType: request.protocolType, protocols: request.protocols, joining: memberId) else {
                throw .invalidArgument("inconsistent group protocol: member '\(memberId)' (type '\(request.protocolType)', protocols \(request.protocols.map(\.name))) does not match group '\(request.groupId)'")
            }
            guard isNew || group.has(memberId) else { throw .unknownMember(group: request.groupId, member: memberId) }
            if let consumerGroup = consumerGroups[request.groupId] {
                guard consumerGroup.members.isEmpty else {
                    throw .invalidArgument("inconsistent group protocol: group '\(request.groupId)' is a consumer-protocol (KIP-848) group with members")
                }
                consumerGroups[request.groupId] = nil
                persistConsumerGroup(request.groupId)
            }
            groups[request.groupId] = group
            if isNew {
                addMember(request, memberId: memberId, to: group, waiter: waiter)
            } else {
                rejoin(request, memberId: memberId, group: group, waiter: waiter)
            }
        } catch {
            waiter.resume(.failure(error))
        }
    }

    private func addMember(_ request: JoinGroupRequest, memberId: String, to group: ClassicGroup, waiter: GroupWaiter<JoinGroupResult>) {
        let now = clock.nowMillis()
        var member = GroupMember(
            memberId: memberId, groupInstanceId: request.groupInstanceId, clientId: request.clientId,
            clientHost: request.clientHost, sessionTimeoutMs: request.sessionTimeoutMs,
            rebalanceTimeoutMs: request.effectiveRebalanceTimeoutMs,
            protocols: request.protocols, lastHeartbeatMs: now)
        member.hasJoined = true
        if group.members.isEmpty { group.protocolType = request.protocolType }
        group.add(member)
        group.initialDelay?.newMemberAdded = true
        group.joinWaiters[memberId] = waiter
        logger.debug("member joined", metadata: ["group": "\(group.groupId)", "member": "\(memberId)"])
        if group.state != .preparingRebalance { prepareRebalance(group, reason: "new member \(memberId)") }
        tryCompleteJoin(group)
    }

    private func rejoin(_ request: JoinGroupRequest, memberId: String, group: ClassicGroup, waiter: GroupWaiter<JoinGroupResult>) {
        let now = clock.nowMillis()
        guard let current = group.member(memberId) else { return waiter.resume(.failure(.unknownMember(group: group.groupId, member: memberId))) }
        let unchanged = current.protocols == request.protocols
        switch group.state {
        case .completingRebalance where unchanged, .stable where unchanged && memberId != group.leaderId:
            group.update(memberId) { $0.lastHeartbeatMs = now }
            waiter.resume(.success(group.joinResult(for: memberId)))
            return
        case .empty, .dead, .assigning, .reconciling:
            waiter.resume(.failure(.unknownMember(group: group.groupId, member: memberId)))
            return
        case .preparingRebalance, .completingRebalance, .stable:
            break
        }
        group.update(memberId) { m in
            m.protocols = request.protocols
            m.clientId = request.clientId
            m.clientHost = request.clientHost
            m.groupInstanceId = request.groupInstanceId
            m.sessionTimeoutMs = request.sessionTimeoutMs
            m.rebalanceTimeoutMs = request.effectiveRebalanceTimeoutMs
            m.lastHeartbeatMs = now
            m.hasJoined = true
        }
        // A re-sent JoinGroup replaces the earlier one, whose caller gave up on it.
        group.joinWaiters.updateValue(waiter, forKey: memberId)?.resume(.failure(.rebalanceInProgress(group.groupId)))
        if group.state != .preparingRebalance { prepareRebalance(group, reason: "member \(memberId) rejoined") }
        tryCompleteJoin(group)
    }

    /// The joining task was cancelled: answer it, but keep the member as joined (as Kafka keeps
    /// a member whose connection dropped mid-join until its session expires).
    private func abandonJoin(groupId: String, memberId: String, token: UInt64) {
        guard let group = groups[groupId], let waiter = group.joinWaiters[memberId], waiter.token == token else { return }
        group.joinWaiters[memberId] = nil
        waiter.resume(.failure(.rebalanceInProgress(groupId)))
    }

    // MARK: SyncGroup

    /// Sends the leader's assignments (followers pass [:]) and suspends until the leader's
    /// have been stored; returns this member's assignment bytes. Members the leader left out
    /// get an empty assignment.
    ///
    /// Throws `.unknownMember`, `.illegalGeneration` (not the current generation),
    /// `.rebalanceInProgress` (a new rebalance started, before or while waiting: rejoin), or
    /// the `CommitLog`'s error if the assignment could not be persisted.
    public func sync(groupId: String, generationId: Int32, memberId: String, assignments: [String: [UInt8]]) async throws(WharfError) -> [UInt8] {
        let token = makeToken()
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<[UInt8], WharfError>, Never>) in
                beginSync(groupId: groupId, generationId: generationId, memberId: memberId, assignments: assignments,
                          waiter: GroupWaiter(token: token, continuation: continuation))
            }
        } onCancel: {
            Task { await self.abandonSync(groupId: groupId, memberId: memberId, token: token) }
        }
        let assignment = try result.get()
        try await groupStateDurable()
        return assignment
    }

    private func beginSync(groupId: String, generationId: Int32, memberId: String, assignments: [String: [UInt8]], waiter: GroupWaiter<[UInt8]>) {
        do throws(WharfError) {
            let group = try validateMember(groupId: groupId, generationId: generationId, memberId: memberId)
            let now = clock.nowMillis()
            switch group.state {
            case .empty, .dead, .assigning, .reconciling:
                throw .unknownMember(group: groupId, member: memberId)
            case .preparingRebalance:
                throw .rebalanceInProgress(groupId)
            case .stable:
                group.update(memberId) { $0.lastHeartbeatMs = now }
                waiter.resume(.success(group.member(memberId)?.assignment ?? []))
            case .completingRebalance:
                group.update(memberId) { $0.lastHeartbeatMs = now }
                group.syncWaiters.updateValue(waiter, forKey: memberId)?.resume(.failure(.rebalanceInProgress(groupId)))
                if memberId == group.leaderId { completeSync(group, assignments: assignments) }
            }
        } catch {
            waiter.resume(.failure(error))
        }
    }

    /// The leader's assignments arrived: persist them with the group metadata, go Stable and
    /// answer every waiting member. If persisting fails, the waiting members get the error and
    /// the group stays in CompletingRebalance (they rejoin, as Kafka's clients do).
    private func completeSync(_ group: ClassicGroup, assignments: [String: [UInt8]]) {
        group.updateAll { $0.assignment = assignments[$0.memberId] ?? [] }
        let previousTimestamp = group.stateTimestamp
        group.stateTimestamp = clock.nowMillis()
        do throws(WharfError) {
            try writeGroupState([ConsumerOffsetsRecord.groupMetadata(group: group.groupId, group.snapshot()).encode()])
        } catch {
            logger.error("could not persist group assignment", metadata: ["group": "\(group.groupId)", "error": "\(error)"])
            group.updateAll { $0.assignment = [] }
            group.stateTimestamp = previousTimestamp
            let waiters = group.syncWaiters
            group.syncWaiters = [:]
            for w in waiters.values { w.resume(.failure(error)) }
            return
        }
        group.state = .stable
        logger.info("group stable", metadata: ["group": "\(group.groupId)", "generation": "\(group.generationId)", "members": "\(group.members.count)"])
        let waiters = group.syncWaiters
        group.syncWaiters = [:]
        for (id, w) in waiters { w.resume(.success(group.member(id)?.assignment ?? [])) }
    }

    private func abandonSync(groupId: String, memberId: String, token: UInt64) {
        guard let group = groups[groupId], let waiter = group.syncWaiters[memberId], waiter.token == token else { return }
        group.syncWaiters[memberId] = nil
        waiter.resume(.failure(.rebalanceInProgress(groupId)))
    }

    /// The checks SyncGroup and Heartbeat share: the group and member exist, and the generation
    /// is the current one. A generation fenced by a reset reads as `.rebalanceInProgress`, so
    /// its members rejoin without losing their member id.
    func validateMember(groupId: String, generationId: Int32, memberId: String) throws(WharfError) -> ClassicGroup {
        guard let group = groups[groupId], group.has(memberId) else { throw .unknownMember(group: groupId, member: memberId) }
        if generationId != group.generationId {
            if generationId == group.fencedGeneration && group.state == .preparingRebalance { throw .rebalanceInProgress(groupId) }
            throw .illegalGeneration(group: groupId, generation: generationId, current: group.generationId)
        }
        return group
    }
}
