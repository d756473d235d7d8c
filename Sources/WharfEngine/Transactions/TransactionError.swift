import WharfCore

/// Why the transaction coordinator refused a request; each case is one Kafka error code.
public enum TransactionError: Error, Sendable, CustomStringConvertible {
    /// The producer's epoch is not the transactional id's current one: a newer producer
    /// with the same transactional id took over (PRODUCER_FENCED).
    case producerFenced(String)
    /// No such transactional id, or another producer id holds it (INVALID_PRODUCER_ID_MAPPING).
    case invalidProducerIdMapping(String)
    /// The request does not fit the transaction's state (INVALID_TXN_STATE).
    case invalidTxnState(String)
    /// `transaction.timeout.ms` is not positive or above `--transaction-max-timeout-ms`
    /// (INVALID_TRANSACTION_TIMEOUT).
    case invalidTransactionTimeout(String)
    /// The transaction of this transactional id is ending (its markers or offsets being
    /// written): the client retries (CONCURRENT_TRANSACTIONS).
    case concurrentTransactions(String)
    /// The markers could not be written or the state not persisted; the transaction stays
    /// where it was and the client may retry.
    case storage(WharfError)

    public var description: String {
        switch self {
        case .producerFenced(let why), .invalidProducerIdMapping(let why), .invalidTxnState(let why), .invalidTransactionTimeout(let why),
             .concurrentTransactions(let why): why
        case .storage(let error): "\(error)"
        }
    }
}
