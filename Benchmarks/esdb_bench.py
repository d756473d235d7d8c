"""Throughput and latency of Wharf's EventStoreDB listener through the Python client
(kurrentdbclient), for BENCHMARKS.md. Client-bound: the Python client's protobuf encoding and
gRPC core dominate; compare with the embedded API's figures, not with KurrentDB's.

    python3 esdb_bench.py URI [EVENTS] [--server-pid PID]

Each figure is followed by the CPU the client used in it (its own process, as a share of one
core: near 100% means the single-threaded Python client is the bottleneck) and, with
--server-pid, the server's.
"""
import os
import statistics
import sys
import threading
import time
import uuid

from kurrentdbclient import KurrentDBClient, NewEvent, StreamState

args = [a for a in sys.argv[1:]]
server_pid = None
if "--server-pid" in args:
    i = args.index("--server-pid")
    server_pid = int(args[i + 1])
    del args[i:i + 2]
uri = args[0]
total = int(args[1]) if len(args) > 1 else 20_000
TICKS = os.sysconf("SC_CLK_TCK")


def server_cpu():
    if server_pid is None:
        return 0.0
    with open(f"/proc/{server_pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


class Phase:
    """Wall time and the CPU the client (and the server, with --server-pid) used in it."""

    def __enter__(self):
        self.wall, self.cpu, self.server = time.perf_counter(), time.process_time(), server_cpu()
        return self

    def __exit__(self, *exc):
        self.elapsed = time.perf_counter() - self.wall
        self.client_share = (time.process_time() - self.cpu) / self.elapsed
        self.server_share = (server_cpu() - self.server) / self.elapsed

    def cpu_text(self):
        text = f"client CPU {self.client_share:.0%} of a core"
        if server_pid is not None:
            text += f", server CPU {self.server_share:.0%}"
        return text


client = KurrentDBClient(uri=uri)
payload = b'{"amount": 10, "currency": "EUR", "note": "benchmark event of about 100 bytes......"}'

stream = "bench-" + uuid.uuid4().hex[:8]
version = StreamState.NO_STREAM
with Phase() as p:
    for i in range(total // 100):
        client.append_to_stream(stream, current_version=version, events=[NewEvent(type="Deposited", data=payload) for _ in range(100)])
        version = (i + 1) * 100 - 1
print(f"append: {total} events in batches of 100, one connection: {total / p.elapsed:,.0f} events/s ({p.cpu_text()})")

with Phase() as p:
    n = sum(1 for _ in client.read_stream(stream))
print(f"read stream: {n} events: {n / p.elapsed:,.0f} events/s ({p.cpu_text()})")

with Phase() as p:
    n = 0
    sub = client.subscribe_to_stream(stream)
    for _ in sub:
        n += 1
        if n == total:
            break
    sub.stop()
print(f"catch-up subscription: {n} events: {n / p.elapsed:,.0f} events/s ({p.cpu_text()})")

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
phase = Phase().__enter__()
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
phase.__exit__()
sub.stop()
lat = sorted(latencies)
if lat:
    print(f"append-to-delivery at 1,000 events/s ({len(lat)} events): p50 {lat[len(lat) // 2] * 1000:.2f} ms, "
          f"p99 {lat[int(len(lat) * 0.99)] * 1000:.2f} ms ({phase.cpu_text()})")
