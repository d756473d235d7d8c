"""Persistent subscriptions of kurrentdbclient (pinned in .ci/run) against `wharf serve`'s gRPC
listener. One scenario per run:

    python3 esdb_persistent.py URI SCENARIO [STATE_FILE]

Each check prints "ok ..." or raises (the test fails on a non-zero exit or a missing "ok").
"""
import json
import os
import socket
import sys
import threading
import time
import uuid

from kurrentdbclient import KurrentDBClient, NewEvent, StreamState
from kurrentdbclient.exceptions import (AlreadyExistsError, InternalError, MaximumSubscriptionsReachedError,
                                        NotFoundError)

uri, scenario = sys.argv[1], sys.argv[2]
state_file = sys.argv[3] if len(sys.argv) > 3 else None
client = KurrentDBClient(uri=uri)


def new_stream(prefix="order"):
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def append(stream, count, kind="OrderPlaced", first=0):
    events = [NewEvent(type=kind, data=json.dumps({"n": first + i}).encode()) for i in range(count)]
    client.append_to_stream(stream, current_version=StreamState.ANY, events=events)
    return [e.id for e in events]


def n_of(event):
    return json.loads(event.data)["n"]


def expect_raises(exc, fn, what):
    try:
        fn()
    except exc:
        print(f"ok {what} raised {exc.__name__}")
        return
    raise AssertionError(f"{what}: expected {exc.__name__}")


def take(subscription, count, deadline=20):
    """The next `count` events of a subscription (each read blocks until one arrives)."""
    out = []
    stop = time.monotonic() + deadline
    for event in subscription:
        out.append(event)
        if len(out) == count:
            return out
        assert time.monotonic() < stop, f"only {len(out)} of {count} events before the deadline"
    raise AssertionError(f"the subscription ended after {len(out)} of {count} events")


def ack_nack_park_replay():
    s = new_stream()
    client.create_subscription_to_stream("workers", s)
    append(s, 5)
    sub = client.read_subscription_to_stream("workers", s)
    assert sub.subscription_id == f"{s}::workers", sub.subscription_id
    first = take(sub, 5)
    assert [n_of(e) for e in first] == [0, 1, 2, 3, 4], [n_of(e) for e in first]
    assert all(e.retry_count == 0 for e in first), [e.retry_count for e in first]
    sub.ack(first[0])
    sub.nack(first[1], action="retry")
    sub.nack(first[2], action="park")
    sub.nack(first[3], action="skip")
    sub.ack(first[4])
    again = take(sub, 1)[0]
    assert n_of(again) == 1 and again.retry_count == 1, (n_of(again), again.retry_count)
    print("ok a nack(retry) comes back with retry count 1")
    sub.nack(again, action="retry")
    third = take(sub, 1)[0]
    assert n_of(third) == 1 and third.retry_count == 2, (n_of(third), third.retry_count)
    sub.ack(third)
    print("ok and again with retry count 2; ack settles it")
    time.sleep(0.5)  # the client sends acks in batches, at most 0.2 s apart
    info = client.get_subscription_info("workers", s)
    assert info.parked_message_count == 1, info.parked_message_count
    assert info.total_in_flight_messages == 0, info.total_in_flight_messages
    assert info.last_checkpointed_event_position == "4", info.last_checkpointed_event_position
    print("ok GetInfo: one parked event, none in flight, checkpoint 4")
    client.replay_parked_events("workers", s)
    replayed = take(sub, 1)[0]
    assert n_of(replayed) == 2, n_of(replayed)
    sub.ack(replayed)
    print("ok the parked event is replayed to the live subscriber")
    append(s, 1, first=5)
    live = take(sub, 1)[0]
    assert n_of(live) == 5 and live.retry_count == 0
    sub.ack(live)
    time.sleep(0.5)
    info = client.get_subscription_info("workers", s)
    assert info.parked_message_count == 0, info.parked_message_count
    sub.stop()
    print("ok a live event after the replay; nothing parked any more")


def timeout_and_max_retries():
    """An event not acked within message_timeout comes back with retry count + 1; past
    max_retry_count it is parked."""
    s = new_stream()
    client.create_subscription_to_stream("slow", s, message_timeout=1.0, max_retry_count=1)
    append(s, 1)
    sub = client.read_subscription_to_stream("slow", s)
    first = take(sub, 1)[0]
    assert first.retry_count == 0
    again = take(sub, 1, deadline=10)[0]  # not acked: timed out after 1 s
    assert n_of(again) == 0 and again.retry_count == 1, (n_of(again), again.retry_count)
    print("ok an unacked event comes back after the message timeout with retry count 1")
    deadline = time.monotonic() + 10
    while client.get_subscription_info("slow", s).parked_message_count != 1:
        assert time.monotonic() < deadline, "not parked after max_retry_count timeouts"
        time.sleep(0.2)
    sub.stop()
    print("ok and is parked once it has timed out more than max_retry_count times")


def category():
    """A group on a `$ce-` category with resolve_links: the originals arrive with their links
    (acked by the link's id); a parked one is replayed."""
    cat = f"cart{uuid.uuid4().hex[:8]}"
    client.create_subscription_to_stream("carts", f"$ce-{cat}", resolve_links=True)
    append(f"{cat}-a", 2)
    append(f"{cat}-b", 1, first=2)
    sub = client.read_subscription_to_stream("carts", f"$ce-{cat}")
    got = take(sub, 3)
    assert [(e.stream_name, n_of(e)) for e in got] == [(f"{cat}-a", 0), (f"{cat}-a", 1), (f"{cat}-b", 2)], [(e.stream_name, e.type) for e in got]
    assert all(e.link is not None and e.link.stream_name == f"$ce-{cat}" for e in got)
    assert [e.link.stream_position for e in got] == [0, 1, 2]
    sub.ack(got[0])
    sub.nack(got[1], action="park")
    sub.ack(got[2])
    time.sleep(0.5)
    info = client.get_subscription_info("carts", f"$ce-{cat}")
    assert info.parked_message_count == 1 and info.last_checkpointed_event_position == "2", (info.parked_message_count, info.last_checkpointed_event_position)
    client.replay_parked_events("carts", f"$ce-{cat}")
    replayed = take(sub, 1)[0]
    assert (replayed.stream_name, n_of(replayed)) == (f"{cat}-a", 1), (replayed.stream_name, n_of(replayed))
    sub.ack(replayed)
    time.sleep(0.5)
    assert client.get_subscription_info("carts", f"$ce-{cat}").parked_message_count == 0
    sub.stop()
    print("ok a $ce- group: resolved links, ack by link id, park and replay")


def event_type():
    """A group on an `$et-` event-type stream with resolve_links: the type's events from every
    stream, acked by link id; a parked one is replayed."""
    kind = f"Shipped{uuid.uuid4().hex[:8]}"
    client.create_subscription_to_stream("shipping", f"$et-{kind}", resolve_links=True)
    a, b = new_stream("ship"), new_stream("parcel")
    append(a, 1, kind=kind)
    append(b, 1, kind="Other", first=7)
    append(b, 2, kind=kind, first=1)
    sub = client.read_subscription_to_stream("shipping", f"$et-{kind}")
    got = take(sub, 3)
    assert [(e.stream_name, n_of(e)) for e in got] == [(a, 0), (b, 1), (b, 2)], [(e.stream_name, n_of(e)) for e in got]
    assert all(e.link is not None and e.link.stream_name == f"$et-{kind}" for e in got)
    assert [e.link.stream_position for e in got] == [0, 1, 2]
    sub.ack(got[0])
    sub.nack(got[1], action="park")
    sub.ack(got[2])
    time.sleep(0.5)
    info = client.get_subscription_info("shipping", f"$et-{kind}")
    assert info.parked_message_count == 1 and info.last_checkpointed_event_position == "2", (info.parked_message_count, info.last_checkpointed_event_position)
    client.replay_parked_events("shipping", f"$et-{kind}")
    replayed = take(sub, 1)[0]
    assert (replayed.stream_name, n_of(replayed)) == (b, 1), (replayed.stream_name, n_of(replayed))
    sub.ack(replayed)
    time.sleep(0.5)
    assert client.get_subscription_info("shipping", f"$et-{kind}").parked_message_count == 0
    sub.stop()
    print("ok a $et- group: resolved links, ack by link id, park and replay")


def dashboard_replay():
    """For the dashboard test: a group with one parked event, then the replay the dashboard's
    Streams & projections view sends reaches this live subscriber."""
    s = state_file  # the stream's name
    client.create_subscription_to_stream("billing", s)
    append(s, 3, kind="InvoiceIssued")
    sub = client.read_subscription_to_stream("billing", s)
    got = take(sub, 3)
    sub.ack(got[0])
    sub.nack(got[1], action="park")
    sub.ack(got[2])
    deadline = time.monotonic() + 20
    while client.get_subscription_info("billing", s).parked_message_count != 1:
        assert time.monotonic() < deadline, "not parked"
        time.sleep(0.1)
    print("ok one event parked; replay it from the dashboard", flush=True)
    replayed = take(sub, 1, deadline=120)[0]
    assert (replayed.stream_name, n_of(replayed)) == (s, 1), (replayed.stream_name, n_of(replayed))
    sub.ack(replayed)
    deadline = time.monotonic() + 20
    while client.get_subscription_info("billing", s).parked_message_count != 0:
        assert time.monotonic() < deadline, "still parked after the replay"
        time.sleep(0.1)
    print("ok the dashboard's replay reached the live subscriber", flush=True)
    sub.stop()


def all_with_filter():
    group = f"g-{uuid.uuid4().hex[:8]}"
    client.create_subscription_to_all(group, from_end=True)  # the client's default filter: no system events
    s = new_stream("invoice")
    append(s, 3, kind="InvoiceIssued")
    client.set_stream_metadata(s, metadata={"foo": "bar"})  # a `$metadata` event: filtered out
    append(s, 1, kind="InvoicePaid", first=3)
    sub = client.read_subscription_to_all(group)
    assert sub.subscription_id == f"$all::{group}", sub.subscription_id
    got = take(sub, 4)
    assert [(e.stream_name, n_of(e)) for e in got] == [(s, 0), (s, 1), (s, 2), (s, 3)], [(e.stream_name, e.type) for e in got]
    for e in got:
        sub.ack(e)
    positions = [e.commit_position for e in got]
    assert positions == sorted(positions) and positions[0] > 0, positions
    sub.stop()
    # From a commit position (inclusive), events of one type only.
    group2 = f"g-{uuid.uuid4().hex[:8]}"
    client.create_subscription_to_all(group2, commit_position=positions[1], filter_include=["InvoiceIssued"])
    sub2 = client.read_subscription_to_all(group2)
    got2 = take(sub2, 2)
    assert [n_of(e) for e in got2] == [1, 2], [n_of(e) for e in got2]
    sub2.stop()
    info = client.get_subscription_info(group2)
    assert info.event_source == "$all" and info.start_from == f"C:{positions[1]}/P:{positions[1]}", (info.event_source, info.start_from)
    print("ok $all groups: the default filter, a commit position (inclusive) and an event-type filter")


def round_robin():
    s = new_stream()
    client.create_subscription_to_stream("rr", s, consumer_strategy="RoundRobin")
    seen = {"a": [], "b": []}
    subs = {name: client.read_subscription_to_stream("rr", s, event_buffer_size=10) for name in seen}
    done = threading.Event()

    def consume(name):
        for event in subs[name]:
            seen[name].append(n_of(event))
            subs[name].ack(event)
            time.sleep(0.01)
            if len(seen["a"]) + len(seen["b"]) >= 40:
                done.set()

    threads = [threading.Thread(target=consume, args=(name,), daemon=True) for name in seen]
    for t in threads:
        t.start()
    time.sleep(0.3)
    append(s, 40)
    assert done.wait(30), seen
    time.sleep(0.5)
    for sub in subs.values():
        sub.stop()
    everything = sorted(seen["a"] + seen["b"])
    assert everything == list(range(40)), everything
    assert len(seen["a"]) >= 10 and len(seen["b"]) >= 10, (len(seen["a"]), len(seen["b"]))
    info = client.get_subscription_info("rr", s)
    assert info.consumer_strategy == "RoundRobin"
    print(f"ok round robin: 40 events split {len(seen['a'])}/{len(seen['b'])}, each delivered once")


def info_and_list():
    s = new_stream()
    client.create_subscription_to_stream(
        "settings", s, stream_position=3, resolve_links=True, message_timeout=12.5, max_retry_count=4,
        min_checkpoint_count=7, max_checkpoint_count=70, checkpoint_after=3.0, max_subscriber_count=3,
        live_buffer_size=250, read_batch_size=25, history_buffer_size=300, extra_statistics=True)
    info = client.get_subscription_info("settings", s)
    expected = dict(event_source=s, group_name="settings", resolve_links=True, start_from="3", message_timeout=12.5,
                    max_retry_count=4, min_checkpoint_count=7, max_checkpoint_count=70, checkpoint_after=3.0,
                    max_subscriber_count=3, live_buffer_size=250, read_batch_size=25, history_buffer_size=300,
                    extra_statistics=True, consumer_strategy="DispatchToSingle", parked_message_count=0)
    actual = {k: getattr(info, k) for k in expected}
    assert actual == expected, actual
    print("ok GetInfo returns every setting Create sent")
    client.update_subscription_to_stream("settings", s, max_retry_count=9, consumer_strategy="RoundRobin")
    info = client.get_subscription_info("settings", s)
    assert (info.max_retry_count, info.consumer_strategy, info.start_from) == (9, "RoundRobin", "3"), info
    print("ok Update (through GetInfo, as the client does) changes what it names and keeps the rest")
    group_all = f"g-{uuid.uuid4().hex[:8]}"
    client.create_subscription_to_all(group_all)
    info = client.get_subscription_info(group_all)
    assert info.start_from == "C:0/P:0" and info.event_source == "$all", info.start_from
    names = {(i.event_source, i.group_name) for i in client.list_subscriptions()}
    assert {(s, "settings"), ("$all", group_all)} <= names, names
    only = client.list_subscriptions_to_stream(s)
    assert [(i.event_source, i.group_name) for i in only] == [(s, "settings")], only
    assert client.list_subscriptions_to_stream(new_stream()) == []
    print("ok List: all groups, one stream's, none for another stream")
    client.delete_subscription("settings", s)
    client.delete_subscription(group_all)
    expect_raises(NotFoundError, lambda: client.get_subscription_info("settings", s), "GetInfo of a deleted group")


def errors():
    s = new_stream()
    client.create_subscription_to_stream("once", s, max_subscriber_count=1)
    expect_raises(AlreadyExistsError, lambda: client.create_subscription_to_stream("once", s), "Create of an existing group")
    expect_raises(NotFoundError, lambda: client.read_subscription_to_stream("nobody", s), "Read of a missing group")
    expect_raises(NotFoundError, lambda: client.delete_subscription("nobody", s), "Delete of a missing group")
    expect_raises(NotFoundError, lambda: client.update_subscription_to_stream("nobody", s), "Update of a missing group")
    expect_raises(NotFoundError, lambda: client.replay_parked_events("nobody", s), "ReplayParked of a missing group")
    first = client.read_subscription_to_stream("once", s)
    expect_raises(MaximumSubscriptionsReachedError, lambda: client.read_subscription_to_stream("once", s),
                  "a second consumer over max_subscriber_count=1")
    first.stop()
    client.create_subscription_to_stream("gone", s)
    reader = client.read_subscription_to_stream("gone", s)
    outcome = []

    def read_one():
        try:
            outcome.append(next(reader))
        except Exception as e:
            outcome.append(e)

    waiter = threading.Thread(target=read_one, daemon=True)
    waiter.start()
    time.sleep(0.3)
    client.delete_subscription("gone", s)
    waiter.join(10)
    assert outcome and isinstance(outcome[0], Exception) and "was dropped" in str(outcome[0]), outcome
    print(f"ok deleting a group ends its consumer's call: {type(outcome[0]).__name__}")
    expect_raises(InternalError, lambda: client.create_subscription_to_stream("pinned", s, consumer_strategy="Pinned"),
                  "the Pinned strategy")
    expect_raises(InternalError, lambda: client.create_subscription_to_stream("bad", s, read_batch_size=600),
                  "a read batch larger than the history buffer")


def crash_before():
    """Acks events 0-9 of 20; 10-19 are delivered and in flight when the test kills the broker."""
    s = new_stream()
    client.create_subscription_to_stream("durable", s)
    append(s, 20)
    sub = client.read_subscription_to_stream("durable", s)
    got = take(sub, 15)
    for e in got[:10]:
        sub.ack(e)
    time.sleep(1.0)  # the client's ack batch (≤ 0.2 s) reaches the server
    info = client.get_subscription_info("durable", s)
    assert info.total_in_flight_messages == 10, info.total_in_flight_messages
    with open(state_file, "w") as f:
        json.dump({"stream": s}, f)
    print("ok acked 0-9, 10-19 in flight; kill the broker now", flush=True)
    # Hold the consumer's call open until the broker is gone (its port refuses connections).
    host, port = uri.split("://", 1)[1].split("?", 1)[0].rsplit(":", 1)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection((host, int(port)), timeout=1).close()
        except OSError:
            print("ok the broker is gone")
            os._exit(0)  # the client's threads would retry the dead channel
        time.sleep(0.1)
    raise AssertionError("the broker was not killed")


def crash_after():
    with open(state_file) as f:
        s = json.load(f)["stream"]
    sub = client.read_subscription_to_stream("durable", s)
    got = take(sub, 10)
    ns = [n_of(e) for e in got]
    assert ns == list(range(10, 20)), ns
    assert all(e.retry_count >= 1 for e in got), [e.retry_count for e in got]
    for e in got:
        sub.ack(e)
    append(s, 1, first=20)
    fresh = take(sub, 1)[0]
    assert n_of(fresh) == 20 and fresh.retry_count == 0, (n_of(fresh), fresh.retry_count)
    sub.ack(fresh)
    print("ok after the SIGKILL: 10-19 again (retry count >= 1), nothing acked, then new events")
    time.sleep(0.5)
    sub.stop()


{
    "ack-nack-park": ack_nack_park_replay,
    "all-filter": all_with_filter,
    "category": category,
    "event-type": event_type,
    "dashboard-replay": dashboard_replay,
    "timeout": timeout_and_max_retries,
    "round-robin": round_robin,
    "info-list": info_and_list,
    "errors": errors,
    "crash-before": crash_before,
    "crash-after": crash_after,
}[scenario]()
print(f"ok {scenario} done")
client.close()
