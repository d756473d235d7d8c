import WharfCore
import WharfStorage

/// Idempotent producers: their ids, and each partition's producer state.
extension Engine {
    /// A producer id (Kafka's InitProducerId) never handed out before by this data directory.
    public func allocateProducerId() throws(WharfError) -> Int64 {
        try producerIds.allocate()
    }

    /// The idempotent producers partition `partition` of `topic` remembers (DescribeProducers).
    public func producers(topic: String, partition: Int32) throws(WharfError) -> [ProducerSummary] {
        try producerState(topic, partition).producers
    }

    func producerState(_ topic: String, _ partition: Int32) throws(WharfError) -> ProducerStateManager {
        let t = try self.topic(topic)
        guard partition >= 0, Int(partition) < t.producers.count else { throw .unknownPartition(topic: topic, partition: partition) }
        return t.producers[Int(partition)]
    }
}
