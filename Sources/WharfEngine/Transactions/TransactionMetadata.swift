import WharfCore

/// Where a transactional id's current transaction is (Kafka's `TransactionState`). The two
/// `prepare` states are persisted before the markers are written, so a restart finishes what
/// was decided; `ongoing` is persisted before the producer writes to a partition.
public enum TransactionStatus: String, Codable, Sendable {
    case empty, ongoing, prepareCommit, prepareAbort, completeCommit, completeAbort
}

/// One partition of a transaction (Codable for `transactions.json`).
public struct TransactionPartition: Codable, Hashable, Sendable, Comparable {
    public var topic: String
    public var partition: Int32

    public init(topic: String, partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    public static func < (a: Self, b: Self) -> Bool { (a.topic, a.partition) < (b.topic, b.partition) }
}

/// An offset committed inside a transaction (TxnOffsetCommit): applied to the group when the
/// transaction commits, dropped when it aborts.
public struct TransactionalOffset: Codable, Hashable, Sendable {
    public var group: String
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    public var metadata: String
}

/// A transactional id's state (Kafka's `TransactionMetadata`): its producer id and epoch, its
/// timeout, and what the current transaction touched.
public struct TransactionMetadata: Codable, Sendable, Equatable {
    public var transactionalId: String
    public var producerId: Int64
    public var epoch: Int16
    public var timeoutMs: Int32
    public var status: TransactionStatus
    public var partitions: Set<TransactionPartition>
    public var groups: Set<String>
    public var offsets: [TransactionalOffset]
    /// When the current transaction began (its first AddPartitionsToTxn or AddOffsetsToTxn).
    public var startedMs: Int64

    /// Throws unless `producerId`/`epoch` is the producer currently holding this id.
    func checkProducer(_ producerId: Int64, _ epoch: Int16) throws(TransactionError) {
        guard producerId == self.producerId else {
            throw .invalidProducerIdMapping("transactional id '\(transactionalId)' belongs to producer \(self.producerId), not \(producerId)")
        }
        guard epoch == self.epoch else {
            throw .producerFenced("producer \(producerId) of '\(transactionalId)' has epoch \(epoch); the current one is \(self.epoch)")
        }
    }
}
