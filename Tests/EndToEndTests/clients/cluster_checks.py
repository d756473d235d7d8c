"""kafka-python's view of changes an operator makes over the wire (issue #7), one step per run.

Usage: python3 cluster_checks.py STEP BOOTSTRAP TOPIC GROUP [ARGS]
  prime  TOPIC gets one partition and N records v0..v(N-1); GROUP reads them all and commits
         (it then leaves: the group is Empty)
  first  GROUP (auto.offset.reset=earliest) reads; prints "FIRST <offset> <value>" for the
         first record it gets, without committing
  hold   GROUP joins and reads; prints "READY" once it has partitions, then keeps polling (a
         live member) until it is stopped (SIGTERM) or 120 s pass
  sizes  DescribeLogDirs (kafka-python's admin describe_log_dirs) for TOPIC; prints
         "SIZE <partition> <bytes>" per partition (GROUP is unused)
  commit-meta  commits, for GROUP without joining it, offset OFFSET with metadata METADATA on
         partition PARTITION of TOPIC (args: PARTITION OFFSET METADATA)
Prints "OK STEP" when done; on failure "FAIL STEP: why" and exits 1.
"""
import sys
import time

from client_adapters import KafkaPython


def main():
    step, bootstrap, topic, group, *rest = sys.argv[1:]
    client = KafkaPython(bootstrap)
    try:
        if step == "prime":
            n = int(rest[0])
            client.create_topic(topic, 1)
            client.produce(topic, [(None, f"v{i}".encode(), [], 0, None) for i in range(n)])
            c = client.consumer(group, topic)
            seen = []
            deadline = time.time() + 30
            while len(seen) < n and time.time() < deadline:
                msgs = c.poll()
                seen += msgs
                if msgs:
                    c.commit()
            c.close()
            if len(seen) != n:
                raise RuntimeError(f"read {len(seen)} of {n}")
        elif step == "first":
            c = client.consumer(group, topic)
            deadline = time.time() + 30
            first = None
            while first is None and time.time() < deadline:
                msgs = c.poll()
                if msgs:
                    first = msgs[0]
            c.close()
            if first is None:
                raise RuntimeError("no record within 30 s")
            print(f"FIRST {first.offset} {first.value.decode()}", flush=True)
        elif step == "hold":
            c = client.consumer(group, topic)
            deadline = time.time() + 30
            while not c.assignment() and time.time() < deadline:
                c.poll()
            if not c.assignment():
                raise RuntimeError("no partitions assigned within 30 s")
            print("READY", flush=True)
            deadline = time.time() + 120
            while time.time() < deadline:
                c.poll()
            c.close()
        elif step == "sizes":
            for broker in client.admin.describe_log_dirs([topic]):
                for log_dir in broker["log_dirs"]:
                    for t in log_dir["topics"]:
                        if t["name"] != topic:
                            raise RuntimeError(f"asked for {topic}, got {t['name']}")
                        for p in t["partitions"]:
                            print(f"SIZE {p['partition_index']} {p['partition_size']}", flush=True)
        elif step == "commit-meta":
            from kafka import KafkaConsumer, TopicPartition
            from kafka.structs import OffsetAndMetadata
            partition, offset, metadata = int(rest[0]), int(rest[1]), rest[2]
            c = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
            tp = TopicPartition(topic, partition)
            c.assign([tp])
            c.commit({tp: OffsetAndMetadata(offset, metadata, -1)})
            c.close()
        else:
            raise RuntimeError(f"unknown step {step}")
        print(f"OK {step}", flush=True)
    except Exception as e:
        print(f"FAIL {step}: {type(e).__name__}: {e}", flush=True)
        sys.exit(1)
    finally:
        client.close()


if __name__ == "__main__":
    main()
