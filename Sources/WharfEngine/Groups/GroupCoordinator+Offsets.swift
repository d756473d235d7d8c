import WharfCore

/// Offset commits, fetches, deletions and the fenced reset.
extension GroupCoordinator {
    /// Commits offsets (OffsetCommit), persisting them before returning.
    ///
    /// Who may commit (Kafka's `ClassicGroup.validateOffsetCommit`):
    /// - generation < 0 (admin tools, consumers without group management, with or without a
    ///   member id of their own): only while the group has no members (it is created if
    ///   unknown), else `.unknownMember` as Kafka answers;
    /// - otherwise the member must be in the group (`.unknownMember`) and the generation must be
    ///   the current one (`.illegalGeneration`; after a fenced reset the old generation is no
    ///   longer current, so its commits cannot overwrite the reset);
    /// - during CompletingRebalance a valid member gets `.rebalanceInProgress`.
    /// Metadata longer than `maxMetadataBytes` or a negative partition is `.invalidArgument`.
    public func commit(groupId: String, generationId: Int32, memberId: String, offsets: [TopicPartition: (offset: Int64, metadata: String)],
                       leaderEpochs: [TopicPartition: Int32] = [:]) async throws(WharfError) {
        try Names.validateGroup(groupId)
        try checkKafkaString(groupId, "group id")
        for (tp, value) in offsets {
            try Self.checkPartition(tp)
            guard value.metadata.utf8.count <= Self.maxMetadataBytes else {
                throw .invalidArgument("offset metadata for \(tp) is longer than \(Self.maxMetadataBytes) bytes")
            }
        }
        // The one suspension before the commit is written, so the membership and generation
        // checks below see the group as it is when the commit enters the log.
        try await log.makeDurable(below: offsets.mapValues(\.offset))
        let group = groups[groupId]
        // As Kafka: a commit without a generation is from outside the group (an admin tool, or a
        // consumer that assigns partitions itself, which may send its own member id: librdkafka
        // 2.15+ does with group.protocol=consumer), allowed while the group has no members.
        let hasNoMembers = (group?.members.isEmpty ?? true) && (consumerGroups[groupId]?.members.isEmpty ?? true)
        let isAdmin = generationId < 0 && (memberId.isEmpty || hasNoMembers)
        if try checkConsumerCommit(groupId: groupId, memberEpoch: generationId, memberId: memberId) {
            // A consumer-protocol member with its current epoch.
        } else if isAdmin {
            if let group, !group.members.isEmpty { throw .unknownMember(group: groupId, member: memberId) }
        } else {
            guard let group, group.has(memberId) else { throw .unknownMember(group: groupId, member: memberId) }
            guard generationId == group.generationId else {
                throw .illegalGeneration(group: groupId, generation: generationId, current: group.generationId)
            }
            if group.state == .completingRebalance { throw .rebalanceInProgress(groupId) }
        }
        let now = clock.nowMillis()
        var committed: [TopicPartition: CommittedOffset] = [:]
        for (tp, value) in offsets {
            committed[tp] = CommittedOffset(offset: value.offset, metadata: value.metadata, commitTimestamp: now, leaderEpoch: leaderEpochs[tp] ?? -1)
        }
        let written = try store(committed, in: group ?? newGroup(groupId))
        if !isAdmin, let group { group.update(memberId) { $0.lastHeartbeatMs = now } }
        try await written.durable()
    }

    /// Committed offsets of a group (OffsetFetch): those of `partitions`, or all when nil.
    /// Partitions without a commit are absent; an unknown group has none.
    public func fetchOffsets(groupId: String, partitions: [TopicPartition]?) -> [TopicPartition: CommittedOffset] {
        guard let group = groups[groupId] else { return [:] }
        guard let partitions else { return group.offsets }
        var out: [TopicPartition: CommittedOffset] = [:]
        for tp in partitions { out[tp] = group.offsets[tp] }
        return out
    }

    /// Sets committed offsets as an operator (kafka-consumer-groups --reset-offsets --execute),
    /// and, unlike Kafka, works while the group has live members: the offsets are persisted,
    /// then the current generation is fenced. The generation advances at once and the group
    /// enters PreparingRebalance, so the old generation's syncs get `.rebalanceInProgress`, its
    /// heartbeats `.illegalGeneration` (members rejoin keeping their ids, treating their
    /// assignment as lost so they re-fetch the committed offsets), and its commits get
    /// `.illegalGeneration` (an in-flight commit cannot overwrite the reset). After the new
    /// generation's sync, consumers fetch committed offsets and resume from the reset ones.
    ///
    /// An unknown group is created (Empty), as an admin commit would. Offsets must be >= 0;
    /// range checks against the logs are the caller's (the engine's dry-run) business.
    public func resetOffsets(groupId: String, offsets: [TopicPartition: Int64]) async throws(WharfError) -> ResetOutcome {
        try Names.validateGroup(groupId)
        try checkKafkaString(groupId, "group id")
        for (tp, offset) in offsets {
            try Self.checkPartition(tp)
            guard offset >= 0 else { throw .invalidArgument("cannot reset \(tp) to negative offset \(offset)") }
        }
        let now = clock.nowMillis()
        let group = groups[groupId] ?? newGroup(groupId)
        let written = try store(offsets.mapValues { CommittedOffset(offset: $0, commitTimestamp: now) }, in: group)
        logger.info("offsets reset", metadata: ["group": "\(groupId)", "partitions": "\(offsets.count)", "members": "\(group.members.count)"])
        let outcome = fenceAfterReset(group)
        try await written.durable()
        return outcome
    }

    /// The fencing half of `resetOffsets`, run before anything else reaches the group.
    private func fenceAfterReset(_ group: ClassicGroup) -> ResetOutcome {
        if let fenced = fenceConsumerMembers(group.groupId) { return fenced }
        guard !group.members.isEmpty else {
            return ResetOutcome(fencedMembers: [], fencedGeneration: nil, generationId: group.generationId)
        }
        if group.fencedGeneration == nil {
            // Fence: nobody holds the next generation yet, so every commit in flight is refused.
            group.fencedGeneration = group.generationId
            group.generationId &+= 1
            if group.state != .preparingRebalance { prepareRebalance(group, reason: "offsets reset") }
        }
        return ResetOutcome(fencedMembers: group.members.map(\.memberId), fencedGeneration: group.fencedGeneration, generationId: group.generationId)
    }

    /// Deletes committed offsets (OffsetDelete). Allowed when the group has no members, or,
    /// for a consumer group, for topics no member subscribes to (else `.invalidArgument`,
    /// Kafka's GROUP_SUBSCRIBED_TO_TOPIC; a non-consumer group with members: `.groupNotEmpty`).
    /// Partitions without a commit are ignored.
    public func deleteOffsets(groupId: String, partitions: [TopicPartition]) async throws(WharfError) {
        guard let group = groups[groupId] else { throw .unknownGroup(groupId) }
        if let consumerGroup = consumerGroups[groupId] {
            let subscribed = Set(consumerGroup.describe(protocolType: ConsumerProtocol.protocolType).members.flatMap { $0.subscribedTopics ?? [] })
            if let tp = partitions.first(where: { subscribed.contains($0.topic) }) {
                throw .invalidArgument("group '\(groupId)' is subscribed to topic '\(tp.topic)'")
            }
        } else if !group.members.isEmpty {
            guard group.protocolType == ConsumerProtocol.protocolType else { throw .groupNotEmpty(groupId) }
            let subscribed = Set(group.describe().members.flatMap { $0.subscribedTopics ?? [] })
            if let tp = partitions.first(where: { subscribed.contains($0.topic) }) {
                throw .invalidArgument("group '\(groupId)' is subscribed to topic '\(tp.topic)'")
            }
        }
        let present = Set(partitions).filter { group.offsets[$0] != nil }.sorted()
        guard !present.isEmpty else { return }
        try writeGroupState(present.map { ConsumerOffsetsRecord.offsetTombstone(group: groupId, $0).encode() })
        for tp in present { group.offsets[tp] = nil }
        try await groupStateDurable()
    }

    /// Writes then applies commits (nothing changes if the log refuses them); the caller
    /// acknowledges only after the returned write is durable. Applying before durability keeps
    /// memory in log order without holding the actor across the fdatasync: an OffsetFetch in
    /// that window (about one fdatasync) may see a commit a power cut then loses, which leaves
    /// the consumer reading from the earlier commit: at-least-once holds.
    func store(_ committed: [TopicPartition: CommittedOffset], in group: ClassicGroup) throws(WharfError) -> CommitLogWrite {
        guard !committed.isEmpty else { return .durable }
        let records = committed.sorted { $0.key < $1.key }.map {
            ConsumerOffsetsRecord.offsetCommit(group: group.groupId, $0.key, $0.value).encode()
        }
        let written = try log.write(records)
        groups[group.groupId] = group
        group.offsets.merge(committed) { _, new in new }
        return written
    }

    private static func checkPartition(_ tp: TopicPartition) throws(WharfError) {
        guard tp.partition >= 0, !tp.topic.isEmpty else { throw .invalidArgument("invalid partition \(tp)") }
        try checkKafkaString(tp.topic, "topic name")
    }

    func newGroup(_ groupId: String) -> ClassicGroup {
        ClassicGroup(groupId: groupId, now: clock.nowMillis())
    }
}
