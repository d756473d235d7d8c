import WharfCore

/// Offsets committed by a transaction (TxnOffsetCommit, applied when EndTxn commits).
extension GroupCoordinator {
    /// Stores offsets a committed transaction carried, whatever the group's members and
    /// generation are now: they were checked when the producer sent them, and the transaction
    /// committing is what makes them count (Kafka writes them with the COMMIT marker).
    func commitTransactional(groupId: String, offsets: [TopicPartition: (offset: Int64, metadata: String)]) async throws(WharfError) {
        try await log.makeDurable(below: offsets.mapValues(\.offset))
        let now = clock.nowMillis()
        let committed = offsets.mapValues { CommittedOffset(offset: $0.offset, metadata: $0.metadata, commitTimestamp: now) }
        try await store(committed, in: groups[groupId] ?? newGroup(groupId)).durable()
    }

    /// TxnOffsetCommit v3+ (KIP-447) names the consumer's member and generation: a member no
    /// longer in the group, or a generation no longer current (a rebalance since), is refused
    /// as OffsetCommit refuses it, so a zombie's offsets never enter a transaction. Generation
    /// -1 without a member id (older clients, consumers outside a group) is not checked.
    public func checkTransactionalCommitter(groupId: String, generationId: Int32, memberId: String) throws(WharfError) {
        guard generationId >= 0 || !memberId.isEmpty else { return }
        guard let group = groups[groupId], group.has(memberId) else { throw .unknownMember(group: groupId, member: memberId) }
        guard generationId == group.generationId else {
            throw .illegalGeneration(group: groupId, generation: generationId, current: group.generationId)
        }
    }
}
