import WharfAdmin
import WharfCore
import WharfKafkaClient
import WharfOutbox

/// Publishes outbox records into a Kafka-protocol cluster: each record to the partition a Kafka
/// producer would choose for its key (murmur2; the key is the row's aggregate id, so one
/// aggregate's events stay in order on one partition), acks=all, one Produce per partition.
/// A missing topic is created with the broker's default partitions (or `partitions`).
public struct KafkaOutboxPublisher: OutboxPublisher {
    public let client: KafkaClient
    public let partitions: Int32?
    /// Stamps the records' timestamps.
    public let clock: any WallClock

    public init(client: KafkaClient, partitions: Int32?, clock: any WallClock) {
        self.client = client
        self.partitions = partitions
        self.clock = clock
    }

    public func publish(topic: String, records: [Record]) async throws {
        guard !records.isEmpty else { return }
        let count = try await partitionCount(topic)
        var order: [Int32] = []
        var byPartition: [Int32: [Record]] = [:]
        let partitioner = Partitioner()
        for r in records {
            let p = partitioner.partition(forKey: r.key, partitions: count)
            if byPartition[p] == nil { order.append(p) }
            byPartition[p, default: []].append(r)
        }
        let now = clock.nowMillis()
        // In order, partition by partition: a failure leaves the rest unsent, and the relay
        // publishes the whole batch again (at least once).
        for p in order { _ = try await client.produce(topic: topic, partition: p, records: byPartition[p]!, timestampMs: now) }
    }

    private func partitionCount(_ topic: String) async throws -> Int32 {
        if let t = try await client.currentMetadata().topic(topic) { return Int32(t.partitions.count) }
        if let t = try await client.refreshMetadata().topic(topic) { return Int32(t.partitions.count) }
        do {
            try await client.createTopic(topic, partitions: partitions ?? -1)
        } catch {
            // Created meanwhile by someone else ("already exists"): fine.
            guard case .refused = error else { throw error }
        }
        guard let t = try await client.refreshMetadata().topic(topic), !t.partitions.isEmpty else {
            throw KafkaClientError.notFound("topic \(topic) was created but has no partitions yet")
        }
        return Int32(t.partitions.count)
    }
}
