/// One idempotent producer as a partition knows it (Kafka's DescribeProducers): its id and
/// epoch, and the sequence and offset of its last batch.
public struct ProducerSummary: Sendable, Equatable {
    public var producerId: Int64
    public var epoch: Int16
    public var lastSequence: Int32
    public var lastOffset: Int64
}

extension ProducerStateManager {
    /// The producers this partition remembers, by id.
    public var producers: [ProducerSummary] {
        state.withLock { s in
            s.producers.sorted { $0.key < $1.key }.map { id, entry in
                ProducerSummary(producerId: id, epoch: entry.epoch, lastSequence: entry.batches.last?.lastSequence ?? -1,
                                lastOffset: entry.lastOffset)
            }
        }
    }
}
