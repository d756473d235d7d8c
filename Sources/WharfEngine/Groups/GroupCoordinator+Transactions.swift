import WharfCore

/// Offsets committed by a transaction (TxnOffsetCommit, applied when EndTxn commits).
extension GroupCoordinator {
    /// Stores offsets a committed transaction carried, whatever the group's members and
    /// generation are now: they were checked when the producer sent them, and the transaction
    /// committing is what makes them count (Kafka writes them with the COMMIT marker).
    func commitTransactional(groupId: String, offsets: [TopicPartition: (offset: Int64, metadata: String)]) throws(WharfError) {
        let now = clock.nowMillis()
        let committed = offsets.mapValues { CommittedOffset(offset: $0.offset, metadata: $0.metadata, commitTimestamp: now) }
        try log.makeDurable(below: offsets.mapValues(\.offset))
        try store(committed, in: groups[groupId] ?? newGroup(groupId))
    }
}
