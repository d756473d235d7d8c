import KafkaProtocol
import WharfAdmin
import WharfCore
import WharfKafkaClient

/// A topic of a Kafka-protocol cluster opened for appends (`wharf produce --bootstrap`): the
/// engine's placement (murmur2 of the key, unkeyed records round-robin, through the `Partitioner`
/// the engine uses) and one Produce per partition per append.
struct ClusterAppender: RecordAppending {
    let client: KafkaClient
    let topic: String
    let partition: Int32?
    let partitionCount: Int32
    let clock: any WallClock
    let partitioner = Partitioner()

    static func open(_ client: KafkaClient, topic: String, partition: Int32?, create: Bool, clock: any WallClock) async throws -> ClusterAppender {
        var t = try await client.refreshMetadata().topic(topic)
        if t == nil, create {
            // -1: the broker's default partition count (CreateTopics v4+), as the embedded
            // engine uses its own default.
            let version = try await client.negotiatedVersion(.createTopics)
            try await client.createTopic(topic, partitions: version >= 4 ? -1 : 3)
            t = try await client.refreshMetadata().topic(topic)
        }
        // Refused before any record is read, with the engine's message.
        guard let t else { throw WharfError.unknownTopic(topic) }
        if t.isInternal { throw WharfError.invalidArgument("cannot produce to internal topic \(topic)") }
        let count = Int32(t.partitions.count)
        if let partition, partition < 0 || partition >= count { throw WharfError.unknownPartition(topic: topic, partition: partition) }
        return ClusterAppender(client: client, topic: topic, partition: partition, partitionCount: count, clock: clock)
    }

    func append(_ records: [Record]) async throws -> [AppendedRange] {
        var byPartition: [Int32: [Record]] = [:]
        for r in records { byPartition[partition ?? partitioner.partition(forKey: r.key, partitions: partitionCount), default: []].append(r) }
        let now = clock.nowMillis()
        var out: [AppendedRange] = []
        for (p, batch) in byPartition.sorted(by: { $0.key < $1.key }) {
            let base = try await client.produce(topic: topic, partition: p, records: batch, timestampMs: now)
            out.append((p, base, base + Int64(batch.count) - 1))
        }
        return out
    }
}
