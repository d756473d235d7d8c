"""One small synchronous interface over each Python Kafka client, so every check in
check_clients.py runs the same scenario through confluent-kafka (librdkafka), kafka-python and
aiokafka. aiokafka is asynchronous: its coroutines run on an event loop in a background thread,
so a check can drive several aiokafka consumers from threads exactly like the other clients.
"""
import asyncio
import threading
from dataclasses import dataclass


@dataclass
class Msg:
    partition: int
    offset: int
    key: bytes
    value: bytes
    headers: list


class Confluent:
    name = "confluent"

    def __init__(self, bootstrap):
        from confluent_kafka.admin import AdminClient
        self.bootstrap = bootstrap
        self.admin = AdminClient({"bootstrap.servers": bootstrap})

    def create_topic(self, topic, partitions):
        from confluent_kafka.admin import NewTopic
        for f in self.admin.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=1)]).values():
            f.result(10)

    def delete_topic(self, topic):
        for f in self.admin.delete_topics([topic]).values():
            f.result(10)

    def list_topics(self):
        return set(self.admin.list_topics(timeout=10).topics)

    def produce(self, topic, records, compression=None, idempotent=False):
        """records: (key, value, headers, partition or None, timestamp ms or None)."""
        from confluent_kafka import Producer
        conf = {"bootstrap.servers": self.bootstrap, "partitioner": "murmur2_random", "acks": "all",
                "enable.idempotence": idempotent, "linger.ms": 5}
        if compression:
            conf["compression.type"] = compression
        p = Producer(conf)
        errors = []
        for k, v, h, part, ts in records:
            kwargs = {"key": k, "value": v, "headers": h, "on_delivery": lambda e, m: e and errors.append(e)}
            if part is not None:
                kwargs["partition"] = part
            if ts is not None:
                kwargs["timestamp"] = ts
            p.produce(topic, **kwargs)
        if p.flush(15) != 0 or errors:
            raise RuntimeError(f"produce failed: {errors or 'not flushed'}")

    def delete_records(self, topic, partition, before):
        from confluent_kafka import TopicPartition
        for f in self.admin.delete_records([TopicPartition(topic, partition, before)]).values():
            f.result(10)

    def consumer(self, group, topic, member=None):
        return ConfluentConsumer(self.bootstrap, group, topic)

    def close(self):
        pass


class ConfluentConsumer:
    def __init__(self, bootstrap, group, topic):
        from confluent_kafka import Consumer
        self.c = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "auto.offset.reset": "earliest",
                           "enable.auto.commit": False, "session.timeout.ms": 10000})
        self.assignments = []  # every assignment the group gave, in order (rebalance callback)
        self.c.subscribe([topic], on_assign=lambda _, tps: self.assignments.append({tp.partition for tp in tps}))

    def poll(self):
        msg = self.c.poll(0.2)
        if msg is None or msg.error():
            return []
        return [Msg(msg.partition(), msg.offset(), msg.key(), msg.value(), msg.headers() or [])]

    def commit(self):
        from confluent_kafka import KafkaException
        try:
            self.c.commit(asynchronous=False)
        except KafkaException as e:
            if "NO_OFFSET" not in str(e):  # nothing consumed since the last commit
                raise

    def assignment(self):
        return {tp.partition for tp in self.c.assignment()}

    def offset_for_time(self, topic, partition, ts):
        from confluent_kafka import TopicPartition
        return self.c.offsets_for_times([TopicPartition(topic, partition, ts)], timeout=10)[0].offset

    def watermarks(self, topic, partition):
        from confluent_kafka import TopicPartition
        return self.c.get_watermark_offsets(TopicPartition(topic, partition), timeout=10)

    def close(self):
        self.c.close()


class KafkaPython:
    name = "kafka-python"

    def __init__(self, bootstrap):
        from kafka.admin import KafkaAdminClient
        self.bootstrap = bootstrap
        self.admin = KafkaAdminClient(bootstrap_servers=bootstrap)

    def create_topic(self, topic, partitions):
        from kafka.admin import NewTopic
        self.admin.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=1)])

    def delete_topic(self, topic):
        self.admin.delete_topics([topic])

    def list_topics(self):
        return set(self.admin.list_topics())

    def produce(self, topic, records, compression=None, idempotent=False):
        from kafka import KafkaProducer
        p = KafkaProducer(bootstrap_servers=self.bootstrap, acks="all", compression_type=compression,
                          enable_idempotence=idempotent, linger_ms=5)
        futures = [p.send(topic, key=k, value=v, headers=h, partition=part, timestamp_ms=ts) for k, v, h, part, ts in records]
        p.flush(15)
        for f in futures:
            f.get(10)
        p.close()

    def delete_records(self, topic, partition, before):
        from kafka import TopicPartition
        self.admin.delete_records({TopicPartition(topic, partition): before})

    def consumer(self, group, topic, member=None):
        return KafkaPythonConsumer(self.bootstrap, group, topic)

    def close(self):
        self.admin.close()


class KafkaPythonConsumer:
    def __init__(self, bootstrap, group, topic):
        from kafka import KafkaConsumer
        from kafka import ConsumerRebalanceListener
        self.c = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group, auto_offset_reset="earliest",
                               enable_auto_commit=False, session_timeout_ms=10000)
        self.assignments = []  # every assignment the group gave, in order (rebalance callback)
        log = self.assignments

        class Recorder(ConsumerRebalanceListener):
            def on_partitions_revoked(self, revoked):
                pass

            def on_partitions_assigned(self, assigned):
                log.append({tp.partition for tp in assigned})
        if topic:
            self.c.subscribe([topic], listener=Recorder())

    def poll(self):
        out = []
        # One second, not 200 ms: on a loaded machine a group join can take longer than one
        # short poll, and runs in which kafka-python read nothing within the check's budget were seen.
        for tp, msgs in self.c.poll(timeout_ms=1000).items():
            out += [Msg(m.partition, m.offset, m.key, m.value, list(m.headers)) for m in msgs]
        return out

    def commit(self):
        self.c.commit()

    def assignment(self):
        return {tp.partition for tp in self.c.assignment()}

    def offset_for_time(self, topic, partition, ts):
        from kafka import TopicPartition
        found = self.c.offsets_for_times({TopicPartition(topic, partition): ts})[TopicPartition(topic, partition)]
        return found.offset if found else -1

    def watermarks(self, topic, partition):
        from kafka import TopicPartition
        tp = TopicPartition(topic, partition)
        return self.c.beginning_offsets([tp])[tp], self.c.end_offsets([tp])[tp]

    def close(self):
        self.c.close()


class AIOKafka:
    """aiokafka behind a loop thread; `run` blocks the calling thread until the coroutine ends."""
    name = "aiokafka"

    def __init__(self, bootstrap):
        self.bootstrap = bootstrap
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

        async def start_admin():
            from aiokafka.admin import AIOKafkaAdminClient
            admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
            await admin.start()
            return admin
        self.admin = self.run(start_admin())

    def run(self, coro, timeout=60):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def create_topic(self, topic, partitions):
        from aiokafka.admin import NewTopic
        self.run(self.admin.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=1)]))

    def delete_topic(self, topic):
        self.run(self.admin.delete_topics([topic]))

    def list_topics(self):
        return set(self.run(self.admin.list_topics()))

    def produce(self, topic, records, compression=None, idempotent=False):
        async def go():
            from aiokafka import AIOKafkaProducer
            p = AIOKafkaProducer(bootstrap_servers=self.bootstrap, acks="all", compression_type=compression,
                                 enable_idempotence=idempotent, linger_ms=5)
            await p.start()
            try:
                futures = [await p.send(topic, key=k, value=v, headers=h, partition=part, timestamp_ms=ts)
                           for k, v, h, part, ts in records]
                for f in futures:
                    await f
            finally:
                await p.stop()
        self.run(go())

    def delete_records(self, topic, partition, before):
        from aiokafka import TopicPartition
        from aiokafka.admin import RecordsToDelete
        self.run(self.admin.delete_records({TopicPartition(topic, partition): RecordsToDelete(before)}))

    def consumer(self, group, topic, member=None):
        return AIOKafkaConsumerAdapter(self, group, topic)

    def close(self):
        self.run(self.admin.close())
        self.loop.call_soon_threadsafe(self.loop.stop)


class AIOKafkaConsumerAdapter:
    """aiokafka rebalances on its own task, so a rebalance may fall between `getmany` and the
    commit that follows it. The offsets of everything `poll` returned are noted synchronously
    right after `getmany` (no await in between), and the revoke callback commits them before the
    partitions move: what this member returned is committed before anyone else reads it (no
    duplicates), as aiokafka's documentation recommends for manual commits."""

    def __init__(self, client, group, topic):
        self.client = client
        self.processed = {}

        async def start():
            from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener
            adapter = self

            class Listener(ConsumerRebalanceListener):
                async def on_partitions_revoked(self, revoked):
                    done = {tp: o for tp, o in adapter.processed.items() if tp in revoked}
                    if done:
                        await adapter.c.commit(done)

                async def on_partitions_assigned(self, assigned):
                    pass
            c = AIOKafkaConsumer(bootstrap_servers=client.bootstrap, group_id=group, auto_offset_reset="earliest",
                                 enable_auto_commit=False, session_timeout_ms=10000)
            await c.start()
            if topic:
                c.subscribe([topic], listener=Listener())
            return c
        self.c = client.run(start())

    def poll(self):
        async def go():
            from aiokafka.errors import CommitFailedError, IllegalStateError
            batch = await self.c.getmany(timeout_ms=200)
            for tp, ms in batch.items():
                if ms:
                    self.processed[tp] = ms[-1].offset + 1
            msgs = [Msg(m.partition, m.offset, m.key, m.value, list(m.headers)) for ms in batch.values() for m in ms]
            if msgs:
                try:
                    await self.c.commit({tp: o for tp, o in self.processed.items() if tp in self.c.assignment()})
                except (CommitFailedError, IllegalStateError):
                    pass  # a rebalance began: the revoke callback commits these offsets
            return msgs
        return self.client.run(go())

    def commit(self):
        pass  # poll commits what it returns, under the lock

    def assignment(self):
        return {tp.partition for tp in self.c.assignment()}

    def offset_for_time(self, topic, partition, ts):
        from aiokafka import TopicPartition
        tp = TopicPartition(topic, partition)
        found = self.client.run(self.c.offsets_for_times({tp: ts}))[tp]
        return found.offset if found else -1

    def watermarks(self, topic, partition):
        from aiokafka import TopicPartition
        tp = TopicPartition(topic, partition)
        return (self.client.run(self.c.beginning_offsets([tp]))[tp], self.client.run(self.c.end_offsets([tp]))[tp])

    def close(self):
        self.client.run(self.c.stop())


CLIENTS = {"confluent": Confluent, "kafka-python": KafkaPython, "aiokafka": AIOKafka}
