"""Issue #6's per-client checks against a running Wharf listener, all in one Python process.

Usage: python3 feature_checks.py CLIENT BOOTSTRAP PREFIX CHECK...
CLIENT: confluent | kafka-python | aiokafka. Each CHECK uses its own topics named PREFIX-...:
  group          three members split six partitions, one leaves mid-stream, the others take over;
                 every record is consumed exactly once (each member commits synchronously what it
                 processed before its next poll, so nothing uncommitted can move at a rebalance)
  timestamps     offsets by timestamp (ListOffsets) on records with explicit timestamps
  codecs         gzip, snappy, lz4 and zstd batches produced and read back
  idempotent     an idempotent producer's records arrive once, in order, at consecutive offsets
  delete-records DeleteRecords moves the log start; earliest reads start there
  admin          topics created and deleted through the admin API
  commit         (restart, phase 1) a group reads 10 records and commits
  resume         (restart, phase 2, after a broker restart) the group reads only the 5 new ones
  initial-split  three members started together each get one of three partitions in their first
                 assignment (needs the broker's group.initial.rebalance.delay.ms)
  live-group     a group reads 6 records and commits, prints READY, keeps polling; a reset to
                 earliest done meanwhile by an operator (the dashboard) makes it read all 6 again
Prints "OK CHECK" per passed check; on failure prints "FAIL CHECK: why" and exits 1.
"""
import logging
import os
import sys
import threading
import time

from client_adapters import CLIENTS


class Failure(Exception):
    pass


def expect(condition, why):
    if not condition:
        raise Failure(why)


def wait_until(condition, seconds, why):
    """Polls until condition() holds; budgets are generous because the suite runs in parallel on
    loaded 2-core CI machines (a group of three can take several rebalance rounds there)."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise Failure(f"timed out after {seconds}s: {why}")


def read_all(client, topic, group, count, seconds=90):
    c = client.consumer(group, topic)
    seen = []
    deadline = time.time() + seconds
    try:
        while len(seen) < count and time.time() < deadline:
            msgs = c.poll()
            seen += msgs
            if msgs:
                c.commit()
    finally:
        c.close()
    return seen


class Member(threading.Thread):
    """A group member on its own thread: poll, record, commit synchronously, repeat."""

    def __init__(self, client, group, topic, name, sink, lock):
        super().__init__(daemon=True)
        self.client, self.group, self.topic, self.name = client, group, topic, name
        self.sink, self.lock = sink, lock
        self.stop_flag = threading.Event()
        self.assigned = set()
        self.first = None  # the first assignment the group gave (where the client records them)
        self.closed = threading.Event()
        self.error = None

    def run(self):
        try:
            c = self.client.consumer(self.group, self.topic)
            try:
                while not self.stop_flag.is_set():
                    msgs = c.poll()
                    if msgs:
                        c.commit()
                        with self.lock:
                            self.sink += [(self.name, m.partition, m.value) for m in msgs]
                    self.assigned = c.assignment()
                    if self.first is None and getattr(c, "assignments", None):
                        self.first = c.assignments[0]
            finally:
                c.close()
        except Exception as e:  # reported by the check
            self.error = e
        finally:
            self.assigned = set()
            self.closed.set()


def check_group(client, prefix):
    topic, group, parts = f"{prefix}-group", f"{prefix}-g3", 6
    client.create_topic(topic, parts)
    seen, lock = [], threading.Lock()
    members = {n: Member(client, group, topic, n, seen, lock) for n in "abc"}
    for m in members.values():
        m.start()

    def split(names):
        sets = [members[n].assigned for n in names]
        union = set().union(*sets)
        return all(sets) and union == set(range(parts)) and sum(len(s) for s in sets) == parts

    def produce(phase):
        client.produce(topic, [(f"k{i}".encode(), f"{phase}-{i}".encode(), [], i % parts, None) for i in range(60)])

    wait_until(lambda: split("abc") or any(m.error for m in members.values()), 90, "three members never split the partitions")
    expect(not any(m.error for m in members.values()), f"member error: {[m.error for m in members.values()]}")
    owners = {n: set(m.assigned) for n, m in members.items()}
    produce("A")
    wait_until(lambda: len(seen) >= 60, 60, f"phase A: {len(seen)} of 60 consumed")
    for name, partition, _ in list(seen):
        expect(partition in owners[name], f"member {name} read partition {partition} it does not own {owners}")
    # Phase B is produced, then member c leaves while the records are being consumed.
    produce("B")
    members["c"].stop_flag.set()
    expect(members["c"].closed.wait(20), "member c did not close")
    wait_until(lambda: split("ab"), 90, "the two remaining members never took over c's partitions")
    produce("C")
    wait_until(lambda: len(seen) >= 180 or any(m.error for m in members.values()), 90, f"{len(seen)} of 180 consumed")
    time.sleep(0.5)  # a late duplicate would show up here
    for n in "ab":
        members[n].stop_flag.set()
    for m in members.values():
        m.join(20)
    expect(not any(m.error for m in members.values()), f"member error: {[m.error for m in members.values()]}")
    values = [v for _, _, v in seen]
    want = {f"{ph}-{i}".encode() for ph in "ABC" for i in range(60)}
    dups = {v for v in values if values.count(v) > 1}
    expect(not dups, f"duplicates across the rebalance: {sorted(dups)[:5]}")
    expect(set(values) == want, f"missing: {sorted(want - set(values))[:5]}")
    took_over = {p for n, p, v in seen if v.startswith(b"C-") and p in owners["c"]}
    expect(took_over == owners["c"], f"c's partitions {owners['c']} not served after it left: {took_over}")


def check_initial_split(client, prefix):
    topic, group = f"{prefix}-split", f"{prefix}-split-g"
    client.create_topic(topic, 3)
    seen, lock = [], threading.Lock()
    members = [Member(client, group, topic, n, seen, lock) for n in "abc"]
    for m in members:
        m.start()
    try:
        wait_until(lambda: all(m.first is not None for m in members) or any(m.error for m in members), 90, "members never got assignments")
        expect(not any(m.error for m in members), f"member error: {[m.error for m in members]}")
        firsts = [m.first for m in members]
        expect(all(len(f) == 1 for f in firsts) and set().union(*firsts) == {0, 1, 2},
               f"first assignments {firsts}: not one partition each")
    finally:
        for m in members:
            m.stop_flag.set()
        for m in members:
            m.join(20)


def check_timestamps(client, prefix):
    topic = f"{prefix}-ts"
    client.create_topic(topic, 1)
    base = 1_600_000_000_000
    client.produce(topic, [(None, f"v{i}".encode(), [], 0, base + i * 1000) for i in range(10)])
    c = client.consumer(None, None) if client.name != "confluent" else client.consumer(f"{prefix}-ts-g", topic)
    try:
        for ts, want in [(base, 0), (base + 5500, 6), (base + 9000, 9), (0, 0)]:
            got = c.offset_for_time(topic, 0, ts)
            expect(got == want, f"offset for time {ts}: {got}, expected {want}")
        after = c.offset_for_time(topic, 0, base + 60_000)
        expect(after == -1, f"offset for a time after the last record: {after}, expected -1 (none)")
        empty = f"{prefix}-ts-empty"
        client.create_topic(empty, 1)
        for ts in (0, base):
            got = c.offset_for_time(empty, 0, ts)
            expect(got == -1, f"offset for time {ts} on an empty partition: {got}, expected -1 (librdkafka's 0054)")
    finally:
        c.close()


def check_codecs(client, prefix):
    topic = f"{prefix}-codecs"
    client.create_topic(topic, 1)
    codecs = ["gzip", "snappy", "lz4", "zstd"]
    for codec in codecs:
        client.produce(topic, [(None, f"{codec}-{i}".encode() * 20, [], 0, None) for i in range(20)], compression=codec)
    seen = read_all(client, topic, f"{prefix}-codecs-g", 80)
    want = [f"{codec}-{i}".encode() * 20 for codec in codecs for i in range(20)]
    expect([m.value for m in seen] == want, f"read back {len(seen)} records, not the 80 produced in order")


def check_idempotent(client, prefix):
    topic = f"{prefix}-idem"
    client.create_topic(topic, 1)
    client.produce(topic, [(b"k", f"i{i}".encode(), [], 0, None) for i in range(50)], idempotent=True)
    seen = read_all(client, topic, f"{prefix}-idem-g", 50)
    expect([m.value for m in seen] == [f"i{i}".encode() for i in range(50)], "idempotent records not once and in order")
    expect([m.offset for m in seen] == list(range(50)), f"offsets {[m.offset for m in seen][:5]}...")


def check_delete_records(client, prefix):
    topic = f"{prefix}-del"
    client.create_topic(topic, 1)
    client.produce(topic, [(None, f"d{i}".encode(), [], 0, None) for i in range(10)])
    client.delete_records(topic, 0, 7)
    c = client.consumer(f"{prefix}-del-w", topic if client.name == "confluent" else None)
    try:
        low, high = c.watermarks(topic, 0)
    finally:
        c.close()
    expect((low, high) == (7, 10), f"watermarks after DeleteRecords: {(low, high)}")
    seen = read_all(client, topic, f"{prefix}-del-g", 3)
    expect([m.value for m in seen] == [b"d7", b"d8", b"d9"], f"earliest read: {[m.value for m in seen]}")


def check_admin(client, prefix):
    topic = f"{prefix}-admin"
    client.create_topic(topic, 2)
    expect(topic in client.list_topics(), "created topic not listed")
    client.delete_topic(topic)
    wait_until(lambda: topic not in client.list_topics(), 60, "deleted topic still listed")


def check_commit(client, prefix):
    topic = f"{prefix}-restart"
    client.create_topic(topic, 1)
    client.produce(topic, [(None, f"r{i}".encode(), [], 0, None) for i in range(10)])
    seen = read_all(client, topic, f"{prefix}-restart-g", 10)
    expect([m.value for m in seen] == [f"r{i}".encode() for i in range(10)], f"read {len(seen)} of 10")


def check_resume(client, prefix):
    topic = f"{prefix}-restart"
    client.produce(topic, [(None, f"r{i}".encode(), [], 0, None) for i in range(10, 15)])
    c = client.consumer(f"{prefix}-restart-g", topic)
    seen = []
    try:
        deadline = time.time() + 30
        while len(seen) < 5 and time.time() < deadline:
            msgs = c.poll()
            seen += msgs
            if msgs:
                c.commit()
        quiet = time.time() + 1  # anything already committed would come first, so 1 s is plenty
        while time.time() < quiet:
            seen += c.poll()
    finally:
        c.close()
    expect([m.value for m in seen] == [f"r{i}".encode() for i in range(10, 15)],
           f"after the restart the group read {[m.value for m in seen]}")


def check_live_group(client, prefix):
    topic = f"{prefix}-live"
    client.create_topic(topic, 1)
    client.produce(topic, [(None, f"l{i}".encode(), [], 0, None) for i in range(6)])
    c = client.consumer(f"{prefix}-live-g", topic)
    seen = []
    try:
        deadline = time.time() + 30
        while len(seen) < 6 and time.time() < deadline:
            msgs = c.poll()
            seen += msgs
            if msgs:
                c.commit()
        expect(len(seen) == 6, f"read {len(seen)} of 6 before the reset")
        print("READY", flush=True)
        # The operator resets the group to earliest while this member is live: it is fenced,
        # rejoins, and reads everything again from the reset offsets.
        again = []
        deadline = time.time() + 90
        while len(again) < 6 and time.time() < deadline:
            msgs = c.poll()
            again += msgs
            if msgs:
                try:
                    c.commit()
                except Exception:
                    pass  # a commit from the fenced generation is rejected; the rejoin follows
        expect([m.value for m in again] == [f"l{i}".encode() for i in range(6)],
               f"after the reset the live group read {[m.value for m in again]}")
    finally:
        c.close()


CHECKS = {"group": check_group, "timestamps": check_timestamps, "codecs": check_codecs,
          "idempotent": check_idempotent, "delete-records": check_delete_records, "admin": check_admin,
          "commit": check_commit, "resume": check_resume,
          "live-group": check_live_group, "initial-split": check_initial_split}


def main():
    name, bootstrap, prefix, *checks = sys.argv[1:]
    if os.environ.get("KAFKA_CLIENT_DEBUG"):  # the clients' own logs, to stderr
        logging.basicConfig(level=logging.DEBUG)
    client = CLIENTS[name](bootstrap)
    failed = False
    for check in checks:
        started = time.time()
        try:
            CHECKS[check](client, prefix)
            print(f"OK {check} ({time.time() - started:.1f}s)", flush=True)
        except Exception as e:
            print(f"FAIL {check}: {type(e).__name__}: {e}", flush=True)
            failed = True
    client.close()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
