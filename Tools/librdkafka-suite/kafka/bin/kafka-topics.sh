#!/usr/bin/env python3
# A stand-in for Kafka's bin/kafka-topics.sh, which a few of librdkafka's tests run (through
# KAFKA_PATH) only to create, grow or delete a topic. It does the same through the Kafka admin
# API (confluent-kafka's AdminClient), so those tests run against a broker without Kafka's shell
# tools. Understands: --bootstrap-server|--zookeeper HOST:PORT, --create/--alter/--delete,
# --topic NAME, --partitions N, --replication-factor N, --config K=V (repeatable).
import sys
from confluent_kafka.admin import AdminClient, NewTopic, NewPartitions

args = sys.argv[1:]
bootstrap, action, topic, partitions, replication, configs = None, None, None, None, 1, {}
i = 0
while i < len(args):
    a = args[i]
    if a in ("--bootstrap-server", "--zookeeper"):
        bootstrap = args[i + 1]; i += 2
    elif a in ("--create", "--alter", "--delete"):
        action = a[2:]; i += 1
    elif a == "--topic":
        topic = args[i + 1].strip('"'); i += 2
    elif a == "--partitions":
        partitions = int(args[i + 1]); i += 2
    elif a == "--replication-factor":
        replication = int(args[i + 1]); i += 2
    elif a == "--config":
        k, v = args[i + 1].split("=", 1); configs[k] = v; i += 2
    else:
        sys.exit(f"kafka-topics.sh stand-in: unsupported argument {a}")
if not bootstrap or not action or not topic:
    sys.exit("kafka-topics.sh stand-in: needs --bootstrap-server, an action and --topic")

admin = AdminClient({"bootstrap.servers": bootstrap})
if action == "create":
    futures = admin.create_topics([NewTopic(topic, partitions or 1, replication, config=configs)])
elif action == "alter":
    futures = admin.create_partitions([NewPartitions(topic, partitions)])
else:
    futures = admin.delete_topics([topic])
for f in futures.values():
    f.result(timeout=30)
print(f"{action}d topic {topic}")
