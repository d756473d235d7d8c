#!/usr/bin/env python3
"""Chaos with real clients (issue 13, "Proof that it holds").

Starts `wharf serve --fsync always` on a temporary data directory and a free port, then runs at
the same time:
  * an idempotent acks=all producer with confluent-kafka (librdkafka) and one with kafka-python,
    each recording what the broker acknowledged (unique payloads, with partition and offset);
  * a consumer group (confluent-kafka) recording what it was given;
  * queue sends and settles through the CLI (`wharf queue send` / `wharf queue receive --then
    complete|dead-letter`) on a second data directory (a queue lives in the engine's directory,
    which `wharf serve` holds locked);
and SIGKILLs the broker (and the queue CLI process in flight, if any) at random intervals
`--kills` times, restarting it on the same data and port each time. At the end it verifies:
  * 0 acknowledged records lost (each at the partition and offset it was acknowledged at),
  * 0 duplicates from the idempotent producers,
  * every partition a gap-free prefix of offsets from its start,
  * every record the group was given is in the final log at that offset,
  * every acknowledged queue message in exactly one place: active, completed or dead-lettered.
Prints a summary (one JSON line with --json) and exits 1 on any violation.
"""
import argparse, collections, json, os, random, shutil, signal, socket, subprocess, sys, tempfile, threading, time

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

TOPIC, PARTITIONS, QUEUE, GROUP = "chaos", 3, "chaosq", "chaos-group"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Broker:
    """`wharf serve` on a fixed port, so clients reconnect to the same address after a restart."""

    def __init__(self, wharf, data, port, log):
        self.wharf, self.data, self.port, self.log = wharf, data, port, log
        self.proc = None
        self.starts = 0

    def start(self, timeout=60):
        deadline = time.time() + timeout
        while True:
            self.proc = subprocess.Popen(
                # Kills come faster than Kafka's 3 s group.initial.rebalance.delay.ms: with it the
                # group would never finish joining and the consumer side would check nothing.
                [self.wharf, "serve", "--data", self.data, "--listen", f"127.0.0.1:{self.port}", "--fsync", "always",
                 "--group-initial-rebalance-delay-ms", "0"],
                stdout=subprocess.PIPE, stderr=self.log, stdin=subprocess.DEVNULL, text=True)
            line = self.proc.stdout.readline()
            if "serving" in line:
                self.starts += 1
                return
            self.proc.wait()
            if time.time() > deadline:
                raise RuntimeError(f"wharf serve did not start (exit {self.proc.returncode}), see {self.log.name}")
            time.sleep(0.2)  # the port may still be held for a moment after the kill

    def kill(self):
        """SIGKILL; returns how the process ended if it had died by itself first (a crash)."""
        crashed = self.proc.poll()
        if crashed is None:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        return crashed

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode if self.proc else None


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.acked = {}            # payload -> (partition, offset), per producer name
        self.acked_by = {"confluent-kafka": 0, "kafka-python": 0}
        self.failed_by = {"confluent-kafka": 0, "kafka-python": 0}
        self.consumed = {}         # (partition, offset) -> payload
        self.queue_sent = set()    # message ids `queue send` exited 0 for
        self.queue_completed = set()      # printed by a `--then complete` handler (then maybe settled)
        self.queue_dead_lettered = set()  # printed by a `--then dead-letter` handler
        self.queue_cli_killed = 0
        self.errors = []

    def ack(self, who, payload, partition, offset):
        with self.lock:
            self.acked[payload] = (partition, offset)
            self.acked_by[who] += 1


def confluent_producer(bootstrap, stats, stop, rate):
    p = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True, "acks": "all",
                  "message.timeout.ms": 120000, "linger.ms": 5, "reconnect.backoff.max.ms": 200,
                  "log_level": 2})  # the disconnects are the point; keep stderr for real errors
    n = 0

    def report(err, msg):
        if err is None:
            stats.ack("confluent-kafka", msg.value().decode(), msg.partition(), msg.offset())
        else:
            with stats.lock:
                stats.failed_by["confluent-kafka"] += 1

    while not stop.is_set():
        payload = f"ck-{n}"
        try:
            p.produce(TOPIC, value=payload.encode(), partition=n % PARTITIONS, on_delivery=report)
            n += 1
        except BufferError:
            p.poll(0.1)
        p.poll(0)
        time.sleep(1.0 / rate)
    left = p.flush(180)
    if left:
        stats.errors.append(f"confluent-kafka: {left} messages still unacknowledged at the end")


def kafka_python_producer(bootstrap, stats, stop, rate):
    from kafka import KafkaProducer
    try:
        p = KafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, acks="all", retries=2**31 - 1,
                          request_timeout_ms=10000, delivery_timeout_ms=120000, reconnect_backoff_max_ms=200,
                          max_in_flight_requests_per_connection=5)
    except Exception as e:  # noqa: BLE001 - report any client failure as a result
        stats.errors.append(f"kafka-python: cannot start: {e!r}")
        return
    n = 0
    while not stop.is_set():
        payload = f"kp-{n}"
        part = n % PARTITIONS
        n += 1
        try:
            f = p.send(TOPIC, value=payload.encode(), partition=part)
            f.add_callback(lambda md, payload=payload: stats.ack("kafka-python", payload, md.partition, md.offset))
            f.add_errback(lambda e: stats.failed_by.__setitem__("kafka-python", stats.failed_by["kafka-python"] + 1))
        except Exception:  # noqa: BLE001 - a full buffer while the broker is down
            time.sleep(0.1)
        time.sleep(1.0 / rate)
    try:
        p.flush(timeout=180)
        p.close(timeout=10)
    except Exception as e:  # noqa: BLE001
        stats.errors.append(f"kafka-python: flush: {e!r}")


def group_consumer(bootstrap, stats, stop):
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": GROUP, "auto.offset.reset": "earliest",
                  "enable.auto.commit": True, "auto.commit.interval.ms": 500, "session.timeout.ms": 10000,
                  "reconnect.backoff.max.ms": 200, "log_level": 2})
    c.subscribe([TOPIC])
    while not stop.is_set():
        m = c.poll(0.2)
        if m is None or m.error():
            continue
        with stats.lock:
            stats.consumed[(m.partition(), m.offset())] = m.value().decode()
    c.close()


class QueueWorker:
    """Sends and settles queue messages through the CLI on its own data directory. The kill
    loop SIGKILLs the CLI process in flight, as it SIGKILLs the broker."""

    def __init__(self, wharf, data, stats, stop, rng):
        self.wharf, self.data, self.stats, self.stop, self.rng = wharf, data, stats, stop, rng
        self.current = None
        self.lock = threading.Lock()
        self.n = 0

    def cli(self, args):
        with self.lock:
            self.current = subprocess.Popen([self.wharf, "queue", *args, "--data", self.data],
                                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            proc = self.current
        out, err = proc.communicate()
        with self.lock:
            self.current = None
        return proc.returncode, out, err

    def kill_in_flight(self):
        with self.lock:
            if self.current and self.current.poll() is None:
                self.current.send_signal(signal.SIGKILL)
                self.stats.queue_cli_killed += 1

    def run(self):
        while not self.stop.is_set():
            if self.rng.random() < 0.6:
                mid = f"m-{self.n}"
                self.n += 1
                rc, _, _ = self.cli(["send", QUEUE, "--message-id", mid, "--body", mid, "--fsync", "always"])
                if rc == 0:
                    with self.stats.lock:
                        self.stats.queue_sent.add(mid)
            else:
                self.handle("dead-letter" if self.rng.random() < 0.3 else "complete")

    def handle(self, then):
        """A handler loop (`receive --follow`) for a moment: it prints each message (flushed) and
        only then settles it, so a message printed by a handler that was killed may still be
        active, and one that left the queue without a dead-letter was printed first."""
        args = ["receive", QUEUE, "--then", then, "--follow", "--json", "--fsync", "always"]
        if then == "dead-letter":
            args += ["--reason", "chaos"]
        with self.lock:
            proc = subprocess.Popen([self.wharf, "queue", *args, "--data", self.data],
                                    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            self.current = proc
        time.sleep(self.rng.uniform(0.1, 0.6))
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate()
        with self.lock:
            self.current = None
        with self.stats.lock:
            for mid in message_ids(out):
                (self.stats.queue_completed if then == "complete" else self.stats.queue_dead_lettered).add(mid)


def message_ids(text):
    text = text.strip()
    if not text:
        return []
    try:
        doc = json.loads(text)
    except json.JSONDecodeError:
        doc = [json.loads(line) for line in text.splitlines() if line.strip().startswith("{")]
    if isinstance(doc, dict):
        doc = [doc]
    return [m.get("messageId") for m in doc if isinstance(m, dict)]


def read_log(bootstrap):
    """Every record of the topic: partition -> [(offset, payload)], from each partition's start."""
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "chaos-verify", "enable.auto.commit": False})
    out = {}
    for p in range(PARTITIONS):
        low, high = c.get_watermark_offsets(TopicPartition(TOPIC, p), timeout=30)
        c.assign([TopicPartition(TOPIC, p, low)])
        records = []
        deadline = time.time() + 120
        while (not records or records[-1][0] < high - 1) and high > low and time.time() < deadline:
            for m in c.consume(1000, 1.0):
                if not m.error():
                    records.append((m.offset(), m.value().decode()))
        out[p] = (low, high, records)
    c.close()
    return out


def verify(stats, log, queue_active, queue_dead):
    v = {}
    position = {}
    seen = {}
    gaps = []
    for p, (low, high, records) in log.items():
        offsets = [o for o, _ in records]
        if offsets != list(range(low, high)):
            gaps.append(f"partition {p}: offsets {offsets[:3]}..{offsets[-3:]} are not the prefix {low}..{high - 1}")
        for o, payload in records:
            position[(p, o)] = payload
            seen[payload] = seen.get(payload, 0) + 1
    lost = [pl for pl, (p, o) in stats.acked.items() if position.get((p, o)) != pl]
    duplicates = [pl for pl, n in seen.items() if n > 1]
    consumed_missing = [(k, pl) for k, pl in stats.consumed.items() if position.get(k) != pl]
    placed = []
    for mid in stats.queue_sent:
        places = queue_active[mid] + queue_dead[mid]
        done = mid in stats.queue_completed
        # Two places at once, or none without a completion: lost or duplicated by a crash.
        if places > 1 or (places == 0 and not done):
            placed.append(mid)
    v["lost"] = lost
    v["duplicates"] = duplicates
    v["gaps"] = gaps
    v["consumed_not_in_log"] = consumed_missing
    v["queue_misplaced"] = placed
    return v


def peek_ids(wharf, data, entity):
    r = subprocess.run([wharf, "queue", "peek", entity, "--data", data, "--json", "--max", "1000000"],
                       capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        raise RuntimeError(f"queue peek {entity}: {r.stderr.strip()}")
    return collections.Counter(message_ids(r.stdout))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default_wharf = os.path.join(here, "..", "..", ".build", "debug", "wharf")
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--wharf", default=os.environ.get("WHARF_BIN", default_wharf))
    ap.add_argument("--kills", type=int, default=100)
    ap.add_argument("--min-interval", type=float, default=0.3, help="seconds between kills, at least")
    ap.add_argument("--max-interval", type=float, default=1.5, help="seconds between kills, at most")
    ap.add_argument("--rate", type=float, default=200, help="records per second per producer")
    ap.add_argument("--seed", type=int, default=int(time.time()))
    ap.add_argument("--json", action="store_true", help="print the summary as one JSON line")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    # Children inherit the signal mask: a test runner that blocks SIGTERM would leave the broker
    # and the queue handlers unable to stop cleanly.
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    work = tempfile.mkdtemp(prefix="wharf-chaos-")
    log = open(os.path.join(work, "serve.log"), "a")
    bootstrap_port = free_port()
    bootstrap = f"127.0.0.1:{bootstrap_port}"
    broker = Broker(args.wharf, os.path.join(work, "broker"), bootstrap_port, log)
    qdata = os.path.join(work, "queues")
    subprocess.run([args.wharf, "topic", "create", TOPIC, "--partitions", str(PARTITIONS), "--data", broker.data], check=True,
                   capture_output=True)
    subprocess.run([args.wharf, "queue", "create", QUEUE, "--data", qdata, "--lock-duration", "1s", "--max-delivery-count", "100"],
                   check=True, capture_output=True)
    broker.start()
    stats, stop = Stats(), threading.Event()
    worker = QueueWorker(args.wharf, qdata, stats, stop, random.Random(args.seed + 1))
    threads = [threading.Thread(target=confluent_producer, args=(bootstrap, stats, stop, args.rate)),
               threading.Thread(target=kafka_python_producer, args=(bootstrap, stats, stop, args.rate)),
               threading.Thread(target=group_consumer, args=(bootstrap, stats, stop)),
               threading.Thread(target=worker.run)]
    for t in threads:
        t.start()
    crashes = []
    started = time.time()
    try:
        for i in range(args.kills):
            time.sleep(rng.uniform(args.min_interval, args.max_interval))
            worker.kill_in_flight()
            died = broker.kill()
            if died is not None:
                crashes.append(f"kill {i + 1}: the broker had already exited ({died})")
            broker.start()
        time.sleep(2)
        stop.set()
        for t in threads:
            t.join(timeout=300)
        log_now = read_log(bootstrap)
        active, dead = peek_ids(args.wharf, qdata, QUEUE), peek_ids(args.wharf, qdata, QUEUE + "/$deadletterqueue")
        violations = verify(stats, log_now, active, dead)
        clean = broker.stop()
    finally:
        broker.stop()
    summary = {
        "kills": args.kills, "seed": args.seed, "seconds": round(time.time() - started, 1), "broker_starts": broker.starts,
        "broker_crashes": crashes, "clean_stop_exit": clean,
        "acked": stats.acked_by, "failed_deliveries": stats.failed_by,
        "records_in_log": sum(len(r) for _, _, r in log_now.values()), "consumed_by_group": len(stats.consumed),
        "queue_sent": len(stats.queue_sent), "queue_completed": len(stats.queue_completed),
        "queue_dead_lettered": len(stats.queue_dead_lettered), "queue_active_at_end": sum(active.values()),
        "queue_dead_letter_at_end": sum(dead.values()), "queue_cli_killed": stats.queue_cli_killed,
        "client_errors": stats.errors,
        "lost": len(violations["lost"]), "duplicates": len(violations["duplicates"]), "gaps": violations["gaps"],
        "consumed_not_in_log": len(violations["consumed_not_in_log"]), "queue_misplaced": len(violations["queue_misplaced"]),
        "examples": {k: [str(x) for x in list(val)[:5]] for k, val in violations.items() if val},
    }
    # A producer that never got an acknowledgement proves nothing: that is a failure too.
    silent = [who for who, n in stats.acked_by.items() if n == 0]
    summary["silent_producers"] = silent
    # So does a consumer group that read nothing.
    failed = bool(silent or summary["consumed_by_group"] == 0 or summary["lost"] or summary["duplicates"] or summary["gaps"] or summary["consumed_not_in_log"]
                  or summary["queue_misplaced"] or crashes or clean != 0)
    summary["result"] = "FAIL" if failed else "PASS"
    if args.json:
        print(json.dumps(summary))
    else:
        for k, val in summary.items():
            print(f"{k}: {val}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"kept {work}", file=sys.stderr)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
