import WharfDashboard

/// The families danielqsj/kafka_exporter exports, with its names, help texts and labels
/// (`kafka_exporter.go`), so Grafana boards and alerts built for it read Wharf unchanged.
///
/// Its consumer-group rules are kept too: a group's topic appears only once the group has
/// committed on one of its partitions; a partition without a commit reports current offset -1
/// and lag -1 and is left out of the sums (kafka_exporter adds the -1 into
/// `current_offset_sum`; Wharf does not, so the sum stays the sum of real offsets).
enum KafkaExporterFamilies {
    static func write(_ snapshot: ClusterSnapshot, into out: inout PrometheusText) {
        writeBrokers(snapshot, into: &out)
        writeTopics(snapshot, into: &out)
        writeGroups(snapshot, into: &out)
    }

    static func writeBrokers(_ snapshot: ClusterSnapshot, into out: inout PrometheusText) {
        out.family("kafka_brokers", .gauge, help: "Number of Brokers in the Kafka Cluster.")
        out.sample("kafka_brokers", [], Int64(snapshot.brokers.count))
        out.family("kafka_broker_info", .gauge, help: "Information about the Kafka Broker.")
        for b in snapshot.brokers where b.isOnline {
            out.sample("kafka_broker_info", [("address", b.address), ("id", String(b.id))], 1)
        }
    }

    static func writeTopics(_ snapshot: ClusterSnapshot, into out: inout PrometheusText) {
        // The embedded engine is broker 0 and holds the only copy of every partition.
        let soleBroker = snapshot.brokers.count == 1 ? snapshot.brokers[0].id : 0
        out.family("kafka_topic_partitions", .gauge, help: "Number of partitions for this Topic")
        for t in snapshot.topics { out.sample("kafka_topic_partitions", [("topic", t.name)], Int64(t.partitions.count)) }
        perPartition(snapshot, "kafka_topic_partition_current_offset", help: "Current Offset of a Broker at Topic/Partition", into: &out) { $0.logEnd }
        perPartition(snapshot, "kafka_topic_partition_oldest_offset", help: "Oldest Offset of a Broker at Topic/Partition", into: &out) { $0.logStart }
        perPartition(snapshot, "kafka_topic_partition_leader", help: "Leader Broker ID of this Topic/Partition", into: &out) {
            Int64($0.leader ?? soleBroker)
        }
        perPartition(snapshot, "kafka_topic_partition_replicas", help: "Number of Replicas for this Topic/Partition", into: &out) {
            Int64($0.replicas ?? 1)
        }
        perPartition(snapshot, "kafka_topic_partition_in_sync_replica", help: "Number of In-Sync Replicas for this Topic/Partition", into: &out) {
            Int64($0.inSyncReplicas ?? 1)
        }
        perPartition(snapshot, "kafka_topic_partition_under_replicated_partition", help: "1 if Topic/Partition is under Replicated",
                     into: &out) { $0.isUnderReplicated ? 1 : 0 }
    }

    private static func perPartition(_ snapshot: ClusterSnapshot, _ name: String, help: String, into out: inout PrometheusText,
                                     _ value: (PartitionSnapshot) -> Int64) {
        out.family(name, .gauge, help: help)
        for t in snapshot.topics {
            for p in t.partitions { out.sample(name, [("topic", t.name), ("partition", String(p.partition))], value(p)) }
        }
    }

    static func writeGroups(_ snapshot: ClusterSnapshot, into out: inout PrometheusText) {
        out.family("kafka_consumergroup_members", .gauge, help: "Amount of members in a consumer group")
        for g in snapshot.groups { out.sample("kafka_consumergroup_members", [("consumergroup", g.name)], Int64(g.members.count)) }
        let consumed = snapshot.groups.map { ($0.name, consumedTopics($0)) }
        out.family("kafka_consumergroup_current_offset", .gauge, help: "Current Offset of a ConsumerGroup at Topic/Partition")
        for (group, topics) in consumed {
            for (topic, parts) in topics {
                for p in parts {
                    out.sample("kafka_consumergroup_current_offset", [("consumergroup", group), ("topic", topic), ("partition", String(p.partition))],
                               p.committed ?? -1)
                }
            }
        }
        out.family("kafka_consumergroup_current_offset_sum", .gauge, help: "Current Offset of a ConsumerGroup at Topic for all partitions")
        for (group, topics) in consumed {
            for (topic, parts) in topics {
                out.sample("kafka_consumergroup_current_offset_sum", [("consumergroup", group), ("topic", topic)],
                           parts.reduce(0) { $0 &+ ($1.committed ?? 0) })
            }
        }
        out.family("kafka_consumergroup_lag", .gauge, help: "Current Approximate Lag of a ConsumerGroup at Topic/Partition")
        for (group, topics) in consumed {
            for (topic, parts) in topics {
                for p in parts {
                    out.sample("kafka_consumergroup_lag", [("consumergroup", group), ("topic", topic), ("partition", String(p.partition))],
                               p.committed == nil ? -1 : p.lag)
                }
            }
        }
        out.family("kafka_consumergroup_lag_sum", .gauge, help: "Current Approximate Lag of a ConsumerGroup at Topic for all partitions")
        for (group, topics) in consumed {
            for (topic, parts) in topics {
                out.sample("kafka_consumergroup_lag_sum", [("consumergroup", group), ("topic", topic)],
                           parts.reduce(0) { $0 &+ ($1.committed == nil ? 0 : $1.lag) })
            }
        }
    }

    /// The group's partitions by topic (first-seen order), only topics it has committed on.
    static func consumedTopics(_ g: GroupSnapshot) -> [(String, [GroupPartitionSnapshot])] {
        var order: [String] = []
        var byTopic: [String: [GroupPartitionSnapshot]] = [:]
        for p in g.partitions {
            if byTopic[p.topic] == nil { order.append(p.topic) }
            byTopic[p.topic, default: []].append(p)
        }
        return order.compactMap { t in
            let parts = byTopic[t] ?? []
            return parts.contains { $0.committed != nil } ? (t, parts) : nil
        }
    }
}
