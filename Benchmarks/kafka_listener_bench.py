"""Produce and consume through Wharf's Kafka listener with librdkafka (confluent-kafka).

Usage: python3 Benchmarks/kafka_listener_bench.py [--wharf .build/release/wharf] [--records 1000000]
       [--size 100] [--fsync interval:100] [--json]
Starts `wharf serve` on a free loopback port over a fresh data directory, produces the records
(batching on, acks=all) measuring each record's produce latency (send to delivery report), then
consumes them all, and prints records/s for both and p50/p99 produce latency. Stops the server.
"""
import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

from confluent_kafka import Consumer, Producer


def percentile(sorted_values, p):
    if not sorted_values:
        return 0.0
    i = min(len(sorted_values) - 1, int(round(p / 100 * (len(sorted_values) - 1))))
    return sorted_values[i]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wharf", default=".build/release/wharf")
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--size", type=int, default=100)
    ap.add_argument("--fsync", default="interval:100")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    data = tempfile.mkdtemp(prefix="wharf-kbench-")
    server = subprocess.Popen([args.wharf, "serve", "--data", data, "--listen", "127.0.0.1:0", "--fsync", args.fsync],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = server.stdout.readline()
        port = int(re.search(r"127\.0\.0\.1:(\d+)", line).group(1))
        bootstrap = f"127.0.0.1:{port}"
        payload = b"x" * args.size
        latencies = []
        producer = Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 5,
                             "batch.num.messages": 10000, "queue.buffering.max.messages": 1000000,
                             "compression.type": "none"})
        sent_at = {}

        def delivered(err, msg, start):
            if err is None:
                latencies.append(time.perf_counter() - start)

        start = time.perf_counter()
        for i in range(args.records):
            t = time.perf_counter()
            while True:
                try:
                    producer.produce("bench", value=payload, on_delivery=lambda e, m, t=t: delivered(e, m, t))
                    break
                except BufferError:
                    producer.poll(0.01)
            if i % 10000 == 0:
                producer.poll(0)
        producer.flush(120)
        produce_s = time.perf_counter() - start

        consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "bench", "auto.offset.reset": "earliest",
                             "enable.auto.commit": True, "fetch.max.bytes": 52428800})
        consumer.subscribe(["bench"])
        got = 0
        start = time.perf_counter()
        deadline = start + 300
        while got < args.records and time.perf_counter() < deadline:
            msgs = consumer.consume(10000, 1.0)
            got += sum(1 for m in msgs if m.error() is None)
        consume_s = time.perf_counter() - start
        consumer.close()

        latencies.sort()
        result = {
            "records": args.records, "recordSize": args.size, "fsync": args.fsync,
            "produced": len(latencies), "consumed": got,
            "produceRecordsPerSec": len(latencies) / produce_s, "consumeRecordsPerSec": got / consume_s,
            "produceLatencyP50Ms": percentile(latencies, 50) * 1000, "produceLatencyP99Ms": percentile(latencies, 99) * 1000,
        }
        if args.json:
            print(json.dumps(result))
        else:
            print(f"produce: {result['produced']} x {args.size} B in {produce_s:.2f} s = {result['produceRecordsPerSec']:,.0f} records/s "
                  f"(p50 {result['produceLatencyP50Ms']:.1f} ms, p99 {result['produceLatencyP99Ms']:.1f} ms)")
            print(f"consume: {got} in {consume_s:.2f} s = {result['consumeRecordsPerSec']:,.0f} records/s")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
