import WharfCore

/// What read_committed readers need of a partition's transactions.
extension ProducerStateManager {
    /// The last stable offset (Kafka's LSO): the first offset of the oldest open transaction,
    /// or the high watermark when none is open. Read_committed readers stop below it.
    public var lastStableOffset: Int64 {
        let end = log.logEndOffset
        return state.withLock { s in min(s.transactions.firstUnstableOffset ?? end, end) }
    }

    /// Producer ids with a transaction open here and where it began.
    public var openTransactions: [(producerId: Int64, firstOffset: Int64)] {
        state.withLock { s in s.transactions.ongoing.sorted { $0.value < $1.value }.map { ($0.key, $0.value) } }
    }

    /// Aborted transactions a read_committed read of [from, below) must skip (Fetch's
    /// `aborted_transactions`, from Kafka's aborted transaction index).
    public func abortedTransactions(from: Int64, below: Int64) -> [AbortedTransaction] {
        state.withLock { s in s.transactions.aborted(from: from, below: below) }
    }
}
