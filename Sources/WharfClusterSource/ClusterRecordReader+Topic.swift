import WharfAdmin
import WharfCore
import WharfKafkaClient

extension ClusterRecordReader {
    /// `Engine.readTopic` over the Kafka protocol (`wharf consume --bootstrap` without a group):
    /// each partition (or `partition`) from `start` (ListOffsets -2/-1, or with the time) to its
    /// end as it was when the partition was started, until `limit` records in all went to `emit`.
    public static func readTopic(_ client: KafkaClient, _ topic: String, partition: Int32?, from start: ConsumeStart, limit: Int,
                                 emit: (ConsumedRecord) -> Void) async throws {
        let all = try await ClusterDeadLetters.topicMetadata(client, topic).partitions.map(\.partition)
        if let partition, !all.contains(partition) { throw WharfError.unknownPartition(topic: topic, partition: partition) }
        var printed = 0
        for p in partition.map({ [$0] }) ?? all {
            let tp = TopicPartition(topic, p)
            guard printed < limit else { break }
            guard let log = try await client.logOffsets([tp])[tp] else { continue }
            let (first, end) = (log.start, log.end)
            var offset: Int64
            switch start {
            case .earliest: offset = first
            case .latest: offset = end
            case .time(let ts): offset = try await client.firstOffsets(atOrAfter: ts, in: [tp])[tp] ?? end
            case .offset(let o):
                guard o >= first, o <= end else {
                    throw WharfError.offsetOutOfRange(topic: topic, partition: p, offset: o, logStart: first, logEnd: end)
                }
                offset = o
            }
            while printed < limit, offset < end {
                let records = try await read(client, [tp: .init(from: offset, until: end, limit: Swift.min(1000, limit - printed))])[tp] ?? []
                guard let last = records.last else { break }
                for r in records { emit(ConsumedRecord(topic: topic, partition: p, record: r)) }
                printed += records.count
                offset = last.offset + 1
            }
        }
    }
}
