import KafkaProtocol
import WharfAdmin
import WharfCore
import WharfKafkaClient

/// `wharf produce --bootstrap`: the engine's placement (murmur2 of the key, unkeyed records
/// round-robin, through the `Partitioner` the engine uses) and one Produce per partition per batch.
public enum ClusterProduce {
    public typealias Appended = (partition: Int32, base: Int64, last: Int64)

    public static func run(_ kafka: KafkaClient.Configuration, topic: String, partition: Int32?, create: Bool, clock: any WallClock,
                    lines: (_ append: ([Record]) async throws -> [Appended]) async throws -> Int) async throws -> Int {
        try await ClusterSession.with(kafka) { client in
            var t = try await client.refreshMetadata().topic(topic)
            if t == nil, create {
                // -1: the broker's default partition count (CreateTopics v4+), as the embedded
                // engine uses its own default.
                let version = try await client.negotiatedVersion(.createTopics)
                try await client.createTopic(topic, partitions: version >= 4 ? -1 : 3)
                t = try await client.refreshMetadata().topic(topic)
            }
            // Fail before reading stdin if the topic is unknown, with the engine's message.
            guard let t else { throw WharfError.unknownTopic(topic) }
            if t.isInternal { throw WharfError.invalidArgument("cannot produce to internal topic \(topic)") }
            let count = Int32(t.partitions.count)
            if let partition, partition < 0 || partition >= count { throw WharfError.unknownPartition(topic: topic, partition: partition) }
            let partitioner = Partitioner()
            return try await lines { records in
                var byPartition: [Int32: [Record]] = [:]
                for r in records { byPartition[partition ?? partitioner.partition(forKey: r.key, partitions: count), default: []].append(r) }
                let now = clock.nowMillis()
                var out: [Appended] = []
                for (p, batch) in byPartition.sorted(by: { $0.key < $1.key }) {
                    let base = try await client.produce(topic: topic, partition: p, records: batch, timestampMs: now)
                    out.append((p, base, base + Int64(batch.count) - 1))
                }
                return out
            }
        }
    }
}
