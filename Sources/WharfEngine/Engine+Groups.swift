import WharfAdmin
import WharfCore
import WharfStorage

/// Group views that combine the coordinator's committed offsets with the logs: lag, time lag,
/// and the reset ("replay") operation with its dry run.
extension Engine {
    public func listGroups() async -> [GroupOverview] {
        await coordinator.listGroups().sorted { $0.groupId < $1.groupId }
    }

    /// Lag per partition for every partition the group has committed to or is assigned, plus the
    /// other partitions of those topics (no commit: lag from the log start).
    public func groupLag(_ group: String) async throws(WharfError) -> GroupLag {
        let description = await coordinator.describe(groupId: group)
        let committed = await coordinator.fetchOffsets(groupId: group, partitions: nil)
        guard description != nil || !committed.isEmpty else { throw .unknownGroup(group) }
        var owners: [TopicPartition: String] = [:]
        var topicsOfGroup = Set(committed.keys.map(\.topic))
        for m in description?.members ?? [] {
            for tp in m.assignedPartitions ?? [] {
                owners[tp] = m.clientId.isEmpty ? m.memberId : "\(m.clientId) (\(m.memberId))"
                topicsOfGroup.insert(tp.topic)
            }
        }
        let now = clock.nowMillis()
        var rows: [PartitionLag] = []
        for topicName in topicsOfGroup.sorted() {
            guard let t = topics.withLock({ $0[topicName] }) else {
                // The topic was deleted: keep showing the commits, with nothing left to read.
                for (tp, c) in committed where tp.topic == topicName {
                    rows.append(PartitionLag(topic: topicName, partition: tp.partition, committedOffset: c.offset,
                                             logStartOffset: 0, logEndOffset: 0, timeLagMs: 0, owner: owners[tp],
                                             lastCommitMs: c.commitTimestamp))
                }
                continue
            }
            for (i, log) in t.logs.enumerated() {
                let tp = TopicPartition(topicName, Int32(i))
                var row = try partitionLag(tp, log: log, committed: committed[tp]?.offset, owner: owners[tp], now: now)
                row.lastCommitMs = committed[tp]?.commitTimestamp
                rows.append(row)
            }
        }
        return GroupLag(group: group, state: description?.state.rawValue ?? "Empty",
                        members: description?.members.count ?? 0, partitions: rows.sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) })
    }

    func partitionLag(_ tp: TopicPartition, log: PartitionLog, committed: Int64?, owner: String?, now: Int64) throws(WharfError) -> PartitionLag {
        let start = log.logStartOffset
        let end = log.logEndOffset
        let position = LagRules.position(logStart: start, committed: committed)
        let first = position < end ? try log.timestamp(ofOffset: position) : nil
        let timeLag = LagRules.timeLagMs(position: position, logEnd: end, firstUnconsumedTimestamp: first, nowMs: now) ?? 0
        return PartitionLag(topic: tp.topic, partition: tp.partition, committedOffset: committed, logStartOffset: start,
                            logEndOffset: end, timeLagMs: timeLag, owner: owner)
    }

    /// The dry run of a reset: for each chosen partition, the current and new offsets and how many
    /// records the group will read again. Nothing changes.
    public func planReset(group: String, topic name: String, partitions: [Int32]? = nil,
                          to spec: OffsetResetSpec) async throws(WharfError) -> [ResetPlanRow] {
        try Names.validateGroup(group)
        let t = try topic(name)
        let chosen = partitions ?? Array(0..<t.meta.partitions)
        for p in chosen where p < 0 || p >= t.meta.partitions { throw .unknownPartition(topic: name, partition: p) }
        let committed = await coordinator.fetchOffsets(groupId: group, partitions: chosen.map { TopicPartition(name, $0) })
        let now = clock.nowMillis()
        var rows: [ResetPlanRow] = []
        for p in chosen {
            let log = t.logs[Int(p)]
            let start = log.logStartOffset, end = log.logEndOffset
            var atTime: Int64?
            if let ts = ResetPlanner.searchTimestamp(spec, nowMs: now) { atTime = try log.offset(forTimestamp: ts) }
            rows.append(ResetPlanner.row(topic: name, partition: p, logStart: start, logEnd: end,
                                         committed: committed[TopicPartition(name, p)]?.offset, spec: spec, offsetAtTime: atTime))
        }
        return rows
    }

    /// Applies a previewed plan. Safe while the group is live: the coordinator fences the current
    /// generation, so members rejoin and resume from the new offsets, and a late commit from the
    /// old generation is rejected instead of overwriting the reset.
    ///
    /// Recorded in the audit log with each partition's committed offset before (read when the
    /// reset is applied, not the plan's possibly older view) and after; `undoes` names the audit
    /// entry an undo reverses (`undoReset(auditEntry:)`).
    public func executeReset(group: String, plan: [ResetPlanRow], actor: AuditActor = .thisProcess,
                             undoes: String? = nil) async throws(WharfError) -> ResetResult {
        let partitions = plan.map { TopicPartition($0.topic, $0.partition) }
        let committed = await coordinator.fetchOffsets(groupId: group, partitions: partitions)
        var before: [String: String] = [:]
        for tp in partitions { before[Self.auditKey(tp)] = committed[tp].map { String($0.offset) } ?? AuditEntry.noOffset }
        var after: [String: String] = [:]
        for row in plan { after[Self.auditKey(TopicPartition(row.topic, row.partition))] = String(row.newOffset) }
        return try await audit.audited(actor, undoes == nil ? AuditAction.groupResetOffsets : AuditAction.groupResetUndo,
                                       target: "group:\(group)", before: before, undoes: undoes,
                                       after: { _ in after }) { () async throws(WharfError) -> ResetResult in
            try await executeResetUnaudited(group: group, plan: plan)
        }
    }

    /// An OffsetCommit from a Kafka client. A member's commit (or any commit to a group that has
    /// members) is consumer traffic and is not audited. A commit from outside the group
    /// (generation -1, no member id) to a group with no members is how admin tools move a
    /// group's offsets (`kafka-consumer-groups --reset-offsets`, AdminClient's
    /// `alterConsumerGroupOffsets`): it is recorded like a reset, and can be undone like one.
    /// A consumer that assigns partitions itself and commits without joining looks the same
    /// and is audited too, unless its commit changes nothing. `leaderEpochs` are the committed
    /// leader epochs (OffsetCommit v6+), kept with the offsets and answered by OffsetFetch.
    public func commitFromClient(groupId: String, generationId: Int32, memberId: String,
                                 offsets: [TopicPartition: (offset: Int64, metadata: String)],
                                 leaderEpochs: [TopicPartition: Int32] = [:],
                                 actor: AuditActor) async throws(WharfError) {
        let outsider = generationId < 0 && memberId.isEmpty
        let hasMembers = outsider ? !((await coordinator.describe(groupId: groupId))?.members.isEmpty ?? true) : true
        guard outsider, !hasMembers else {
            return try await coordinator.commit(groupId: groupId, generationId: generationId, memberId: memberId, offsets: offsets, leaderEpochs: leaderEpochs)
        }
        let committed = await coordinator.fetchOffsets(groupId: groupId, partitions: Array(offsets.keys))
        guard offsets.contains(where: { committed[$0.key]?.offset != $0.value.offset }) else {
            return try await coordinator.commit(groupId: groupId, generationId: generationId, memberId: memberId, offsets: offsets, leaderEpochs: leaderEpochs)
        }
        var before: [String: String] = [:]
        var after: [String: String] = [:]
        for (tp, value) in offsets {
            before[Self.auditKey(tp)] = committed[tp].map { String($0.offset) } ?? AuditEntry.noOffset
            after[Self.auditKey(tp)] = String(value.offset)
        }
        try await audit.audited(actor, AuditAction.groupAdminCommit, target: "group:\(groupId)", before: before,
                                after: { _ in after }) { () async throws(WharfError) in
            try await coordinator.commit(groupId: groupId, generationId: generationId, memberId: memberId, offsets: offsets, leaderEpochs: leaderEpochs)
        }
    }

    /// `topic/partition`, how the audit log names a partition (topic names cannot hold `/`).
    static func auditKey(_ tp: TopicPartition) -> String { tp.description }

    private func executeResetUnaudited(group: String, plan: [ResetPlanRow]) async throws(WharfError) -> ResetResult {
        guard !plan.isEmpty else { throw .invalidArgument("nothing to reset") }
        var offsets: [TopicPartition: Int64] = [:]
        for row in plan {
            let log = try log(row.topic, row.partition)
            guard row.newOffset >= 0, row.newOffset <= log.logEndOffset else {
                throw .offsetOutOfRange(topic: row.topic, partition: row.partition, offset: row.newOffset,
                                        logStart: log.logStartOffset, logEnd: log.logEndOffset)
            }
            offsets[TopicPartition(row.topic, row.partition)] = row.newOffset
        }
        let outcome = try await coordinator.resetOffsets(groupId: group, offsets: offsets)
        logger.info("reset offsets", metadata: ["group": "\(group)", "partitions": "\(plan.count)", "fenced": "\(outcome.membersFenced)"])
        return ResetResult(rows: plan, fencedLiveMembers: outcome.membersFenced)
    }

    public func deleteGroup(_ group: String, actor: AuditActor = .thisProcess) async throws(WharfError) {
        var before: [String: String] = [:]
        for (tp, c) in await coordinator.fetchOffsets(groupId: group, partitions: nil) { before[Self.auditKey(tp)] = String(c.offset) }
        try await audit.audited(actor, AuditAction.groupDelete, target: "group:\(group)", before: before) { () async throws(WharfError) in
            try await coordinator.deleteGroup(group)
        }
    }
}
