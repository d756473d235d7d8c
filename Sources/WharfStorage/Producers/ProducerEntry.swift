import WharfCore

/// What one partition remembers of one idempotent producer (Kafka's `ProducerStateEntry`): its
/// current epoch and its last batches (at most `kept`), newest last, so a retried batch is
/// answered with its original offsets and the next batch's sequence can be checked.
struct ProducerEntry: Sendable, Equatable {
    struct Batch: Sendable, Equatable {
        var firstSequence: Int32
        var lastSequence: Int32
        var firstOffset: Int64
        var lastOffset: Int64
    }

    /// Kafka's `ProducerStateEntry.NumBatchesToRetain`.
    static let kept = 5

    var epoch: Int16
    var batches: [Batch]

    /// The batch with exactly this sequence range in the current epoch: a retry of it.
    func duplicate(of header: RecordBatchHeader) -> Batch? {
        guard header.producerEpoch == epoch else { return nil }
        let last = ProducerSequence.last(first: header.baseSequence, lastOffsetDelta: header.lastOffsetDelta)
        return batches.first { $0.firstSequence == header.baseSequence && $0.lastSequence == last }
    }

    /// Remembers a batch written at `firstOffset`: a new epoch forgets the old epoch's batches.
    mutating func record(_ header: RecordBatchHeader, firstOffset: Int64) {
        if header.producerEpoch != epoch {
            epoch = header.producerEpoch
            batches = []
        }
        batches.append(Batch(firstSequence: header.baseSequence,
                             lastSequence: ProducerSequence.last(first: header.baseSequence, lastOffsetDelta: header.lastOffsetDelta),
                             firstOffset: firstOffset, lastOffset: firstOffset + Int64(header.lastOffsetDelta)))
        if batches.count > Self.kept { batches.removeFirst(batches.count - Self.kept) }
    }

    /// Offset of the newest record this producer wrote here (-1 if none is remembered).
    var lastOffset: Int64 { batches.last?.lastOffset ?? -1 }
}

extension RecordBatchHeader {
    /// Written by an idempotent producer: the batch carries a producer id and a sequence.
    var isIdempotent: Bool { producerId >= 0 && baseSequence >= 0 }
}
