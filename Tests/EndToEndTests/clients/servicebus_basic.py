"""Azure Service Bus SDK (azure-servicebus 7.15.0) against `wharf serve`'s AMQP listener.

Usage: servicebus_basic.py CONNECTION_STRING QUEUE SCENARIO
Prints one line per check ("ok <what>") and exits non-zero on the first failure.
"""
import sys
import time
import datetime

from azure.servicebus import ServiceBusClient, ServiceBusMessage, ServiceBusSubQueue, ServiceBusReceiveMode
from azure.servicebus.amqp import AmqpAnnotatedMessage
from azure.servicebus.exceptions import ServiceBusAuthenticationError, ServiceBusAuthorizationError, ServiceBusError

conn, queue, scenario = sys.argv[1], sys.argv[2], sys.argv[3]


def check(cond, what):
    if not cond:
        print("FAIL", what, flush=True)
        sys.exit(1)
    print("ok", what, flush=True)


def receive_one(client, **kw):
    with client.get_queue_receiver(queue, max_wait_time=5, **kw) as r:
        got = r.receive_messages(max_message_count=1, max_wait_time=5)
        return r, got


with ServiceBusClient.from_connection_string(conn, logging_enable=False) as client:
    if scenario == "send-receive-complete":
        with client.get_queue_sender(queue) as s:
            s.send_messages(ServiceBusMessage("hello", message_id="m-1", subject="greeting",
                                              application_properties={"k": "v"}))
            s.send_messages([ServiceBusMessage("b1"), ServiceBusMessage("b2")])
            batch = s.create_message_batch()
            batch.add_message(ServiceBusMessage("b3"))
            s.send_messages(batch)
        check(True, "sent single, list and batch")
        with client.get_queue_receiver(queue, max_wait_time=5) as r:
            got = []
            locked = []
            deadline = time.time() + 20
            while len(got) < 4 and time.time() < deadline:
                for m in r.receive_messages(max_message_count=10, max_wait_time=5):
                    got.append(m)
                    locked.append(m.locked_until_utc is not None and m.lock_token is not None)
                    r.complete_message(m)
            bodies = [str(m) for m in got]
            check(bodies == ["hello", "b1", "b2", "b3"], "received in order: %s" % bodies)
            first = got[0]
            check(first.message_id == "m-1" and first.subject == "greeting", "message id and subject kept")
            check(first.application_properties.get(b"k") == b"v", "application property kept: %r" % first.application_properties)
            check(first.sequence_number == 1 and first.delivery_count == 0, "sequence number %s, delivery count %s" % (first.sequence_number, first.delivery_count))
            check(all(locked) and first.enqueued_time_utc is not None, "lock token, lock and enqueue times present")
            check(r.receive_messages(max_message_count=1, max_wait_time=2) == [], "queue empty after complete")

    elif scenario == "abandon-deadletter":
        with client.get_queue_sender(queue) as s:
            s.send_messages(ServiceBusMessage("poison"))
            s.send_messages(ServiceBusMessage("bad"))
        with client.get_queue_receiver(queue, max_wait_time=5) as r:
            counts = []
            for _ in range(3):
                (m,) = r.receive_messages(max_message_count=1, max_wait_time=5)
                check(str(m) == "poison", "got poison again")
                counts.append(m.delivery_count)
                r.abandon_message(m)
            check(counts == [0, 1, 2], "abandon raised the delivery count: %s" % counts)
            (m,) = r.receive_messages(max_message_count=1, max_wait_time=5)
            check(str(m) == "bad", "poison left after max delivery count")
            r.dead_letter_message(m, reason="r", error_description="d")
        with client.get_queue_receiver(queue, sub_queue=ServiceBusSubQueue.DEAD_LETTER, max_wait_time=5) as dlq:
            got = dlq.receive_messages(max_message_count=10, max_wait_time=5)
            reasons = {str(m): (m.dead_letter_reason, m.dead_letter_error_description) for m in got}
            check(reasons.get("poison", (None,))[0] == "MaxDeliveryCountExceeded", "poison dead-lettered: %s" % reasons)
            check(reasons.get("bad") == ("r", "d"), "reason and description kept: %s" % reasons)
            for m in got:
                dlq.complete_message(m)

    elif scenario == "defer-peek-receive-and-delete":
        with client.get_queue_sender(queue) as s:
            s.send_messages([ServiceBusMessage("d1"), ServiceBusMessage("p2"), ServiceBusMessage("p3")])
        with client.get_queue_receiver(queue, max_wait_time=5) as r:
            (m,) = r.receive_messages(max_message_count=1, max_wait_time=5)
            seq = m.sequence_number
            r.defer_message(m)
            # The SDK peeks from the sequence number after the last one it received or peeked.
            peeked = r.peek_messages(max_message_count=1)
            check([str(p) for p in peeked] == ["p2"], "peek page 1: %s" % [str(p) for p in peeked])
            more = r.peek_messages(max_message_count=5)
            check([str(p) for p in more] == ["p3"], "peek page 2: %s" % [str(p) for p in more])
            (first,) = r.peek_messages(max_message_count=1, sequence_number=seq)
            check(str(first) == "d1" and first.state == 1, "a deferred message peeks as deferred: state %s" % first.state)
            (d,) = r.receive_deferred_messages([seq])
            check(str(d) == "d1", "deferred message received by sequence number")
            r.complete_message(d)
        with client.get_queue_receiver(queue, receive_mode=ServiceBusReceiveMode.RECEIVE_AND_DELETE, max_wait_time=5) as r:
            got = []
            deadline = time.time() + 15
            while len(got) < 2 and time.time() < deadline:
                got += r.receive_messages(max_message_count=5, max_wait_time=3)
            check(sorted(str(m) for m in got) == ["p2", "p3"], "receive-and-delete got %s" % [str(m) for m in got])
        with client.get_queue_receiver(queue, max_wait_time=2) as r:
            check(r.peek_messages(max_message_count=5) == [], "nothing left")

    elif scenario == "schedule-renew":
        with client.get_queue_sender(queue) as s:
            when = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=3)
            (seq,) = s.schedule_messages(ServiceBusMessage("later"), when)
            (seq2,) = s.schedule_messages(ServiceBusMessage("never"), when)
            s.cancel_scheduled_messages(seq2)
            s.send_messages(ServiceBusMessage("soon", scheduled_enqueue_time_utc=when))
        with client.get_queue_receiver(queue, max_wait_time=5) as r:
            peeked = r.peek_messages(max_message_count=10)
            check(sorted(str(p) for p in peeked) == ["later", "soon"], "scheduled visible to peek, cancelled gone: %s" % [str(p) for p in peeked])
            check(r.receive_messages(max_message_count=1, max_wait_time=1) == [], "nothing before the scheduled time")
            got = []
            deadline = time.time() + 20
            while len(got) < 2 and time.time() < deadline:
                got += r.receive_messages(max_message_count=2, max_wait_time=3)
            check(sorted(str(m) for m in got) == ["later", "soon"], "delivered at the scheduled time")
            before = got[0].locked_until_utc
            time.sleep(1.1)
            after = r.renew_message_lock(got[0])
            check(after > before, "lock renewed: %s -> %s" % (before, after))
            for m in got:
                r.complete_message(m)

    elif scenario == "sessions":
        from azure.servicebus import NEXT_AVAILABLE_SESSION
        with client.get_queue_sender(queue) as s:
            s.send_messages([ServiceBusMessage("s1-a", session_id="S1"), ServiceBusMessage("s2-a", session_id="S2"),
                             ServiceBusMessage("s1-b", session_id="S1")])
        with client.get_queue_receiver(queue, session_id="S1", max_wait_time=5) as r:
            check(r.session.session_id == "S1", "named session accepted")
            got = []
            deadline = time.time() + 15
            while len(got) < 2 and time.time() < deadline:
                got += r.receive_messages(max_message_count=5, max_wait_time=3)
            check([str(m) for m in got] == ["s1-a", "s1-b"] and all(m.session_id == "S1" for m in got),
                  "only S1's messages, in order: %s" % [str(m) for m in got])
            r.session.set_state(b"progress")
            check(r.session.get_state() == b"progress", "session state kept")
            before = r.session.locked_until_utc
            time.sleep(1.1)
            r.session.renew_lock()
            check(r.session.locked_until_utc > before, "session lock renewed")
            for m in got:
                r.complete_message(m)
        with client.get_queue_receiver(queue, session_id=NEXT_AVAILABLE_SESSION, max_wait_time=5) as r:
            check(r.session.session_id == "S2", "next available session is S2: %s" % r.session.session_id)
            (m,) = r.receive_messages(max_message_count=1, max_wait_time=5)
            check(str(m) == "s2-a", "S2's message")
            r.complete_message(m)
        try:
            with client.get_queue_receiver(queue, max_wait_time=5) as r:
                r.receive_messages(max_message_count=1, max_wait_time=2)
            check(False, "a non-session receiver on a session queue must fail")
        except Exception as e:
            check(True, "non-session receiver refused: %s" % type(e).__name__)

    elif scenario == "ttl":
        with client.get_queue_sender(queue) as s:
            s.send_messages(ServiceBusMessage("short", time_to_live=datetime.timedelta(seconds=2)))
        time.sleep(3)
        with client.get_queue_receiver(queue, max_wait_time=2) as r:
            check(r.receive_messages(max_message_count=1, max_wait_time=2) == [], "expired message not delivered")
        with client.get_queue_receiver(queue, sub_queue=ServiceBusSubQueue.DEAD_LETTER, max_wait_time=5) as dlq:
            got = dlq.receive_messages(max_message_count=1, max_wait_time=5)
            check(len(got) == 1 and got[0].dead_letter_reason == "TTLExpiredException", "expired message dead-lettered: %s" %
                  [(str(m), m.dead_letter_reason) for m in got])
            dlq.complete_message(got[0])

    elif scenario == "size":
        from azure.servicebus.exceptions import MessageSizeExceededError
        big = "x" * (200 * 1024)
        with client.get_queue_sender(queue) as s:
            s.send_messages(ServiceBusMessage(big))
            try:
                s.send_messages(ServiceBusMessage("y" * (256 * 1024 + 1)))
                check(False, "a message over the limit must be refused")
            except MessageSizeExceededError:
                check(True, "256 KB + 1 refused with MessageSizeExceededError")
        with client.get_queue_receiver(queue, max_wait_time=5) as r:
            (m,) = r.receive_messages(max_message_count=1, max_wait_time=5)
            check(str(m) == big, "200 KB message round-trips (%d bytes)" % len(str(m)))
            r.complete_message(m)

    elif scenario == "many-clients":
        import threading
        errors = []
        def one(i):
            try:
                with ServiceBusClient.from_connection_string(conn) as c:
                    with c.get_queue_sender(queue) as s:
                        s.send_messages(ServiceBusMessage("c%d" % i))
            except Exception as e:
                errors.append(repr(e))
        threads = [threading.Thread(target=one, args=(i,)) for i in range(20)]
        for t in threads: t.start()
        for t in threads: t.join()
        check(errors == [], "20 concurrent clients sent: %s" % errors[:2])
        with client.get_queue_receiver(queue, receive_mode=ServiceBusReceiveMode.RECEIVE_AND_DELETE, max_wait_time=5) as r:
            got = []
            deadline = time.time() + 20
            while len(got) < 20 and time.time() < deadline:
                got += r.receive_messages(max_message_count=20, max_wait_time=3)
            check(sorted(str(m) for m in got) == sorted("c%d" % i for i in range(20)), "all 20 received (%d)" % len(got))

    elif scenario == "fifty-clients":
        # QUEUE names a queue and a topic "QUEUE-topic" with subscriptions "all" (true rule) and
        # "red" (color = 'red'). 50 clients, each its own connection, at once: 15 queue senders,
        # 10 queue receivers, 15 topic senders, 5 receivers on "all", 5 on "red". Receivers of one
        # entity compete; every message must be delivered exactly once to its entity.
        import threading
        per_sender = 10
        topic = queue + "-topic"
        want_queue = {"q-%d-%d" % (i, j) for i in range(15) for j in range(per_sender)}
        want_all = {"t-%d-%d" % (i, j) for i in range(15) for j in range(per_sender)}
        want_red = {m for m in want_all if int(m.split("-")[2]) % 2 == 0}
        got = {"queue": [], "all": [], "red": []}
        want = {"queue": want_queue, "all": want_all, "red": want_red}
        lock = threading.Lock()
        errors = []
        start = threading.Barrier(50)
        deadline = time.time() + 90

        def sender(i, to_topic):
            try:
                with ServiceBusClient.from_connection_string(conn) as c:
                    s = c.get_topic_sender(topic) if to_topic else c.get_queue_sender(queue)
                    with s:
                        start.wait()
                        for j in range(per_sender):
                            body = ("t-%d-%d" if to_topic else "q-%d-%d") % (i, j)
                            s.send_messages(ServiceBusMessage(body, application_properties={"color": "red" if j % 2 == 0 else "blue"}))
            except Exception as e:
                errors.append("sender %d: %r" % (i, e))

        def receiver(which):
            try:
                with ServiceBusClient.from_connection_string(conn) as c:
                    r = c.get_queue_receiver(queue, max_wait_time=2) if which == "queue" else \
                        c.get_subscription_receiver(topic, which, max_wait_time=2)
                    with r:
                        start.wait()
                        while time.time() < deadline:
                            with lock:
                                if len(got[which]) >= len(want[which]):
                                    return
                            for m in r.receive_messages(max_message_count=10, max_wait_time=2):
                                r.complete_message(m)
                                with lock:
                                    got[which].append(str(m))
            except Exception as e:
                errors.append("receiver %s: %r" % (which, e))

        threads = [threading.Thread(target=sender, args=(i, False)) for i in range(15)]
        threads += [threading.Thread(target=sender, args=(i, True)) for i in range(15)]
        threads += [threading.Thread(target=receiver, args=("queue",)) for _ in range(10)]
        threads += [threading.Thread(target=receiver, args=(w,)) for w in ["all"] * 5 + ["red"] * 5]
        check(len(threads) == 50, "50 clients")
        for t in threads: t.start()
        for t in threads: t.join()
        check(errors == [], "no client failed: %s" % errors[:3])
        for which in ("queue", "all", "red"):
            dupes = len(got[which]) - len(set(got[which]))
            check(dupes == 0 and set(got[which]) == want[which],
                  "%s: %d delivered, %d duplicates, %d missing" % (which, len(got[which]), dupes, len(want[which] - set(got[which]))))
        for name, r in (("queue", client.get_queue_receiver(queue, max_wait_time=1)),
                        ("all", client.get_subscription_receiver(topic, "all", max_wait_time=1)),
                        ("red", client.get_subscription_receiver(topic, "red", max_wait_time=1))):
            with r:
                check(r.receive_messages(max_message_count=1, max_wait_time=1) == [], "%s has nothing left" % name)

    elif scenario == "connection-limit":
        # The server allows 3 AMQP connections; `client` holds none until it sends. Three clients
        # hold a connection each; a fourth is refused with the AMQP error, the three keep working,
        # and once one leaves a new client gets in.
        from azure.servicebus.exceptions import ServiceBusError
        held = []
        for i in range(3):
            c = ServiceBusClient.from_connection_string(conn)
            s = c.get_queue_sender(queue)
            s.__enter__()
            s.send_messages(ServiceBusMessage("held-%d" % i))
            held.append((c, s))
        check(True, "three clients connected and sent")
        try:
            with ServiceBusClient.from_connection_string(conn, retry_total=0) as c:
                with c.get_queue_sender(queue) as s:
                    s.send_messages(ServiceBusMessage("fourth"))
            check(False, "the fourth connection must be refused")
        except ServiceBusError as e:
            text = repr(e) + " " + str(getattr(e, "inner_exception", ""))
            check("resource-limit-exceeded" in text or "connection limit" in text,
                  "the fourth connection is refused with the AMQP error: %s" % text[:300])
        for i, (c, s) in enumerate(held):
            s.send_messages(ServiceBusMessage("again-%d" % i))
        check(True, "the three held clients still send")
        c, s = held.pop()
        s.__exit__(None, None, None)
        c.close()
        time.sleep(0.5)
        with ServiceBusClient.from_connection_string(conn, retry_total=0) as c2:
            with c2.get_queue_receiver(queue, receive_mode=ServiceBusReceiveMode.RECEIVE_AND_DELETE, max_wait_time=3) as r:
                got = []
                deadline = time.time() + 15
                while len(got) < 6 and time.time() < deadline:
                    got += [str(m) for m in r.receive_messages(max_message_count=10, max_wait_time=2)]
        check(sorted(got) == sorted(["held-0", "held-1", "held-2", "again-0", "again-1", "again-2"]),
              "a new client got in after one left and received all six: %s" % got)
        for c, s in held:
            s.__exit__(None, None, None)
            c.close()

    elif scenario in ("typed-properties", "typed-deadlettered", "typed-requeued"):
        # Application properties of every type the SDK sends come back with their type: through
        # receive, defer, dead-letter and (second run, after `wharf queue requeue` or the
        # dashboard's requeue) requeue, and through topic fan-out, where a SQL filter compares
        # them as numbers and booleans (typed-deadlettered: the queue part only).
        import uuid
        from azure.servicebus._pyamqp.types import TYPE, VALUE
        u = uuid.UUID("6d0a3c3e-8f0a-4b9e-9c1e-2b3c4d5e6f70")
        when = datetime.datetime(2026, 12, 6, 12, 0, 0, 123000, tzinfo=datetime.timezone.utc)
        # (The SDK sends a bytes value as a UTF-8 string, so binary is covered with raw frames only.)
        sent = {"s": "text", "i": 42, "big": {TYPE: "LONG", VALUE: 2 ** 40}, "d": 2.5, "b": True, "u": u,
                "t": when, "sh": {TYPE: "SHORT", VALUE: -7}, "by": {TYPE: "BYTE", VALUE: 5}}
        want = {b"s": b"text", b"i": 42, b"big": 2 ** 40, b"d": 2.5, b"b": True, b"u": u,
                b"t": int(when.timestamp() * 1000), b"sh": -7, b"by": 5}

        def same(m, what, extra=()):
            props = dict(m.application_properties or {})
            for k in extra:
                props.pop(k, None)
            check(props == want, "%s: properties with their types %r" % (what, props))

        if scenario in ("typed-properties", "typed-deadlettered"):
            with client.get_queue_sender(queue) as s:
                s.send_messages(ServiceBusMessage("typed", application_properties=sent))
            with client.get_queue_receiver(queue, max_wait_time=5) as r:
                (m,) = r.receive_messages(max_message_count=1, max_wait_time=5)
                same(m, "received")
                seq = m.sequence_number
                r.defer_message(m)
                (m,) = r.receive_deferred_messages([seq])
                same(m, "deferred")
                r.dead_letter_message(m, reason="typed-reason", error_description="d")
            with client.get_queue_receiver(queue, sub_queue=ServiceBusSubQueue.DEAD_LETTER, max_wait_time=5) as dlq:
                (m,) = dlq.peek_messages(max_message_count=1)
                same(m, "dead-lettered (peeked)", extra=(b"DeadLetterReason", b"DeadLetterErrorDescription"))
                check(m.dead_letter_reason == "typed-reason", "dead-letter reason %r" % m.dead_letter_reason)
        if scenario == "typed-properties":
            topic = queue + "-topic"
            with client.get_topic_sender(topic) as s:
                s.send_messages(ServiceBusMessage("typed", application_properties=sent))
            for sub, expected in (("all", 1), ("num", 1), ("like", 0)):
                with client.get_subscription_receiver(topic, sub, max_wait_time=3) as r:
                    got = r.receive_messages(max_message_count=5, max_wait_time=3)
                    check(len(got) == expected, "subscription %s got %d" % (sub, len(got)))
                    for m in got:
                        same(m, "fan-out to " + sub)
                        r.complete_message(m)
        if scenario == "typed-requeued":
            with client.get_queue_receiver(queue, max_wait_time=5) as r:
                (m,) = r.receive_messages(max_message_count=1, max_wait_time=5)
                same(m, "requeued from the dead-letter queue", extra=(b"requeue-count",))
                check(m.application_properties.get(b"requeue-count") == b"1", "requeue-count %r" % m.application_properties)
                r.complete_message(m)

    elif scenario == "send-one":
        with client.get_queue_sender(queue) as s:
            s.send_messages(ServiceBusMessage("one"))
        with client.get_queue_receiver(queue, receive_mode=ServiceBusReceiveMode.RECEIVE_AND_DELETE, max_wait_time=5) as r:
            got = r.receive_messages(max_message_count=1, max_wait_time=5)
            check([str(m) for m in got] == ["one"], "sent and received one message")

    elif scenario == "send-and-lock":
        # Leaves the message locked (peek-lock, never settled) on an open connection until the
        # crash test has killed the broker (and then this process).
        with client.get_queue_sender(queue) as s:
            s.send_messages(ServiceBusMessage("locked", application_properties={"k": "v"}))
        r = client.get_queue_receiver(queue, max_wait_time=5)
        r.__enter__()
        (m,) = r.receive_messages(max_message_count=1, max_wait_time=5)
        check(str(m) == "locked" and m.delivery_count == 0, "received and holding the lock")
        while True:
            time.sleep(1)

    elif scenario == "redelivered":
        with client.get_queue_receiver(queue, max_wait_time=5) as r:
            got = r.receive_messages(max_message_count=1, max_wait_time=10)
            check([str(m) for m in got] == ["locked"], "redelivered after the restart")
            # The delivery interrupted by the crash counts (the engine journals lock grants).
            check(got[0].delivery_count == 1, "delivery count raised to %s" % got[0].delivery_count)
            check(got[0].application_properties.get(b"k") == b"v", "properties kept")
            r.complete_message(got[0])

    elif scenario == "topic-filters":
        # QUEUE is a topic with the subscriptions ServiceBusTopicSDKTests creates: all ($Default),
        # red (SQL), billing (correlation), small (SQL LIKE on sys.Label), none (1=0).
        with client.get_topic_sender(queue) as s:
            s.send_messages(ServiceBusMessage("red-big", application_properties={"color": "red", "quantity": 9}))
            s.send_messages(ServiceBusMessage("eu-bill", to="billing", correlation_id="c-1", application_properties={"region": "eu"}))
            s.send_messages([ServiceBusMessage("red-small", subject="small-order", application_properties={"color": "red", "quantity": 2})])
        check(True, "sent three messages to the topic")
        expected = {"all": ["red-big", "eu-bill", "red-small"], "red": ["red-big"], "billing": ["eu-bill"],
                    "small": ["red-small"], "none": []}
        for sub, want in expected.items():
            with client.get_subscription_receiver(queue, sub, max_wait_time=3) as r:
                got = []
                deadline = time.time() + 15
                while len(got) < len(want) and time.time() < deadline:
                    for m in r.receive_messages(max_message_count=10, max_wait_time=3):
                        got.append(m)
                        if sub == "red":
                            r.dead_letter_message(m, reason="too-red", error_description="d")
                        else:
                            r.complete_message(m)
                check([str(m) for m in got] == want, "subscription %s got %s" % (sub, [str(m) for m in got]))
                check(r.receive_messages(max_message_count=1, max_wait_time=1) == [], "subscription %s has nothing more" % sub)
        with client.get_subscription_receiver(queue, "red", sub_queue=ServiceBusSubQueue.DEAD_LETTER, max_wait_time=5) as dlq:
            got = dlq.receive_messages(max_message_count=5, max_wait_time=5)
            check([(str(m), m.dead_letter_reason) for m in got] == [("red-big", "too-red")], "the subscription's own dead-letter queue")
            for m in got:
                dlq.complete_message(m)
        try:
            with client.get_subscription_receiver(queue, "missing", max_wait_time=2) as r:
                r.receive_messages(max_message_count=1, max_wait_time=2)
            check(False, "a missing subscription must be refused")
        except Exception as e:
            check(True, "a missing subscription is refused (%s)" % type(e).__name__)

    elif scenario == "emulator-config":
        # QUEUE is ignored: the entities come from Tests/EndToEndTests/servicebus/Config.json.
        with client.get_queue_sender("queue.1") as s:
            s.send_messages(ServiceBusMessage("q"))
        with client.get_queue_receiver("queue.1", max_wait_time=5) as r:
            got = r.receive_messages(max_message_count=1, max_wait_time=5)
            check([str(m) for m in got] == ["q"], "queue.1 from Config.json works")
            r.complete_message(got[0])
        with client.get_topic_sender("topic.1") as s:
            s.send_messages(ServiceBusMessage("corr", content_type="application/text", correlation_id="id1", subject="subject1",
                                              message_id="msgid1", reply_to="someQueue", reply_to_session_id="sessionId",
                                              session_id="session1", to="xyz"))
            s.send_messages(ServiceBusMessage("user", application_properties={"prop3": "value3"}))
            s.send_messages(ServiceBusMessage("sql", message_id="123456", application_properties={"userProp1": "value1"}))
        expected = {"subscription.1": ["corr"], "subscription.2": ["user"], "subscription.3": ["corr", "user", "sql"],
                    "subscription.4": ["sql"]}
        for sub, want in expected.items():
            with client.get_subscription_receiver("topic.1", sub, max_wait_time=3) as r:
                got = []
                deadline = time.time() + 15
                while len(got) < len(want) and time.time() < deadline:
                    for m in r.receive_messages(max_message_count=10, max_wait_time=3):
                        got.append(m)
                        r.complete_message(m)
                check([str(m) for m in got] == want, "%s got %s" % (sub, [str(m) for m in got]))
                if sub == "subscription.4":
                    # The sample's rule action `SET sys.To = 'Entity'` applies to this copy only.
                    check(got[0].to == "Entity", "subscription.4's rule action set To: %r" % got[0].to)
                if sub == "subscription.3":
                    check([m.to for m in got] == ["xyz", None, None], "other copies keep To: %r" % [m.to for m in got])

    elif scenario == "listen-only":
        # The connection string's key has only the Listen right: sending is refused with the
        # SDK's authorization error; receiving works.
        try:
            with client.get_queue_sender(queue) as s:
                s.send_messages(ServiceBusMessage("x"))
            check(False, "a Listen-only key must not send")
        except ServiceBusAuthorizationError as e:
            check("'Send' claim" in str(e), "send refused with ServiceBusAuthorizationError: %s" % e)
        with client.get_queue_receiver(queue, max_wait_time=5) as r:
            got = r.receive_messages(max_message_count=1, max_wait_time=5)
            check([str(m) for m in got] == ["for-listener"], "a Listen-only key receives")
            r.complete_message(got[0])

    elif scenario == "send-only":
        with client.get_queue_sender(queue) as s:
            s.send_messages(ServiceBusMessage("for-listener"))
        check(True, "a Send-only key sends")
        try:
            with client.get_queue_receiver(queue, max_wait_time=3) as r:
                r.receive_messages(max_message_count=1, max_wait_time=3)
            check(False, "a Send-only key must not receive")
        except ServiceBusAuthorizationError as e:
            check("'Listen' claim" in str(e), "receive refused with ServiceBusAuthorizationError: %s" % e)

    elif scenario == "partition-key":
        # x-opt-partition-key: kept on single, batched and scheduled sends, returned by peek,
        # receive and the dead-letter queue; one that differs from the session id is refused
        # (the SDK itself refuses that combination, so it goes as a raw annotated message).
        from azure.servicebus.amqp import AmqpAnnotatedMessage
        from azure.servicebus.exceptions import ServiceBusError
        with client.get_queue_sender(queue) as s:
            s.send_messages(ServiceBusMessage("keyed", partition_key="pk-1"))
            s.send_messages([ServiceBusMessage("batched", partition_key="pk-2"), ServiceBusMessage("unkeyed")])
            s.send_messages(ServiceBusMessage("with-session", session_id="S", partition_key="S"))
            when = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=1)
            s.schedule_messages(ServiceBusMessage("scheduled", partition_key="pk-3"), when)
            try:
                s.send_messages(AmqpAnnotatedMessage(data_body=b"mismatch", annotations={"x-opt-partition-key": "a"},
                                                     properties={"group_id": "b"}))
                check(False, "a partition key other than the session id must be refused")
            except ServiceBusError as e:
                check("differs from the session id" in str(e), "a partition key other than the session id refused: %s" % e)
        expected = {"keyed": "pk-1", "batched": "pk-2", "unkeyed": None, "with-session": "S", "scheduled": "pk-3"}
        with client.get_queue_receiver(queue, max_wait_time=5) as r:
            peeked = r.peek_messages(max_message_count=10)
            check({str(m): m.partition_key for m in peeked} == expected, "peek returns the partition keys: %s" % {str(m): m.partition_key for m in peeked})
            got = []
            deadline = time.time() + 20
            while len(got) < 5 and time.time() < deadline:
                got += r.receive_messages(max_message_count=10, max_wait_time=3)
            check({str(m): m.partition_key for m in got} == expected, "receive returns the partition keys: %s" % {str(m): m.partition_key for m in got})
            for m in got:
                if str(m) == "keyed":
                    r.dead_letter_message(m, reason="r")
                else:
                    r.complete_message(m)
        with client.get_queue_receiver(queue, sub_queue=ServiceBusSubQueue.DEAD_LETTER, max_wait_time=5) as dlq:
            (m,) = dlq.receive_messages(max_message_count=1, max_wait_time=5)
            check(str(m) == "keyed" and m.partition_key == "pk-1", "the dead-letter queue keeps it: %s" % m.partition_key)
            dlq.complete_message(m)

    elif scenario == "idle":
        # Acceptance row 14 with `wharf serve --amqp-idle-timeout-ms 4000`: Wharf closes a client
        # silent for 8 s. A sender whose keep-alive wakes every second (pyamqp writes an empty
        # frame when it wakes past half Wharf's idle-time-out; the default wakes every 30 s) and
        # a receiver with the default prefetch (its keep-alive wakes every 5 s) sit idle for 12 s,
        # then send and receive on the same connections; a sender whose keep-alive is off finds
        # its connection closed by Wharf (the timeout is real).
        from azure.servicebus._pyamqp.constants import ConnectionState
        with client.get_queue_sender(queue, keep_alive=None) as silent, client.get_queue_sender(queue, keep_alive=1) as s, \
                client.get_queue_receiver(queue, max_wait_time=5) as r:
            s.send_messages(ServiceBusMessage("before"))
            (m,) = r.receive_messages(max_message_count=1, max_wait_time=5)
            r.complete_message(m)
            sender_conn, receiver_conn, silent_conn = s._handler._connection, r._handler._connection, silent._handler._connection
            time.sleep(12)
            check(sender_conn.state == ConnectionState.OPENED and receiver_conn.state == ConnectionState.OPENED,
                  "both connections open after 12 s idle: %s %s" % (sender_conn.state, receiver_conn.state))
            s.send_messages(ServiceBusMessage("after"))
            got = r.receive_messages(max_message_count=1, max_wait_time=5)
            check([str(m) for m in got] == ["after"], "sent and received after the idle period: %s" % [str(m) for m in got])
            r.complete_message(got[0])
            check(s._handler._connection is sender_conn and r._handler._connection is receiver_conn, "on the same connections: %s %s" % (s._handler._connection is sender_conn, r._handler._connection is receiver_conn))
            # The SDK notices the closed socket on its next send, reconnects and sends.
            silent.send_messages(ServiceBusMessage("silent"))
            check(silent._handler._connection is not silent_conn, "Wharf closed the silent connection (the SDK reconnected)")
            got = r.receive_messages(max_message_count=1, max_wait_time=5)
            check([str(m) for m in got] == ["silent"], "its message arrived: %s" % [str(m) for m in got])
            r.complete_message(got[0])

    elif scenario == "auto-lock-renew":
        # Acceptance row 11: the SDK's AutoLockRenewer keeps a lock for over three lock durations
        # (the queue's is 3 s), and the message is completed at the end.
        from azure.servicebus import AutoLockRenewer
        with client.get_queue_sender(queue) as s:
            s.send_messages(ServiceBusMessage("renewed"))
        renewer = AutoLockRenewer()
        with client.get_queue_receiver(queue, max_wait_time=5) as r:
            (m,) = r.receive_messages(max_message_count=1, max_wait_time=5)
            first = m.locked_until_utc
            renewer.register(r, m, max_lock_renewal_duration=60)
            time.sleep(10)
            check(m.locked_until_utc - first > datetime.timedelta(seconds=6),
                  "lock renewed past three lock durations: %s -> %s" % (first, m.locked_until_utc))
            r.complete_message(m)
            check(True, "completed after 10 s under a 3 s lock")
            check(r.receive_messages(max_message_count=1, max_wait_time=2) == [], "never redelivered")
        renewer.close()

    elif scenario == "batch-all-or-nothing":
        # The SDK checks a ServiceBusMessage's session id, not the raw AMQP properties: this one
        # reaches Wharf with a 129-character session id, which Service Bus refuses.
        bad = AmqpAnnotatedMessage(data_body=b"bad", properties={"group_id": "s" * 129})
        refused = None
        with client.get_queue_sender(queue) as s:
            try:
                s.send_messages([ServiceBusMessage("a1"), bad, ServiceBusMessage("a2")])
            except ServiceBusError as e:
                refused = e
            check(refused is not None, "the batch with one bad message was refused: %r" % refused)
            s.send_messages([ServiceBusMessage("b1"), ServiceBusMessage("b2")])
        with client.get_queue_receiver(queue, max_wait_time=5) as r:
            got = []
            deadline = time.time() + 20
            while len(got) < 2 and time.time() < deadline:
                for m in r.receive_messages(max_message_count=10, max_wait_time=5):
                    got.append(str(m))
                    r.complete_message(m)
            check(got == ["b1", "b2"], "nothing of the refused batch was stored, all of the next one: %s" % got)
            check(r.receive_messages(max_message_count=1, max_wait_time=2) == [], "queue empty after complete")

    elif scenario == "wrong-key":
        try:
            with client.get_queue_sender(queue) as s:
                s.send_messages(ServiceBusMessage("x"))
            check(False, "send with a wrong key must fail")
        except ServiceBusAuthenticationError as e:
            check(True, "refused with ServiceBusAuthenticationError")
    elif scenario == "send-acknowledged":
        # Eight clients send at once, each one message at a time, and print each message id once
        # its send returned (the broker acknowledged it), until the broker is killed.
        import threading
        printing = threading.Lock()
        def one(t):
            with ServiceBusClient.from_connection_string(conn) as c:
                with c.get_queue_sender(queue) as s:
                    i = 0
                    while True:
                        mid = "t%d-%d" % (t, i)
                        s.send_messages(ServiceBusMessage(mid, message_id=mid))
                        with printing:
                            print("acked", mid, flush=True)
                        i += 1
        threads = [threading.Thread(target=one, args=(t,), daemon=True) for t in range(8)]
        for t in threads: t.start()
        for t in threads: t.join()

    elif scenario == "receive-all":
        # Every message of the queue, received and deleted: one line "ids ..." (space-separated bodies).
        got = []
        with client.get_queue_receiver(queue, receive_mode=ServiceBusReceiveMode.RECEIVE_AND_DELETE, max_wait_time=5) as r:
            while True:
                batch = r.receive_messages(max_message_count=200, max_wait_time=3)
                if not batch:
                    break
                got += [str(m) for m in batch]
        print("ids", " ".join(got), flush=True)

    else:
        check(False, "unknown scenario " + scenario)
