"""A KIP-848 consumer (confluent-kafka, group.protocol=consumer) across a SIGKILL of
`wharf serve --fsync always` and a restart on the same port and data directory.

Usage: kip848_restart.py WHARF_BINARY DATA_DIRECTORY PORT

The consumer commits each message synchronously before taking the next. Half the messages are
consumed before the kill, the rest (produced after the restart) after it. Prints one
`KEY value` line per fact the Swift test checks: the member id before and after, the
rebalance callbacks seen after the restart (none: the member keeps its epoch and assignment),
and the messages consumed twice or never.
"""
import signal
import socket
import subprocess
import sys
import time

from confluent_kafka import Consumer, Producer
from confluent_kafka.admin import AdminClient, NewTopic

wharf, data, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
bootstrap = "127.0.0.1:%d" % port
HALF = 60


def serve():
    proc = subprocess.Popen(
        [wharf, "serve", "--data", data, "--listen", bootstrap, "--fsync", "always", "--no-amqp", "--no-esdb",
         "--group-consumer-heartbeat-interval-ms", "300"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("wharf serve did not listen on %s" % bootstrap)


def produce(values):
    p = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True})
    for v in values:
        p.produce("orders", value=str(v).encode())
    if p.flush(30):
        raise SystemExit("producer could not deliver")


callbacks = []
broker = serve()
try:
    admin = AdminClient({"bootstrap.servers": bootstrap})
    admin.create_topics([NewTopic("orders", 2, 1)])["orders"].result(30)
    produce(range(HALF))
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "survivors", "group.protocol": "consumer",
                  "enable.auto.commit": False, "auto.offset.reset": "earliest"})
    c.subscribe(["orders"],
                on_assign=lambda _c, ps: callbacks.append("assign %d" % len(ps)),
                on_revoke=lambda _c, ps: callbacks.append("revoke %d" % len(ps)),
                on_lost=lambda _c, ps: callbacks.append("lost %d" % len(ps)))
    seen = []

    def consume_until(count, seconds):
        deadline = time.time() + seconds
        while len(seen) < count and time.time() < deadline:
            m = c.poll(0.5)
            if m is None or m.error():
                continue
            seen.append(int(m.value()))
            c.commit(message=m, asynchronous=False)

    consume_until(HALF, 60)
    print("BEFORE", len(seen), flush=True)
    print("MEMBER_BEFORE", c.memberid(), flush=True)
    # Let a few heartbeats pass, so the member is Stable at its epoch on the broker's disk.
    for _ in range(4):
        c.poll(0.3)
    before_callbacks = len(callbacks)

    broker.send_signal(signal.SIGKILL)
    broker.wait()
    broker = serve()
    produce(range(HALF, 2 * HALF))
    consume_until(2 * HALF, 90)
    print("AFTER", len(seen), flush=True)
    print("MEMBER_AFTER", c.memberid(), flush=True)
    print("CALLBACKS_AFTER_RESTART", ",".join(callbacks[before_callbacks:]) or "none", flush=True)
    dups = sorted({v for v in seen if seen.count(v) > 1})
    missing = sorted(set(range(2 * HALF)) - set(seen))
    print("DUPLICATES", ",".join(map(str, dups)) or "none", flush=True)
    print("MISSING", ",".join(map(str, missing)) or "none", flush=True)
    c.close()
finally:
    broker.kill()
    broker.wait()
