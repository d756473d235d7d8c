import WharfCore
import WharfKafkaClient

extension KafkaClient {
    /// The first offset at or after `timestamp` in each partition (ListOffsets), left out where no
    /// record is that recent: Kafka answers -1 there, which every caller reads as the log end, as
    /// the engine answers.
    public func firstOffsets(atOrAfter timestamp: Int64, in partitions: [TopicPartition]) async throws -> [TopicPartition: Int64] {
        try await listOffsets(partitions, timestamp: timestamp).filter { $0.value >= 0 }
    }
}
