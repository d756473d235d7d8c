"""kafka-python as the outside observer of what `wharf ... --bootstrap` changed on a cluster.

  spring-dlt BOOTSTRAP DLT ORIGINAL N   produce N records dead-lettered the way Spring Kafka's
                                        DeadLetterPublishingRecoverer writes them (binary
                                        partition/offset headers) to partition 0 of DLT
  first-offset BOOTSTRAP TOPIC PARTITION  print the offset a consumer from earliest starts at
  group-first BOOTSTRAP TOPIC GROUP     print the first offset a member of GROUP reads (one
                                        partition; auto_offset_reset=latest, so only a committed
                                        offset makes it read anything)
An import error is a failure (exit 1), never a skip.
"""
import struct
import sys
import time

from kafka import KafkaConsumer, KafkaProducer, TopicPartition

REASONS = ["Card declined by issuer", "Insufficient funds"]


def spring_dlt(bootstrap, dlt, original, n):
    p = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    for i in range(n):
        headers = [("trace", f"t{i}".encode()),
                   ("kafka_dlt-original-topic", original.encode()),
                   ("kafka_dlt-original-partition", struct.pack(">i", i % 3)),
                   ("kafka_dlt-original-offset", struct.pack(">q", 100 + i)),
                   ("kafka_dlt-exception-fqcn", b"com.example.payments.PaymentException"),
                   ("kafka_dlt-exception-message", REASONS[i % 2].encode())]
        p.send(dlt, key=f"k{i}".encode(), value=f"pay-{i}".encode(), headers=headers, partition=0).get(timeout=15)
    p.flush(15)
    p.close()


def first_offset(bootstrap, topic, partition):
    c = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    tp = TopicPartition(topic, partition)
    c.assign([tp])
    c.seek_to_beginning(tp)
    deadline = time.time() + 30
    while time.time() < deadline:
        for records in c.poll(timeout_ms=500).values():
            if records:
                print(records[0].offset)
                c.close()
                return
    raise SystemExit("no record within 30 s")


def group_first(bootstrap, topic, group):
    c = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False,
                      auto_offset_reset="latest")
    deadline = time.time() + 60
    while time.time() < deadline:
        for records in c.poll(timeout_ms=500).values():
            if records:
                print(records[0].offset)
                c.close()
                return
    raise SystemExit("no record within 60 s")


if __name__ == "__main__":
    mode, bootstrap, *rest = sys.argv[1:]
    if mode == "spring-dlt":
        spring_dlt(bootstrap, rest[0], rest[1], int(rest[2]))
    elif mode == "first-offset":
        first_offset(bootstrap, rest[0], int(rest[1]))
    elif mode == "group-first":
        group_first(bootstrap, rest[0], rest[1])
    else:
        raise SystemExit(f"unknown mode {mode}")
