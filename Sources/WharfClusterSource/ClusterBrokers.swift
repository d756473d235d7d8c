import WharfAdmin
import WharfCore
import WharfKafkaClient

/// The brokers of a Kafka-protocol cluster: from Metadata, the partitions each leads and the
/// copies it holds in and out of the in-sync set; from DescribeLogDirs, its fullest log volume.
public enum ClusterBrokers {
    /// One Metadata and one DescribeLogDirs per broker (for the partitions it leads).
    public static func describeAll(_ client: KafkaClient) async throws -> [BrokerDescription] {
        let metadata = try await client.refreshMetadata()
        let partitions = metadata.topics.flatMap { t in t.partitions.filter { $0.leader >= 0 }.map { TopicPartition(t.name, $0.partition) } }
        return describe(metadata, await ClusterTopics.logDirs(client, partitions))
    }

    /// Per broker, from answers already read (no I/O), sorted by id; brokers named as replicas
    /// but absent from the metadata are listed offline.
    public static func describe(_ metadata: ClusterMetadata, _ logDirs: LogDirsReport) -> [BrokerDescription] {
        var leads: [Int32: Int] = [:], replicas: [Int32: Int] = [:], outOfSync: [Int32: Int] = [:]
        for t in metadata.topics {
            for p in t.partitions {
                leads[p.leader, default: 0] += 1
                for r in p.replicas {
                    replicas[r, default: 0] += 1
                    if !p.inSync.contains(r) { outOfSync[r, default: 0] += 1 }
                }
            }
        }
        let live = metadata.brokers.values.sorted { $0.nodeId < $1.nodeId }.map { b in
            let volume = LogDirsReport(volumes: logDirs.volumes.filter { $0.broker == b.nodeId }).fullestVolume
            return BrokerDescription(id: b.nodeId, address: b.address, isController: b.nodeId == metadata.controllerId,
                                     leaderPartitions: leads[b.nodeId] ?? 0, replicas: replicas[b.nodeId] ?? 0, outOfSync: outOfSync[b.nodeId] ?? 0,
                                     volume: volume.map { .init(totalBytes: $0.totalBytes, usableBytes: $0.usableBytes) })
        }
        // Named as replicas, not listed: down.
        let down = metadata.missingBrokers.map { id in
            BrokerDescription(id: id, address: "(not in the cluster's metadata)", isController: false, isOnline: false, leaderPartitions: 0,
                              replicas: replicas[id] ?? 0, outOfSync: outOfSync[id] ?? 0)
        }
        return (live + down).sorted { $0.id < $1.id }
    }
}
