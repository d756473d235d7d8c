import WharfCore

/// A transaction a partition saw aborted: the range a read_committed reader must skip for
/// `producerId` (Kafka's `AbortedTxn`, what Fetch's `aborted_transactions` lists).
public struct AbortedTransaction: Sendable, Equatable {
    public var producerId: Int64
    public var firstOffset: Int64
    /// Offset of the abort marker.
    public var lastOffset: Int64

    public init(producerId: Int64, firstOffset: Int64, lastOffset: Int64) {
        self.producerId = producerId
        self.firstOffset = firstOffset
        self.lastOffset = lastOffset
    }
}

/// The transactions of one partition, folded from its batches in log order: which producers
/// have a transaction open here (from their first transactional batch to their marker) and
/// which transactions ended aborted. The first open one bounds the last stable offset; the
/// aborted ones are Kafka's aborted transaction index.
struct PartitionTransactions: Sendable, Equatable {
    /// Producer id -> offset of the first batch of its open transaction.
    var ongoing: [Int64: Int64] = [:]
    /// Aborted transactions, by marker offset ascending.
    var aborted: [AbortedTransaction] = []

    /// Folds in one batch written at `offset` (`marker`: the type of a control batch).
    mutating func apply(_ header: RecordBatchHeader, at offset: Int64, marker: TransactionMarker?) {
        let pid = header.producerId
        guard pid >= 0, header.isTransactional else { return }
        if header.isControl {
            guard let first = ongoing.removeValue(forKey: pid) else { return }
            if marker == .abort { aborted.append(AbortedTransaction(producerId: pid, firstOffset: first, lastOffset: offset)) }
        } else if ongoing[pid] == nil {
            ongoing[pid] = offset
        }
    }

    /// The first offset a read_committed reader may not pass yet (nil: none open).
    var firstUnstableOffset: Int64? { ongoing.values.min() }

    /// Aborted transactions a read of [from, below) must know of: those ending at or after
    /// `from` that began below `below`.
    func aborted(from: Int64, below: Int64) -> [AbortedTransaction] {
        aborted.filter { $0.lastOffset >= from && $0.firstOffset < below }
    }

    /// Forgets what lies wholly below the log start (retention, DeleteRecords).
    mutating func expire(below logStart: Int64) {
        aborted.removeAll { $0.lastOffset < logStart }
    }

    /// Each batch laid back to back in `raw` with, for a control batch, its marker type.
    static func batches(in raw: UnsafeRawBufferPointer) throws(WharfError) -> [(header: RecordBatchHeader, marker: TransactionMarker?)] {
        var out: [(header: RecordBatchHeader, marker: TransactionMarker?)] = []
        var position = 0
        while raw.count - position >= RecordBatchHeader.size {
            let h = try RecordBatchHeader(parsing: UnsafeRawBufferPointer(rebasing: raw[position...]))
            guard h.totalSize <= raw.count - position else { break }  // a read may end in a partial batch
            let marker = h.isControl ? TransactionMarker.of(controlBatch: UnsafeRawBufferPointer(rebasing: raw[position..<(position + h.totalSize)])) : nil
            out.append((h, marker))
            position += h.totalSize
        }
        return out
    }
}
