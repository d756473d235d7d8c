import KafkaProtocol
import WharfAdmin
import WharfCore
import WharfKafkaClient

/// Topic reports built over the Kafka protocol, in the engine's `TopicDescription` shape so the
/// CLI prints them through the same functions. Sizes come from DescribeLogDirs (the leader
/// replica's bytes); a broker without it leaves them -1, printed as '-', as is the segment count,
/// which the protocol does not report.
public enum ClusterTopics {
    /// Kafka's defaults, for a broker that does not report a topic's retention config.
    public static let defaultRetentionMs: Int64 = 7 * 24 * 3600 * 1000
    public static let defaultRetentionBytes: Int64 = -1

    public static func describeAll(_ client: KafkaClient, includeInternal: Bool) async throws -> [TopicDescription] {
        let metadata = try await client.refreshMetadata()
        return try await describe(client, metadata.topics.filter { includeInternal || !$0.isInternal })
    }

    public static func describe(_ client: KafkaClient, name: String) async throws -> TopicDescription {
        let metadata = try await client.refreshMetadata()
        guard let topic = metadata.topic(name) else { throw WharfError.unknownTopic(name) }
        return try await describe(client, [topic])[0]
    }

    /// One ListOffsets pair per leader and one DescribeConfigs for all the topics.
    public static func describe(_ client: KafkaClient, _ topics: [ClusterMetadata.Topic]) async throws -> [TopicDescription] {
        guard !topics.isEmpty else { return [] }
        let partitions = topics.flatMap { t in t.partitions.map { TopicPartition(t.name, $0.partition) } }
        async let logDirs = logDirs(client, partitions)
        let offsets = partitions.isEmpty ? [:] : try await client.logOffsets(partitions)
        let sizes = await logDirs.sizes
        let configs = try await retention(client, topics.map(\.name))
        return topics.map { t in
            let retention = configs[t.name] ?? (defaultRetentionMs, defaultRetentionBytes)
            return TopicDescription(
                name: t.name, isInternal: t.isInternal, retentionMs: retention.ms, retentionBytes: retention.bytes,
                partitions: t.partitions.map { p in
                    let tp = TopicPartition(t.name, p.partition)
                    let o = offsets[tp] ?? (0, 0)
                    return PartitionDescription(partition: p.partition, logStartOffset: o.start, logEndOffset: o.end,
                                                     sizeBytes: sizes[tp] ?? -1, segments: -1)
                })
        }.sorted { $0.name < $1.name }
    }

    /// The leader replica's bytes of each partition and the brokers' disks. A nicety: a service
    /// without DescribeLogDirs, or one that refuses it, gets an empty report (sizes shown as
    /// '-'), never a failed command.
    public static func logDirs(_ client: KafkaClient, _ partitions: [TopicPartition]) async -> LogDirsReport {
        (try? await client.describeLogDirs(partitions)) ?? LogDirsReport()
    }

    /// `retention.ms` and `retention.bytes` of each topic (DescribeConfigs, resource type 2 = topic).
    public static func retention(_ client: KafkaClient, _ names: [String]) async throws -> [String: (ms: Int64, bytes: Int64)] {
        var request = DescribeConfigsRequest()
        request.resources = names.map {
            var r = DescribeConfigsRequest.DescribeConfigsResource()
            r.resourceType = 2
            r.resourceName = $0
            r.configurationKeys = ["retention.ms", "retention.bytes"]
            return r
        }
        let response = try await client.send(request, to: .any)
        var out: [String: (ms: Int64, bytes: Int64)] = [:]
        for result in response.results where result.errorCode == 0 {
            let values = Dictionary(result.configs.map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { a, _ in a })
            out[result.resourceName] = (Int64(values["retention.ms"] ?? "") ?? defaultRetentionMs,
                                        Int64(values["retention.bytes"] ?? "") ?? defaultRetentionBytes)
        }
        return out
    }
}
