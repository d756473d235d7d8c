"""Drives a Kafka-protocol broker with a real Python client, as an application would.

Usage: python3 check_clients.py CLIENT BOOTSTRAP TOPIC
CLIENT is confluent (librdkafka), kafka-python or aiokafka. Creates TOPIC with 3 partitions
through the admin API, produces 30 keyed records, reads them back in a consumer group that
commits, and checks that every record came back once, on the partition Kafka's murmur2
partitioner picks, with key, value and headers intact. Prints OK and exits 0, or explains.
"""
import asyncio
import sys
import time

N = 30


def murmur2(data: bytes) -> int:
    length = len(data)
    seed, m, r = 0x9747B28C, 0x5BD1E995, 24
    h = (seed ^ length) & 0xFFFFFFFF
    for i in range(length // 4):
        k = int.from_bytes(data[i * 4:i * 4 + 4], "little")
        k = (k * m) & 0xFFFFFFFF
        k ^= k >> r
        k = (k * m) & 0xFFFFFFFF
        h = (h * m) & 0xFFFFFFFF
        h ^= k
    rest = length % 4
    tail = length - rest
    if rest >= 3:
        h ^= data[tail + 2] << 16
    if rest >= 2:
        h ^= data[tail + 1] << 8
    if rest >= 1:
        h ^= data[tail]
        h = (h * m) & 0xFFFFFFFF
    h ^= h >> 13
    h = (h * m) & 0xFFFFFFFF
    h ^= h >> 15
    return h


def expected_partition(key: bytes, partitions: int = 3) -> int:
    return (murmur2(key) & 0x7FFFFFFF) % partitions


def records():
    return [(f"key-{i % 7}".encode(), f"value-{i}".encode(), [("trace", f"t{i}".encode())]) for i in range(N)]


def check(seen):
    want = {v: (k, h) for k, v, h in records()}
    got = {}
    for partition, key, value, headers in seen:
        if value in got:
            return f"duplicate {value!r}"
        got[value] = True
        k, h = want.get(value, (None, None))
        if k != key:
            return f"{value!r}: key {key!r}, expected {k!r}"
        if list(headers or []) != h:
            return f"{value!r}: headers {headers!r}, expected {h!r}"
        if partition != expected_partition(key):
            return f"{value!r}: partition {partition}, murmur2 says {expected_partition(key)}"
    if len(got) != N:
        return f"got {len(got)} of {N} records"
    return None


def run_confluent(bootstrap, topic):
    from confluent_kafka import Consumer, Producer
    from confluent_kafka.admin import AdminClient, NewTopic
    admin = AdminClient({"bootstrap.servers": bootstrap})
    for f in admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=1)]).values():
        f.result(10)
    p = Producer({"bootstrap.servers": bootstrap, "partitioner": "murmur2_random", "enable.idempotence": True, "acks": "all"})
    for k, v, h in records():
        p.produce(topic, value=v, key=k, headers=h)
    if p.flush(15) != 0:
        return "producer did not flush"
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": f"g-{topic}", "auto.offset.reset": "earliest", "enable.auto.commit": False})
    c.subscribe([topic])
    seen, deadline = [], time.time() + 30
    while len(seen) < N and time.time() < deadline:
        msg = c.poll(0.5)
        if msg is None or msg.error():
            continue
        seen.append((msg.partition(), msg.key(), msg.value(), msg.headers()))
        c.commit(msg, asynchronous=False)
    c.close()
    return check(seen)


def run_kafka_python(bootstrap, topic):
    from kafka import KafkaConsumer, KafkaProducer
    from kafka.admin import KafkaAdminClient, NewTopic
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=1)])
    admin.close()
    p = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    for k, v, h in records():
        p.send(topic, value=v, key=k, headers=h)
    p.flush(15)
    p.close()
    c = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=f"g-{topic}", auto_offset_reset="earliest",
                      enable_auto_commit=False, consumer_timeout_ms=20000)
    seen = []
    for msg in c:
        seen.append((msg.partition, msg.key, msg.value, list(msg.headers)))
        if len(seen) >= N:
            break
    c.commit()
    c.close()
    return check(seen)


async def run_aiokafka_async(bootstrap, topic):
    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    await admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=1)])
    await admin.close()
    p = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await p.start()
    for k, v, h in records():
        await p.send_and_wait(topic, value=v, key=k, headers=h)
    await p.stop()
    c = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=f"g-{topic}", auto_offset_reset="earliest",
                         enable_auto_commit=False)
    await c.start()
    seen = []
    try:
        deadline = time.time() + 30
        while len(seen) < N and time.time() < deadline:
            batch = await c.getmany(timeout_ms=500)
            for msgs in batch.values():
                for msg in msgs:
                    seen.append((msg.partition, msg.key, msg.value, list(msg.headers)))
            await c.commit()
    finally:
        await c.stop()
    return check(seen)


def main():
    client, bootstrap, topic = sys.argv[1:4]
    runner = {"confluent": run_confluent, "kafka-python": run_kafka_python,
              "aiokafka": lambda b, t: asyncio.run(run_aiokafka_async(b, t))}[client]
    problem = runner(bootstrap, topic)
    if problem:
        print(f"FAIL {client}: {problem}")
        sys.exit(1)
    print(f"OK {client}")


if __name__ == "__main__":
    main()
