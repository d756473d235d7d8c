"""Publish-to-delivery latency through Wharf's Kafka listener with librdkafka (confluent-kafka),
issue 17's "confluent-kafka at linger.ms=0" figure.

Usage: python3 Benchmarks/kafka_latency_bench.py [--wharf .build/release/wharf] [--fsync always]
       [--rate 1000] [--secs 5] [--commit each|none] [--consume-batch 1]
Starts `wharf serve` on a free loopback port over a fresh data directory. A consumer process
assigns itself the topic's end; then the producer (linger.ms=0, acks=all, a 256-message window as
the other harnesses) sends RATE stamped 100-byte messages per second for SECS seconds, and the
consumer takes each message's age when it reaches the application. With `--commit each` the
consumer commits (asynchronously) after every message, as a typical at-least-once loop does.
Prints p50/p99 in microseconds and the server's CPU time. Stops the server.

How the consumer waits matters more than the broker: `Consumer.consume(num_messages=N, timeout=T)`
returns when it has N messages or T has passed, so at 1,000 messages/s a batch of 100 holds the
first message for 100 ms whatever the broker does (p50 about 50 ms, p99 about 99 ms: what
`../shared/bench/peer-bench/pybench.py kafka latency` reports, since it consumes in batches of 100).
The default here, `--consume-batch 1`, is `poll()` per message, which is what a latency-minded
application does; `--consume-batch 100` reproduces the batching figure.
"""
import argparse
import multiprocessing as mp
import os
import re
import shutil
import struct
import subprocess
import tempfile
import time

from confluent_kafka import OFFSET_END, Consumer, Producer, TopicPartition

STAMP = struct.Struct("<Q")


def percentile(sorted_values, p):
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, int(p * (len(sorted_values) - 1)))]


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def consume(bootstrap, total, batch, commit, ready, out):
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "latency-bench", "enable.auto.commit": False})
    c.assign([TopicPartition("latency", 0, OFFSET_END)])
    c.consume(1, timeout=1)  # join the partition's end before the producer starts
    ready.set()
    ages = []
    deadline = time.monotonic() + 120
    while len(ages) < total and time.monotonic() < deadline:
        msgs = c.consume(batch, timeout=0.5)
        now = time.monotonic_ns()
        for m in msgs:
            if m.error() is None:
                ages.append((now - STAMP.unpack_from(m.value())[0]) / 1e3)
        if msgs and commit:
            c.commit(message=msgs[-1], asynchronous=True)
    out.put(ages)
    c.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wharf", default=".build/release/wharf")
    ap.add_argument("--fsync", default="always")
    ap.add_argument("--rate", type=int, default=1000)
    ap.add_argument("--secs", type=int, default=5)
    ap.add_argument("--commit", choices=["each", "none"], default="each")
    ap.add_argument("--consume-batch", type=int, default=1)
    args = ap.parse_args()

    data = tempfile.mkdtemp(prefix="wharf-latency-")
    server = subprocess.Popen([args.wharf, "serve", "--data", data, "--listen", "127.0.0.1:0", "--fsync", args.fsync,
                               "--no-amqp", "--no-esdb"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        port = int(re.search(r"127\.0\.0\.1:(\d+)", server.stdout.readline()).group(1))
        bootstrap = f"127.0.0.1:{port}"
        producer = Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 0,
                             "queue.buffering.max.messages": 256, "enable.idempotence": False})
        producer.produce("latency", b"warm-up" + bytes(93), partition=0)  # creates the topic
        producer.flush(30)

        total = args.rate * args.secs
        ready, out = mp.Event(), mp.Queue()
        consumer = mp.Process(target=consume, args=(bootstrap, total, args.consume_batch, args.commit == "each", ready, out))
        consumer.start()
        if not ready.wait(30):
            raise SystemExit("consumer not ready")
        cpu_before = cpu_seconds(server.pid)
        start = time.monotonic()
        padding = bytes(100 - STAMP.size)
        for i in range(total):
            due = start + i / args.rate - time.monotonic()
            if due > 0:
                time.sleep(due)
            while True:
                try:
                    producer.produce("latency", STAMP.pack(time.monotonic_ns()) + padding, partition=0)
                    break
                except BufferError:
                    producer.poll(0.001)
            producer.poll(0)
        producer.flush(60)
        del producer  # closes its connections before the server stops
        ages = sorted(out.get(timeout=150))
        consumer.join(10)
        cpu = cpu_seconds(server.pid) - cpu_before
        print(f"fsync={args.fsync} rate={args.rate}/s commit={args.commit} consume-batch={args.consume_batch}: "
              f"p50_us={percentile(ages, 0.5):.0f} p99_us={percentile(ages, 0.99):.0f} n={len(ages)} server_cpu_s={cpu:.2f}")
    finally:
        server.terminate()
        server.wait(30)
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
