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
        try await ListenerLimitsTests.withListener { f, _, port in
            let run = try await ClientProcess.run(["python3", "-c", Self.confluentScript, "127.0.0.1:\(port)"])
            #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
            for line in ["CREATE-BAD-REFUSED INVALID_CONFIG", "PARTITIONS 3", "SHRINK-REFUSED INVALID_PARTITIONS", "BAD-VALUE-REFUSED INVALID_CONFIG",
                         "CONFIG retention.ms 7200000 DYNAMIC_TOPIC_CONFIG", "CONFIG retention.bytes 5000000 DYNAMIC_TOPIC_CONFIG",
                         "CONFIG cleanup.policy compact,delete DYNAMIC_TOPIC_CONFIG", "CONFIG segment.bytes 67108864 DEFAULT_CONFIG",
                         "CLUSTER wharf-cluster [0] 0", "MAX-TIMESTAMP [(1, 9000)]"] {
                #expect(run.stdout.contains(line), "\(line) missing: \(run.stdout) \(run.stderr)")
            }
            #expect(try f.engine.topicSettings("cf-t").cleanupPolicy == "compact,delete")
        }
    }

    static let kafkaPythonScript = #"""
import sys
from kafka.admin import KafkaAdminClient, NewTopic, NewPartitions, ConfigResource, ConfigResourceType
from kafka.structs import TopicPartition, OffsetAndMetadata
admin = KafkaAdminClient(bootstrap_servers=sys.argv[1], request_timeout_ms=30000)
admin.create_topics([NewTopic("kp-t", 1, 1)])
admin.create_partitions({"kp-t": NewPartitions(total_count=3)})
print("PARTITIONS", len(admin.describe_topics(["kp-t"])[0]["partitions"]))
admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, "kp-t", configs={"retention.ms": "3600000", "max.message.bytes": "500000"})])
configs = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, "kp-t")], config_filter="all")["topic"]["kp-t"]
for name in ("retention.ms", "max.message.bytes", "segment.ms"):
    print("CONFIG", name, configs[name]["value"], configs[name]["config_source"])
cluster = admin.describe_cluster()
print("CLUSTER", cluster["cluster_id"], [b["broker_id"] for b in cluster["brokers"]], cluster["controller_id"])
print("UNKNOWN", admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, "kp-t", configs={"no.such.config": "1"})], raise_on_unknown=False))
admin.alter_group_offsets("kp-g", {TopicPartition("kp-t", 0): OffsetAndMetadata(0, "", -1), TopicPartition("kp-t", 1): OffsetAndMetadata(0, "", -1)})
print("DELETED", admin.delete_group_offsets("kp-g", [TopicPartition("kp-t", 0)]))
print("LEFT", sorted(tp.partition for tp in admin.list_group_offsets("kp-g")["kp-g"]))
from confluent_kafka import Producer
p = Producer({"bootstrap.servers": sys.argv[1], "enable.idempotence": True})
for i in range(3):
    p.produce("kp-t", key=b"k", value=b"v", partition=2)
p.flush(30)
print("PRODUCERS", admin.describe_producers([TopicPartition("kp-t", 2)]))
"""#

    @Test func kafkaPythonAdminClientUsesTheNewAdminApis() async throws {
        try await ListenerLimitsTests.withListener { f, _, port in
            let run = try await ClientProcess.run(["python3", "-c", Self.kafkaPythonScript, "127.0.0.1:\(port)"])
            #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
            for line in ["PARTITIONS 3", "CONFIG retention.ms 3600000 DYNAMIC_TOPIC_CONFIG", "CONFIG max.message.bytes 500000 DYNAMIC_TOPIC_CONFIG",
                         "CONFIG segment.ms 604800000 DEFAULT_CONFIG", "CLUSTER wharf-cluster [0] 0",
                         "InvalidConfigurationError: Unknown topic config name: no.such.config", "NoError", "LEFT [1]",
                         "producer_epoch=0, last_sequence=2"] {
                #expect(run.stdout.contains(line), "\(line) missing: \(run.stdout) \(run.stderr)")
            }
            #expect(try f.engine.describeTopic("kp-t").partitions.count == 3)
        }
    }
}
