import WharfCore
import WharfStorage

/// Transactions (exactly-once): the coordinator's requests, the markers it writes, and what
/// read_committed readers see of each partition.
extension Engine {
    /// InitProducerId with a transactional id (see `TransactionCoordinator.initProducer`).
    public func initTransactionalProducer(transactionalId: String, timeoutMs: Int32, producerId: Int64 = -1,
                                          epoch: Int16 = -1) async throws(TransactionError) -> (producerId: Int64, epoch: Int16) {
        try await transactions.initProducer(transactionalId, timeoutMs: timeoutMs, producerId: producerId, epoch: epoch, engine: self)
    }

    /// AddPartitionsToTxn (the partitions must exist; the caller checks them first).
    public func addPartitionsToTransaction(transactionalId: String, producerId: Int64, epoch: Int16,
                                           partitions: [TransactionPartition]) async throws(TransactionError) {
        try await transactions.addPartitions(transactionalId, producerId: producerId, epoch: epoch, partitions, engine: self)
    }

    /// AddOffsetsToTxn.
    public func addOffsetsToTransaction(transactionalId: String, producerId: Int64, epoch: Int16, group: String) async throws(TransactionError) {
        try await transactions.addOffsets(transactionalId, producerId: producerId, epoch: epoch, group: group, engine: self)
    }

    /// TxnOffsetCommit: offsets of `group` held until the transaction ends.
    public func commitTransactionalOffsets(transactionalId: String, producerId: Int64, epoch: Int16, group: String,
                                           offsets: [TopicPartition: (offset: Int64, metadata: String)]) async throws(TransactionError) {
        let held = offsets.map { TransactionalOffset(group: group, topic: $0.key.topic, partition: $0.key.partition, offset: $0.value.offset, metadata: $0.value.metadata) }
        try await transactions.commitOffsets(transactionalId, producerId: producerId, epoch: epoch, group: group, held, engine: self)
    }

    /// EndTxn: markers in every partition of the transaction (durable under the fsync policy
    /// before this returns), then the offsets on commit.
    public func endTransaction(transactionalId: String, producerId: Int64, epoch: Int16, commit: Bool) async throws(TransactionError) {
        try await transactions.end(transactionalId, producerId: producerId, epoch: epoch, commit: commit, engine: self)
    }

    /// Every transactional id's state (dashboard, tests).
    public func transactionStates() async -> [TransactionMetadata] {
        await transactions.all
    }

    /// Appends one COMMIT or ABORT marker for `producerId` to a partition and waits for it to be
    /// durable as the fsync policy says.
    func writeTransactionMarker(_ marker: TransactionMarker, topic: String, partition: Int32, producerId: Int64, epoch: Int16) throws(WharfError) {
        var bytes = marker.batch(producerId: producerId, epoch: epoch, timestamp: clock.nowMillis())
        _ = try producerState(topic, partition).append(&bytes, from: .engine)
    }

    /// The last stable offset of a partition (its high watermark when no transaction is open).
    public func lastStableOffset(topic: String, partition: Int32) throws(WharfError) -> Int64 {
        try producerState(topic, partition).lastStableOffset
    }

    /// The aborted transactions a read_committed read of [from, below) must skip.
    public func abortedTransactions(topic: String, partition: Int32, from: Int64, below: Int64) throws(WharfError) -> [AbortedTransaction] {
        try producerState(topic, partition).abortedTransactions(from: from, below: below)
    }

    /// Producers with a transaction open on a partition, and where each began.
    public func openTransactions(topic: String, partition: Int32) throws(WharfError) -> [(producerId: Int64, firstOffset: Int64)] {
        try producerState(topic, partition).openTransactions
    }

    /// Every partition's open transactions with the producer's epoch there (the coordinator's
    /// sweep for transactions no coordinator state accounts for).
    func openTransactionsEverywhere() -> [(partition: TransactionPartition, producerId: Int64, epoch: Int16)] {
        let all = topics.withLock { Array($0.values) }
        var out: [(partition: TransactionPartition, producerId: Int64, epoch: Int16)] = []
        for t in all where !t.meta.isInternal {
            for (i, producers) in t.producers.enumerated() {
                let open = producers.openTransactions
                guard !open.isEmpty else { continue }
                let epochs = Dictionary(producers.producers.map { ($0.producerId, $0.epoch) }, uniquingKeysWith: max)
                for o in open {
                    out.append((TransactionPartition(topic: t.meta.name, partition: Int32(i)), o.producerId, epochs[o.producerId] ?? 0))
                }
            }
        }
        return out
    }
}
