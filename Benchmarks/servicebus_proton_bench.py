#!/usr/bin/env python3
"""AMQP 1.0 throughput and latency of `wharf serve`'s Service Bus listener with a compiled client:
python-qpid-proton (pip `python-qpid-proton==0.40.0`, the C library qpid-proton driven from Python).

Usage: servicebus_proton_bench.py CONNECTION_STRING QUEUE [COUNT] [RATE] [SECONDS] [PHASES]
(defaults 50000 1000 10 send,receive,latency)

Each connection authenticates as an SDK does (SASL ANONYMOUS, then a CBS put-token with a SAS
token signed by the connection string's key). Three phases on QUEUE (empty at the start):
  send     COUNT messages of 100 bytes on one link, up to 1,000 unsettled (Wharf settles each
           with `accepted` once stored), timed from the first send to the last `accepted`;
  receive  the same COUNT in PEEK_LOCK with a prefetch of 1,000, each completed (`accepted`,
           settled by the client) as it arrives, timed from attach to the last completion;
  latency  RATE messages/s for SECONDS, a receiver on another connection completing them; the
           delay from just before `send` to the message's arrival, p50/p99/max.
Prints one line per phase.
"""
import base64
import hashlib
import hmac
import sys
import time
import urllib.parse

from proton import Message
from proton.handlers import MessagingHandler
from proton.reactor import Container

conn_string, queue = sys.argv[1], sys.argv[2]
count = int(sys.argv[3]) if len(sys.argv) > 3 else 50_000
rate = int(sys.argv[4]) if len(sys.argv) > 4 else 1_000
seconds = int(sys.argv[5]) if len(sys.argv) > 5 else 10
phases = sys.argv[6].split(",") if len(sys.argv) > 6 else ["send", "receive", "latency"]

fields = dict(part.split("=", 1) for part in conn_string.strip(";").split(";") if "=" in part)
host_port = urllib.parse.urlparse(fields["Endpoint"]).netloc
url = "amqp://" + host_port
audience = "sb://%s/%s" % (host_port.split(":")[0], queue)


def sas_token(resource, key_name, key, ttl=3600):
    expiry = int(time.time()) + ttl
    sr = urllib.parse.quote(resource, safe="-_.~")
    sig = base64.b64encode(hmac.new(key.encode(), ("%s\n%d" % (sr, expiry)).encode(), hashlib.sha256).digest()).decode()
    return "SharedAccessSignature sr=%s&sig=%s&se=%d&skn=%s" % (sr, urllib.parse.quote(sig, safe="-_.~"), expiry, key_name)


class Authorized(MessagingHandler):
    """Opens `connections` connections, puts a token for the queue on each one's `$cbs`, then
    calls `ready(event)` once all are authorized (`self.conns` in order). Links are told apart
    by address (proton hands out new Python wrappers for the same link)."""

    def __init__(self, connections=1, prefetch=1_000):
        super().__init__(prefetch=prefetch, auto_accept=True)
        self.wanted, self.authorized = connections, 0

    def on_start(self, event):
        self.conns = [event.container.connect(url, allowed_mechs="ANONYMOUS") for _ in range(self.wanted)]
        for c in self.conns:
            event.container.create_sender(c, "$cbs")
            event.container.create_receiver(c, "$cbs")

    @staticmethod
    def is_cbs(link):
        return (link.target.address if link.is_sender else link.source.address) == "$cbs"

    def on_sendable(self, event):
        if not self.is_cbs(event.sender):
            return self.sendable(event)
        if event.sender.unsettled or getattr(event.sender, "token_sent", False):
            return
        event.sender.token_sent = True
        token = sas_token(audience, fields["SharedAccessKeyName"], fields["SharedAccessKey"])
        event.sender.send(Message(id="cbs", reply_to="$cbs", body=token, properties={
            "operation": "put-token", "type": "servicebus.windows.net:sastoken", "name": audience}))

    def on_message(self, event):
        if not self.is_cbs(event.receiver):
            return self.message(event)
        status = event.message.properties.get("status-code")
        if status not in (200, 202):
            raise SystemExit("put-token refused: %r" % event.message.properties)
        self.authorized += 1
        if self.authorized == self.wanted:
            self.ready(event)

    def close(self):
        for c in self.conns:
            c.close()

    def sendable(self, event):
        pass

    def message(self, event):
        pass


class Sender(Authorized):
    def __init__(self, n, body):
        super().__init__()
        self.n, self.body, self.sent, self.accepted, self.start = n, body, 0, 0, None

    def ready(self, event):
        self.sender = event.container.create_sender(self.conns[0], queue)

    def sendable(self, event):
        if self.start is None:
            self.start = time.perf_counter()
        while event.sender.credit > 0 and self.sent < self.n and self.sent - self.accepted < 1_000:
            event.sender.send(Message(body=self.body))
            self.sent += 1

    def on_accepted(self, event):
        if self.is_cbs(event.link):
            return  # the put-token request
        self.accepted += 1
        if self.accepted == self.n:
            self.elapsed = time.perf_counter() - self.start
            self.close()
        elif self.sent < self.n and self.sender.credit > 0:
            self.sendable(event)

    def on_rejected(self, event):
        raise SystemExit("a send was rejected: %r" % event.delivery.remote.condition)


class Receiver(Authorized):
    def __init__(self, n):
        super().__init__()
        self.n, self.got = n, 0

    def ready(self, event):
        self.start = time.perf_counter()
        event.container.create_receiver(self.conns[0], queue)

    def message(self, event):
        self.got += 1
        if self.got == self.n:
            self.elapsed = time.perf_counter() - self.start
            self.close()


class Latency(Authorized):
    """RATE msg/s carrying their send time on one connection; another receives and completes."""

    def __init__(self):
        super().__init__(connections=2, prefetch=100)
        self.delays, self.sent, self.total = [], 0, rate * seconds

    def ready(self, event):
        self.sender = event.container.create_sender(self.conns[0], queue)
        event.container.create_receiver(self.conns[1], queue)
        self.began = time.perf_counter() + 0.5
        event.container.schedule(0.5, self)

    def on_timer_task(self, event):
        # Keep to the schedule: by time t, RATE * t messages have gone.
        due = min(self.total, int((time.perf_counter() - self.began) * rate) + 1)
        while self.sent < due and self.sender.credit > 0:
            self.sender.send(Message(body=body, properties={"t": time.perf_counter()}))
            self.sent += 1
        if self.sent < self.total:
            event.container.schedule(0.001, self)

    def message(self, event):
        # float(): a broker without typed application properties hands the double back as text.
        self.delays.append(time.perf_counter() - float(event.message.properties["t"]))
        if len(self.delays) == self.total:
            self.close()


def run(handler):
    Container(handler).run()
    return handler


body = "x" * 100
if "send" in phases:
    s = run(Sender(count, body))
    print("send     %d messages in %.2f s: %.0f msg/s (one link, 1,000 unsettled)" % (count, s.elapsed, count / s.elapsed), flush=True)
if "receive" in phases:
    r = run(Receiver(count))
    print("receive  %d messages received and completed in %.2f s: %.0f msg/s (prefetch 1,000)" % (count, r.elapsed, count / r.elapsed), flush=True)
if "latency" in phases:
    lat = run(Latency())
    d = sorted(lat.delays)
    pct = lambda p: d[min(len(d) - 1, int(len(d) * p))] * 1000
    print("latency  %d messages at %d msg/s: p50 %.2f ms, p99 %.2f ms, max %.2f ms (send to arrival, receiver on another connection)"
          % (len(d), rate, pct(0.50), pct(0.99), d[-1] * 1000), flush=True)
