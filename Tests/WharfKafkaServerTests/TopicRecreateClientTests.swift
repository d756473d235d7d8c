import Foundation
import Testing
import WharfCore
@testable import WharfKafkaServer

/// librdkafka's 0107_topic_recreate with real clients in CI (the Debian 2.0.2 suite excludes
/// 0107 for a client bug fixed in 2.6.1): a topic deleted and created again, auto-creation off,
/// gets a new topic id, the old id is unknown, and producers and consumers that were using the
/// old incarnation follow the new one.
@Suite struct TopicRecreateClientTests {
    static let kafkaPythonScript = #"""
import sys, time, uuid
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import KafkaAdminClient, NewTopic
bs, TOPIC = sys.argv[1], sys.argv[2]
admin = KafkaAdminClient(bootstrap_servers=bs)
admin.create_topics([NewTopic(TOPIC, 1, 1)])
first = admin.describe_topics([TOPIC])[0]["topic_id"]
print("SAME-ID", admin.describe_topics([TOPIC])[0]["topic_id"] == first)
print("BY-ID", [(t["name"], t["error_code"]) for t in admin.describe_topics([uuid.UUID(first)])])
p = KafkaProducer(bootstrap_servers=bs)
for i in range(3):
    p.send(TOPIC, f"old{i}".encode(), partition=0)
p.flush()
c = KafkaConsumer(bootstrap_servers=bs, enable_auto_commit=False, auto_offset_reset="earliest", metadata_max_age_ms=500, consumer_timeout_ms=3000)
c.assign([TopicPartition(TOPIC, 0)])
print("BEFORE", ",".join(m.value.decode() for m in c))
print("DELETED-BY-ID", [(t["name"], t["error_code"]) for t in admin.delete_topics([uuid.UUID(first)])["topics"]])
time.sleep(0.5)
admin.create_topics([NewTopic(TOPIC, 1, 1)])
second = admin.describe_topics([TOPIC])[0]["topic_id"]
print("NEW-ID", second != first, second is not None)
print("STALE", [(t["name"], t["error_code"]) for t in admin.describe_topics([uuid.UUID(first)])])
for i in range(2):
    p.send(TOPIC, f"new{i}".encode(), partition=0)
p.flush()
got = []
deadline = time.time() + 45  # the parallel suite's load can slow the metadata refresh that finds the new topic
while time.time() < deadline and len(got) < 2:
    for records in c.poll(timeout_ms=500).values():
        got += [m.value.decode() for m in records]
print("AFTER", ",".join(got))
"""#

    /// kafka-python describes and deletes by topic id (Metadata v12, DeleteTopics v6) and its
    /// assigned consumer reads the new incarnation's records.
    @Test func kafkaPythonTellsARecreatedTopicApartByIdAndReadsTheNewOne() async throws {
        try await ListenerLimitsTests.withListener({ $0.autoCreateTopics = false }) { _, server, port in
            let run = try await ClientProcess.run(["python3", "-c", Self.kafkaPythonScript, "127.0.0.1:\(port)", "kr"])
            #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
            for line in ["SAME-ID True", "BY-ID [('kr', 0)]", "BEFORE old0,old1,old2", "DELETED-BY-ID [('kr', 0)]", "NEW-ID True True",
                         "STALE [(None, 100)]", "AFTER new0,new1"] {
                #expect(run.stdout.contains(line + "\n"), "\(line) missing: \(run.stdout) \(run.stderr)")
            }
            await server.expectAnswered(["Metadata", "CreateTopics", "DeleteTopics", "Produce", "Fetch"])
        }
    }

    static let confluentScript = #"""
import sys, time
from confluent_kafka import Consumer, Producer, TopicPartition, TopicCollection
from confluent_kafka.admin import AdminClient, NewTopic
bs, TOPIC = sys.argv[1], sys.argv[2]
admin = AdminClient({"bootstrap.servers": bs})
def topic_id():
    return str(list(admin.describe_topics(TopicCollection([TOPIC])).values())[0].result(30).topic_id)
for f in admin.create_topics([NewTopic(TOPIC, 1, 1)]).values():
    f.result(30)
first = topic_id()
p = Producer({"bootstrap.servers": bs, "topic.metadata.refresh.interval.ms": 500})
for i in range(3):
    p.produce(TOPIC, f"old{i}".encode(), partition=0)
p.flush(30)
c = Consumer({"bootstrap.servers": bs, "group.id": "cf-recreate", "enable.auto.commit": False, "auto.offset.reset": "earliest",
              "topic.metadata.refresh.interval.ms": 500})
c.assign([TopicPartition(TOPIC, 0, 0)])
def read(n):
    got, deadline = [], time.time() + 20
    while time.time() < deadline and len(got) < n:
        m = c.poll(0.5)
        if m is not None and not m.error():
            got.append(m.value().decode())
    return got
print("BEFORE", ",".join(read(3)))
for f in admin.delete_topics([TOPIC]).values():
    f.result(30)
time.sleep(0.5)
for f in admin.create_topics([NewTopic(TOPIC, 1, 1)]).values():
    f.result(30)
print("NEW-ID", topic_id() != first)
time.sleep(1.5)
for i in range(2):
    p.produce(TOPIC, f"new{i}".encode(), partition=0)
print("UNDELIVERED", p.flush(30))
print("AFTER", ",".join(read(2)))
c.close()
"""#

    /// confluent-kafka 2.16 (librdkafka, which fetches by topic id, Fetch v13): a producer and an
    /// assigned consumer kept open across the delete and create go on with the new topic.
    @Test func confluentKafkaFollowsARecreatedTopic() async throws {
        try await ListenerLimitsTests.withListener({ $0.autoCreateTopics = false }) { _, server, port in
            let run = try await ClientProcess.run(["python3", "-c", Self.confluentScript, "127.0.0.1:\(port)", "cr"])
            #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
            for line in ["BEFORE old0,old1,old2", "NEW-ID True", "UNDELIVERED 0", "AFTER new0,new1"] {
                #expect(run.stdout.contains(line + "\n"), "\(line) missing: \(run.stdout) \(run.stderr)")
            }
            await server.expectAnswered(["Metadata", "CreateTopics", "DeleteTopics", "Produce", "Fetch"])
        }
    }
}
