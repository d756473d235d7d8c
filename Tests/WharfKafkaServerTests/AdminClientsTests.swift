import Foundation
import Testing
import WharfCore
@testable import WharfKafkaServer

/// Issue 19's admin APIs driven by real admin clients (confluent-kafka's AdminClient, i.e.
/// librdkafka, and kafka-python's KafkaAdminClient, which also reads DescribeProducers after
/// an idempotent confluent-kafka producer wrote) against an in-process listener. A missing
/// client fails the test (CI installs both).
@Suite struct AdminClientsTests {
    static let confluentScript = #"""
import sys
from confluent_kafka.admin import (AdminClient, NewTopic, NewPartitions, ConfigResource, ConfigEntry,
                                   AlterConfigOpType, ConfigSource, OffsetSpec)
from confluent_kafka import KafkaException, TopicPartition, Producer
admin = AdminClient({"bootstrap.servers": sys.argv[1]})
def wait(futures):
    return {k: f.result(timeout=30) for k, f in futures.items()}
wait(admin.create_topics([NewTopic("cf-t", 1, 1)]))
try:
    wait(admin.create_topics([NewTopic("cf-bad", 1, 1, config={"dummy.doesntexist": "1"})]))
    print("CREATE-BAD-ACCEPTED")
except KafkaException as e:
    print("CREATE-BAD-REFUSED", e.args[0].name())
wait(admin.create_partitions([NewPartitions("cf-t", 3)]))
print("PARTITIONS", len(admin.list_topics(timeout=10).topics["cf-t"].partitions))
try:
    wait(admin.create_partitions([NewPartitions("cf-t", 2)]))
except KafkaException as e:
    print("SHRINK-REFUSED", e.args[0].name())
wait(admin.alter_configs([ConfigResource("topic", "cf-t", set_config={"retention.ms": "7200000"})]))
wait(admin.incremental_alter_configs([ConfigResource("topic", "cf-t", incremental_configs=[
    ConfigEntry("retention.bytes", "5000000", incremental_operation=AlterConfigOpType.SET),
    ConfigEntry("cleanup.policy", "compact", incremental_operation=AlterConfigOpType.APPEND)])]))
try:
    wait(admin.incremental_alter_configs([ConfigResource("topic", "cf-t", incremental_configs=[
        ConfigEntry("retention.ms", "soon", incremental_operation=AlterConfigOpType.SET)])]))
except KafkaException as e:
    print("BAD-VALUE-REFUSED", e.args[0].name())
configs = list(wait(admin.describe_configs([ConfigResource("topic", "cf-t")])).values())[0]
for name in ("retention.ms", "retention.bytes", "cleanup.policy", "segment.bytes"):
    print("CONFIG", name, configs[name].value, ConfigSource(configs[name].source).name)
cluster = admin.describe_cluster().result(timeout=30)
print("CLUSTER", cluster.cluster_id, [n.id for n in cluster.nodes], cluster.controller.id)
p = Producer({"bootstrap.servers": sys.argv[1]})
for ts in (3000, 9000, 5000):
    p.produce("cf-t", key=b"k", value=b"v", partition=0, timestamp=ts)
p.flush(30)
offsets = \
    {tp: f.result(timeout=30) for tp, f in admin.list_offsets({TopicPartition("cf-t", 0): OffsetSpec.max_timestamp()}).items()}
print("MAX-TIMESTAMP", [(o.offset, o.timestamp) for o in offsets.values()])
"""#

    @Test func confluentAdminClientUsesTheNewAdminApis() async throws {
        try await ListenerLimitsTests.withListener { f, server, port in
            let run = try await ClientProcess.run(["python3", "-c", Self.confluentScript, "127.0.0.1:\(port)"])
            #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
            for line in ["CREATE-BAD-REFUSED INVALID_CONFIG", "PARTITIONS 3", "SHRINK-REFUSED INVALID_PARTITIONS", "BAD-VALUE-REFUSED INVALID_CONFIG",
                         "CONFIG retention.ms 7200000 DYNAMIC_TOPIC_CONFIG", "CONFIG retention.bytes 5000000 DYNAMIC_TOPIC_CONFIG",
                         "CONFIG cleanup.policy compact,delete DYNAMIC_TOPIC_CONFIG", "CONFIG segment.bytes 67108864 DEFAULT_CONFIG",
                         "CLUSTER wharf-cluster [0] 0", "MAX-TIMESTAMP [(1, 9000)]"] {
                #expect(run.stdout.contains(line), "\(line) missing: \(run.stdout) \(run.stderr)")
            }
            #expect(try f.engine.topicSettings("cf-t").cleanupPolicy == "compact,delete")
            // librdkafka's describe_cluster asks Metadata, not DescribeCluster (v2.15 rdkafka_admin.c:9501).
            await server.expectAnswered(["CreateTopics", "CreatePartitions", "AlterConfigs", "IncrementalAlterConfigs", "DescribeConfigs",
                                         "ListOffsets"])
        }
    }

    static let kafkaPythonScript = #"""
import sys
from kafka.admin import KafkaAdminClient, NewTopic, NewPartitions, ConfigResource, ConfigResourceType, AlterConfigOp, OffsetSpec
from kafka.structs import TopicPartition, OffsetAndMetadata
admin = KafkaAdminClient(bootstrap_servers=sys.argv[1], request_timeout_ms=30000)
admin.create_topics([NewTopic("kp-t", 1, 1)])
admin.create_partitions({"kp-t": NewPartitions(total_count=3)})
print("PARTITIONS", len(admin.describe_topics(["kp-t"])[0]["partitions"]))
admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, "kp-t", configs={"retention.ms": "3600000", "max.message.bytes": "500000"})], incremental=False)
configs = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, "kp-t")], config_filter="all")["topic"]["kp-t"]
for name in ("retention.ms", "max.message.bytes", "segment.ms"):
    print("CONFIG", name, configs[name]["value"], configs[name]["config_source"])
print("INCREMENTAL", admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, "kp-t", configs={
    "retention.bytes": (AlterConfigOp.SET, "1000"), "retention.ms": (AlterConfigOp.DELETE, None)})], incremental=True))
configs = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, "kp-t")], config_filter="all")["topic"]["kp-t"]
for name in ("retention.ms", "retention.bytes", "max.message.bytes"):
    print("AFTER-INCREMENTAL", name, configs[name]["value"], configs[name]["config_source"])
cluster = admin.describe_cluster()
print("CLUSTER", cluster["cluster_id"], [b["broker_id"] for b in cluster["brokers"]], cluster["controller_id"])
print("UNKNOWN", admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, "kp-t", configs={"no.such.config": "1"})], raise_on_unknown=False))
try:
    admin.create_topics([NewTopic("kp-bad", 1, 1, topic_configs={"dummy.doesntexist": "1"})])
    print("CREATE-BAD-ACCEPTED")
except Exception as e:
    print("CREATE-BAD-REFUSED", type(e).__name__)
try:
    admin.create_topics([NewTopic("...$#!", 1, 1)])
    print("BAD-NAME-ACCEPTED")
except Exception as e:
    print("BAD-NAME-REFUSED", type(e).__name__)
print("UNKNOWN-TOPIC-COMMIT", admin.alter_group_offsets("kp-g2", {TopicPartition("nope", 0): OffsetAndMetadata(0, "", -1)}))
admin.alter_group_offsets("kp-g", {TopicPartition("kp-t", 0): OffsetAndMetadata(0, "", -1), TopicPartition("kp-t", 1): OffsetAndMetadata(0, "", -1)})
print("DELETED", admin.delete_group_offsets("kp-g", [TopicPartition("kp-t", 0)]))
print("LEFT", sorted(tp.partition for tp in admin.list_group_offsets("kp-g")["kp-g"]))
from confluent_kafka import Producer
p = Producer({"bootstrap.servers": sys.argv[1], "enable.idempotence": True})
for ts in (3000, 9000, 5000):
    p.produce("kp-t", key=b"k", value=b"v", partition=2, timestamp=ts)
p.flush(30)
print("PRODUCERS", admin.describe_producers([TopicPartition("kp-t", 2)]))
print("MAX-TS", admin.list_partition_offsets({TopicPartition("kp-t", 2): OffsetSpec.MAX_TIMESTAMP}))
"""#

    /// kafka-python sends IncrementalAlterConfigs unless told `incremental=False`, and falls back
    /// to Metadata when DescribeCluster fails: the listener's per-API counts show each API was sent.
    @Test func kafkaPythonAdminClientUsesTheNewAdminApis() async throws {
        try await ListenerLimitsTests.withListener { f, server, port in
            let run = try await ClientProcess.run(["python3", "-c", Self.kafkaPythonScript, "127.0.0.1:\(port)"])
            #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
            for line in ["PARTITIONS 3", "CONFIG retention.ms 3600000 DYNAMIC_TOPIC_CONFIG", "CONFIG max.message.bytes 500000 DYNAMIC_TOPIC_CONFIG",
                         "CONFIG segment.ms 604800000 DEFAULT_CONFIG", "CLUSTER wharf-cluster [0] 0",
                         "InvalidConfigurationError: Unknown topic config name: no.such.config", "NoError", "LEFT [1]",
                         "producer_epoch=0, last_sequence=2", "INCREMENTAL {'topic': {'kp-t': 'OK'}}",
                         "AFTER-INCREMENTAL retention.ms 604800000 DEFAULT_CONFIG", "AFTER-INCREMENTAL retention.bytes 1000 DYNAMIC_TOPIC_CONFIG",
                         "AFTER-INCREMENTAL max.message.bytes 500000 DYNAMIC_TOPIC_CONFIG",
                         "CREATE-BAD-REFUSED InvalidConfigurationError", "BAD-NAME-REFUSED InvalidTopicError",
                         "UNKNOWN-TOPIC-COMMIT {TopicPartition(topic='nope', partition=0): <class 'kafka.errors.UnknownTopicOrPartitionError'>}",
                         "MAX-TS {TopicPartition(topic='kp-t', partition=2): OffsetAndTimestamp(offset=1, timestamp=9000"] {
                #expect(run.stdout.contains(line), "\(line) missing: \(run.stdout) \(run.stderr)")
            }
            #expect(try f.engine.describeTopic("kp-t").partitions.count == 3)
            #expect(f.engine.listTopics() == ["kp-t"], "the refused topic and the unknown one were not created")
            await server.expectAnswered(["CreateTopics", "CreatePartitions", "AlterConfigs", "IncrementalAlterConfigs", "DescribeConfigs",
                                         "DescribeCluster", "OffsetCommit", "OffsetDelete", "DescribeProducers", "ListOffsets"])
        }
    }
}
