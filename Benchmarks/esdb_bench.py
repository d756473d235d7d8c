"""Throughput and latency of Wharf's EventStoreDB listener through the Python client
(kurrentdbclient), for BENCHMARKS.md. Client-bound: the Python client's protobuf encoding and
gRPC core dominate; compare with the embedded API's figures, not with KurrentDB's.

    python3 esdb_bench.py URI [EVENTS]
"""
import statistics
import sys
import threading
import time
import uuid

from kurrentdbclient import KurrentDBClient, NewEvent, StreamState

uri = sys.argv[1]
total = int(sys.argv[2]) if len(sys.argv) > 2 else 20_000
client = KurrentDBClient(uri=uri)
payload = b'{"amount": 10, "currency": "EUR", "note": "benchmark event of about 100 bytes......"}'

stream = "bench-" + uuid.uuid4().hex[:8]
start = time.perf_counter()
version = StreamState.NO_STREAM
for i in range(total // 100):
    client.append_to_stream(stream, current_version=version, events=[NewEvent(type="Deposited", data=payload) for _ in range(100)])
    version = (i + 1) * 100 - 1
elapsed = time.perf_counter() - start
print(f"append: {total} events in batches of 100, one connection: {total / elapsed:,.0f} events/s")

start = time.perf_counter()
n = sum(1 for _ in client.read_stream(stream))
elapsed = time.perf_counter() - start
print(f"read stream: {n} events: {n / elapsed:,.0f} events/s")

start = time.perf_counter()
n = 0
sub = client.subscribe_to_stream(stream)
for _ in sub:
    n += 1
    if n == total:
        break
sub.stop()
elapsed = time.perf_counter() - start
print(f"catch-up subscription: {n} events: {n / elapsed:,.0f} events/s")

# Append-to-delivery at 1,000 events/s: one appender thread, one subscriber on its own client.
live = "latency-" + uuid.uuid4().hex[:8]
sent = {}
latencies = []
reader = KurrentDBClient(uri=uri)
sub = reader.subscribe_to_stream(live, include_caught_up=True)
ready = threading.Event()
count = 2000


def consume():
    for e in sub:
        if e.type == "Tick":
            latencies.append(time.perf_counter() - sent[e.id])
            if len(latencies) == count:
                break
        else:
            ready.set()


t = threading.Thread(target=consume)
t.start()
ready.wait(10)
interval = 1 / 1000
next_at = time.perf_counter()
for i in range(count):
    e = NewEvent(type="Tick", data=b"{}")
    sent[e.id] = time.perf_counter()
    client.append_to_stream(live, current_version=StreamState.ANY, events=e)
    next_at += interval
    delay = next_at - time.perf_counter()
    if delay > 0:
        time.sleep(delay)
t.join(30)
sub.stop()
lat = sorted(latencies)
if lat:
    print(f"append-to-delivery at 1,000 events/s ({len(lat)} events): p50 {lat[len(lat) // 2] * 1000:.2f} ms, "
          f"p99 {lat[int(len(lat) * 0.99)] * 1000:.2f} ms")
