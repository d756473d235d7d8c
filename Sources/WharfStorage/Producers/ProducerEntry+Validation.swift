import WharfCore

/// Kafka's `ProducerAppendInfo.checkProducerEpoch` and `checkSequence` for a batch from a client.
extension ProducerEntry {
    /// Throws unless a batch from this producer (nil: a producer this partition does not know)
    /// may be appended after what is remembered:
    /// - an epoch below the current one is fenced (INVALID_PRODUCER_EPOCH, as Kafka since 2.7);
    /// - a higher epoch must start at sequence 0;
    /// - the same epoch must continue at the last sequence + 1 (wrapping at Int32.max).
    /// An unknown producer may start at any sequence: since KIP-360 (Kafka 2.5+) its state may
    /// have expired with the data (retention, DeleteRecords), so Kafka accepts it rather than
    /// answering UNKNOWN_PRODUCER_ID.
    static func check(_ header: RecordBatchHeader, against entry: ProducerEntry?, partition: String) throws(WharfError) {
        guard let entry else { return }
        let pid = header.producerId
        if header.producerEpoch < entry.epoch {
            throw .invalidProducerEpoch("producer \(pid) on \(partition) sent epoch \(header.producerEpoch), older than its current epoch \(entry.epoch)")
        }
        if header.producerEpoch != entry.epoch {
            guard header.baseSequence == 0 else {
                throw .outOfOrderSequence("producer \(pid) on \(partition) started epoch \(header.producerEpoch) at sequence \(header.baseSequence), not 0")
            }
            return
        }
        guard let last = entry.batches.last?.lastSequence else { return }
        guard ProducerSequence.follows(header.baseSequence, after: last) else {
            throw .outOfOrderSequence("producer \(pid) on \(partition) sent sequence \(header.baseSequence), expected \(ProducerSequence.last(first: last, lastOffsetDelta: 1))")
        }
    }
}
