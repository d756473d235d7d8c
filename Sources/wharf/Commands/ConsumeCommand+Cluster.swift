import WharfClusterSource
import WharfCore
import WharfEngine
import WharfKafkaClient

/// `wharf consume --bootstrap` without a group: the embedded command's reading over the Kafka
/// protocol. Each partition (or --partition) from --from (ListOffsets -2/-1, or with the time)
/// to its end as it was when the partition was started, partition by partition.
extension ConsumeCommand {
    static func consumeFromCluster(_ kafka: KafkaClient.Configuration, topic: String, partition: Int32?, from: From, limit: Int,
                                   emit: (ConsumedRecord) -> Void) async throws {
        try await ClusterSession.with(kafka) { client in
            let t = try await ClusterDeadLetters.topicMetadata(client, topic)
            let all = t.partitions.map(\.partition)
            if let partition, !all.contains(partition) { throw WharfError.unknownPartition(topic: topic, partition: partition) }
            var printed = 0
            for p in partition.map({ [$0] }) ?? all {
                let tp = TopicPartition(topic, p)
                guard printed < limit else { break }
                guard let log = try await client.logOffsets([tp])[tp] else { continue }
                let (start, end) = (log.start, log.end)
                var offset: Int64
                switch from {
                case .earliest: offset = start
                case .latest: offset = end
                case .time(let ts): offset = try await client.firstOffsets(atOrAfter: ts, in: [tp])[tp] ?? end
                case .offset(let o):
                    guard o >= start, o <= end else {
                        throw WharfError.offsetOutOfRange(topic: topic, partition: p, offset: o, logStart: start, logEnd: end)
                    }
                    offset = o
                }
                while printed < limit, offset < end {
                    let records = try await ClusterRecordReader.read(client, [tp: .init(from: offset, until: end, limit: Swift.min(1000, limit - printed))])[tp] ?? []
                    guard let last = records.last else { break }
                    for r in records { emit(ConsumedRecord(topic: topic, partition: p, record: r)) }
                    printed += records.count
                    offset = last.offset + 1
                }
            }
        }
    }

    /// `consume --group --bootstrap`: a real member of the group (ClusterGroupConsumer), polled
    /// and committed as the embedded command does, leaving the group on exit.
    static func consumeFromClusterGroup(_ kafka: KafkaClient.Configuration, topic: String, group: String, from: From, limit: Int,
                                        emit: (ConsumedRecord) -> Void) async throws {
        try await ClusterSession.with(kafka) { client in
            _ = try await ClusterDeadLetters.topicMetadata(client, topic)
            let consumer = ClusterGroupConsumer(client: client, group: group, topics: [topic],
                                                startAt: { if case .latest = from { return .latest } else { return .earliest } }(),
                                                clock: SystemClock())
            try await GroupConsumeLoop.run(consumer, limit: limit, emit: emit)
        }
    }
}
