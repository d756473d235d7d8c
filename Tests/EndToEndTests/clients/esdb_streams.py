"""The EventStoreDB Python client (kurrentdbclient, or esdbclient with --esdbclient; versions
pinned in .ci/run) against `wharf serve`'s gRPC listener. One scenario per run:

    python3 esdb_streams.py URI SCENARIO [ARG] [--esdbclient]

Each check prints "ok ..." or raises (the test fails on a non-zero exit or a missing "ok").
A client that is not installed fails the import: the test then fails, it never skips.
"""
import json
import sys
import threading
import time
import uuid

args = [a for a in sys.argv[1:] if not a.startswith("--")]
if "--esdbclient" in sys.argv:
    from esdbclient import EventStoreDBClient as Client, NewEvent, StreamState
    from esdbclient.exceptions import NotFound as NotFoundError, StreamIsDeleted as StreamIsDeletedError
    from esdbclient.exceptions import WrongCurrentVersion as WrongCurrentVersionError
    from esdbclient.events import CaughtUp
else:
    from kurrentdbclient import KurrentDBClient as Client, NewEvent, StreamState
    from kurrentdbclient.exceptions import NotFoundError, StreamIsDeletedError, WrongCurrentVersionError
    from kurrentdbclient.events import CaughtUp

uri, scenario = args[0], args[1]
extra = args[2] if len(args) > 2 else None
client = Client(uri=uri)


def event(kind="OrderPlaced", n=0, **kw):
    return NewEvent(type=kind, data=json.dumps({"n": n}).encode(), **kw)


def stream(prefix="order"):
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def expect_raises(exc, fn, what):
    try:
        fn()
    except exc:
        print(f"ok {what} raised {exc.__name__}")
        return
    raise AssertionError(f"{what}: expected {exc.__name__}")


def appends():
    s = stream()
    e1, e2, e3 = event(n=1), event(n=2), event(n=3)
    p1 = client.append_to_stream(s, current_version=StreamState.NO_STREAM, events=e1)  # Append (one event)
    p2 = client.append_to_stream(s, current_version=0, events=[e2])                   # BatchAppend
    assert 0 < p1 < p2, (p1, p2)
    p3 = client.append_to_stream(s, current_version=StreamState.EXISTS, events=[e3])
    p4 = client.append_to_stream(s, current_version=StreamState.ANY, events=event(n=4))
    assert p2 < p3 < p4
    assert client.get_current_version(s) == 3
    print("ok appends with NO_STREAM, a revision, EXISTS and ANY")
    expect_raises(WrongCurrentVersionError, lambda: client.append_to_stream(s, current_version=1, events=[event()]), "a stale revision (batch)")
    expect_raises(WrongCurrentVersionError, lambda: client.append_to_stream(s, current_version=1, events=event()), "a stale revision (single)")
    expect_raises(WrongCurrentVersionError, lambda: client.append_to_stream(s, current_version=StreamState.NO_STREAM, events=[event()]), "NO_STREAM on an existing stream")
    expect_raises(WrongCurrentVersionError, lambda: client.append_to_stream(stream(), current_version=StreamState.EXISTS, events=[event()]), "EXISTS on a new stream")
    expect_raises(WrongCurrentVersionError, lambda: client.append_to_stream(stream(), current_version=5, events=event()), "a revision on a new stream")
    # Idempotent retries: the same ids at the same expected version give the original position.
    assert client.append_to_stream(s, current_version=0, events=[e2]) == p2
    assert client.append_to_stream(s, current_version=StreamState.NO_STREAM, events=e1) == p1
    assert client.append_to_stream(s, current_version=StreamState.ANY, events=[e3]) == p3
    assert client.get_current_version(s) == 3
    print("ok idempotent retries return the original commit position and write nothing")
    # A partial overlap is refused, as EventStoreDB does, for each expected-version form.
    expect_raises(WrongCurrentVersionError, lambda: client.append_to_stream(s, current_version=0, events=[e2, event()]), "a partial retry")
    expect_raises(WrongCurrentVersionError, lambda: client.append_to_stream(s, current_version=StreamState.ANY, events=[e2, event()]), "a partial retry with ANY")
    expect_raises(WrongCurrentVersionError, lambda: client.append_to_stream(s, current_version=StreamState.NO_STREAM, events=[e1, event()]), "a partial retry with NO_STREAM")
    assert client.get_current_version(s) == 3
    # Idempotency is per stream: the same event id in another stream is a new event there.
    other = stream()
    p_other = client.append_to_stream(other, current_version=StreamState.NO_STREAM, events=[e1, e2])
    assert p_other > p3, (p_other, p3)
    assert [e.id for e in client.get_stream(other)] == [e1.id, e2.id]
    assert client.append_to_stream(other, current_version=StreamState.NO_STREAM, events=[e1, e2]) == p_other
    assert client.get_current_version(s) == 3 and client.get_current_version(other) == 1
    print("ok idempotency is per stream: the same ids in another stream are new events, retried there idempotently")
    many = [event(n=i) for i in range(100)]
    last = client.append_to_stream(s, current_version=3, events=many)
    assert [e.id for e in client.get_stream(s, stream_position=4)] == [e.id for e in many]
    assert client.get_stream(s)[-1].commit_position == last
    print("ok a batch of 100 lands whole, its last commit position returned")


def reads():
    s = stream()
    events = [event(n=i) for i in range(10)]
    client.append_to_stream(s, current_version=StreamState.NO_STREAM, events=events)
    got = client.get_stream(s)
    assert [e.id for e in got] == [e.id for e in events]
    assert [e.stream_position for e in got] == list(range(10))
    assert all(e.content_type == "application/json" and e.type == "OrderPlaced" for e in got)
    assert json.loads(got[3].data) == {"n": 3}
    assert got[0].recorded_at is not None and abs(got[0].recorded_at.timestamp() - time.time()) < 300
    back = client.get_stream(s, backwards=True)
    assert [e.id for e in back] == [e.id for e in reversed(events)]
    assert [e.stream_position for e in client.get_stream(s, stream_position=3, limit=2)] == [3, 4]
    assert [e.stream_position for e in client.get_stream(s, stream_position=3, backwards=True, limit=2)] == [3, 2]
    print("ok stream reads forwards, backwards, from a revision, with a limit")
    expect_raises(NotFoundError, lambda: client.get_stream(stream()), "reading a missing stream")
    # $all: forwards from a position is inclusive, backwards exclusive.
    p = got[5].commit_position
    fwd = list(client.read_all(commit_position=p, limit=3))
    assert [e.id for e in fwd] == [e.id for e in events[5:8]], fwd
    bwd = list(client.read_all(commit_position=p, backwards=True, limit=2))
    assert [e.id for e in bwd] == [events[4].id, events[3].id], bwd
    assert client.get_commit_position() >= got[-1].commit_position
    everything = list(client.read_all())
    positions = [e.commit_position for e in everything]
    assert positions == sorted(positions) and len(set(positions)) == len(positions) and positions[0] > 0
    assert not any(e.type.startswith("$") for e in everything)
    with_system = list(client.read_all(filter_exclude=[]))
    assert any(e.type.startswith("$") for e in with_system)
    mine = list(client.read_all(filter_include=[s], filter_by_stream_name=True))
    assert [e.id for e in mine] == [e.id for e in events]
    print("ok $all reads forwards (inclusive) and backwards (exclusive), filters, system events hidden by default")


def catchup():
    s = stream()
    history = [event(n=i) for i in range(3)]
    client.append_to_stream(s, current_version=StreamState.NO_STREAM, events=history)
    sub = client.subscribe_to_stream(s, include_caught_up=True, timeout=20)
    received, caught_up = [], False
    for e in sub:
        if isinstance(e, CaughtUp):
            caught_up = True
            assert len(received) == 3, received
            client.append_to_stream(s, current_version=2, events=[event(n=3)])
            continue
        received.append(e)
        if len(received) == 4:
            break
    sub.stop()
    assert caught_up and [e.stream_position for e in received] == [0, 1, 2, 3]
    print("ok a stream subscription receives history, caught-up, then live events")
    sub = client.subscribe_to_stream(s, stream_position=1, timeout=20)
    first = next(iter(sub))
    sub.stop()
    assert first.stream_position == 2, first.stream_position
    print("ok a stream subscription from revision 1 starts at 2")
    start = received[1].commit_position
    sub = client.subscribe_to_all(commit_position=start, filter_include=[s], filter_by_stream_name=True, timeout=20)
    first = next(iter(sub))
    sub.stop()
    assert first.id == received[2].id
    print("ok a $all subscription from a commit position starts after it")
    sub = client.subscribe_to_all(include_checkpoints=True, filter_include=["NoSuchType"], window_size=1,
                                  checkpoint_interval_multiplier=1, timeout=20)
    first = next(iter(sub))
    sub.stop()
    assert first.commit_position > 0 and first.type != "NoSuchType"
    print("ok a filtered $all subscription sends checkpoints")


def checkpoint_write():
    """Part 1 of the restart test: consume the stream and save the checkpoint to a file."""
    s = "restart-" + uuid.uuid4().hex[:8]
    client.append_to_stream(s, current_version=StreamState.NO_STREAM, events=[event(n=i) for i in range(5)])
    sub = client.subscribe_to_all(filter_include=[s], filter_by_stream_name=True, timeout=20)
    seen = []
    for e in sub:
        seen.append(e)
        if len(seen) == 5:
            break
    sub.stop()
    with open(extra, "w") as f:
        json.dump({"stream": s, "checkpoint": seen[-1].commit_position}, f)
    print("ok consumed 5 events and saved the checkpoint")


def checkpoint_resume():
    """Part 2, after the broker restarted: resume from the checkpoint, see only new events."""
    with open(extra) as f:
        saved = json.load(f)
    s = saved["stream"]
    assert client.get_current_version(s) == 4
    client.append_to_stream(s, current_version=4, events=[event(n=5), event(n=6)])
    sub = client.subscribe_to_all(commit_position=saved["checkpoint"], filter_include=[s], filter_by_stream_name=True, timeout=20)
    got = []
    for e in sub:
        got.append(json.loads(e.data)["n"])
        if len(got) == 2:
            break
    sub.stop()
    assert got == [5, 6], got
    print("ok resumed from the checkpoint after the restart: exactly the new events")


def deletes():
    s = stream()
    client.append_to_stream(s, current_version=StreamState.NO_STREAM, events=[event(n=0), event(n=1)])
    expect_raises(WrongCurrentVersionError, lambda: client.delete_stream(s, current_version=0), "a soft delete at a stale version")
    client.delete_stream(s, current_version=1)
    client.delete_stream(s, current_version=1)
    expect_raises(NotFoundError, lambda: client.get_stream(s), "reading a soft-deleted stream")
    assert client.get_current_version(s) == StreamState.NO_STREAM
    metadata, _ = client.get_stream_metadata(s)
    assert metadata.get("$tb") == 9223372036854775807, metadata
    client.append_to_stream(s, current_version=StreamState.NO_STREAM, events=[event(n=2)])
    got = client.get_stream(s)
    assert [e.stream_position for e in got] == [2], [e.stream_position for e in got]
    print("ok soft delete hides the events; revisions continue after it")
    expect_raises(NotFoundError, lambda: client.delete_stream(stream(), current_version=StreamState.ANY), "soft-deleting a missing stream")
    t = stream()
    client.append_to_stream(t, current_version=StreamState.NO_STREAM, events=[event()])
    client.tombstone_stream(t, current_version=StreamState.ANY)
    expect_raises(StreamIsDeletedError, lambda: client.get_stream(t), "reading a tombstoned stream")
    expect_raises(StreamIsDeletedError, lambda: client.append_to_stream(t, current_version=StreamState.ANY, events=[event()]), "appending (batch) to a tombstone")
    # The client maps Append's status through its generic handler: FailedPreconditionError
    # (StreamIsDeletedError's sibling) with the server's "is deleted" text, as against KurrentDB.
    try:
        client.append_to_stream(t, current_version=StreamState.ANY, events=event())
        raise AssertionError("appending (single) to a tombstone succeeded")
    except Exception as e:
        assert "is deleted" in str(e), repr(e)
        print(f"ok appending (single) to a tombstone raised {type(e).__name__}: is deleted")
    expect_raises(StreamIsDeletedError, lambda: client.delete_stream(t, current_version=StreamState.ANY), "deleting a tombstone")
    u = stream()
    client.tombstone_stream(u, current_version=StreamState.ANY)
    expect_raises(StreamIsDeletedError, lambda: client.append_to_stream(u, current_version=StreamState.ANY, events=[event()]), "appending to a tombstoned missing stream")
    print("ok tombstones are permanent")
    m = stream()
    client.append_to_stream(m, current_version=StreamState.NO_STREAM, events=[event()])
    client.set_stream_metadata(m, metadata={"foo": "bar"}, current_version=StreamState.ANY)
    metadata, version = client.get_stream_metadata(m)
    assert metadata == {"foo": "bar"} and version == 0, (metadata, version)
    print("ok stream metadata round-trips through $$stream")


def categories():
    cat = "cat" + uuid.uuid4().hex[:8]
    a, b = f"{cat}-a", f"{cat}-b"
    client.append_to_stream(a, current_version=StreamState.NO_STREAM, events=[event(n=0)])
    client.append_to_stream(b, current_version=StreamState.NO_STREAM, events=[event(n=1)])
    client.append_to_stream(a, current_version=0, events=[event(n=2)])
    got = client.get_stream(f"$ce-{cat}", resolve_links=True)
    assert [json.loads(e.data)["n"] for e in got] == [0, 1, 2]
    assert [e.stream_name for e in got] == [a, b, a]
    assert [e.link.stream_position for e in got] == [0, 1, 2] and all(e.link.type == "$>" for e in got)
    back = client.get_stream(f"$ce-{cat}", resolve_links=True, backwards=True, limit=2)
    assert [json.loads(e.data)["n"] for e in back] == [2, 1]
    links = client.get_stream(f"$ce-{cat}")
    assert [e.data for e in links] == [b"0@" + a.encode(), b"0@" + b.encode(), b"1@" + a.encode()]
    print("ok $ce- category streams read as resolved links")


def event_types():
    """`$et-<type>`: every event of a type, across streams, as resolved links; reads, backwards
    reads and a catch-up subscription number the links alike and keep the events' positions."""
    kind = "Placed" + uuid.uuid4().hex[:8]
    a, b = stream(), stream("invoice")
    client.append_to_stream(a, current_version=StreamState.NO_STREAM, events=[event(kind, n=0), event("Other", n=9)])
    client.append_to_stream(b, current_version=StreamState.NO_STREAM, events=[event(kind, n=1)])
    client.append_to_stream(a, current_version=1, events=[event(kind, n=2)])
    got = client.get_stream(f"$et-{kind}", resolve_links=True)
    assert [json.loads(e.data)["n"] for e in got] == [0, 1, 2], got
    assert [e.stream_name for e in got] == [a, b, a] and all(e.type == kind for e in got)
    assert [e.link.stream_position for e in got] == [0, 1, 2] and all(e.link.type == "$>" for e in got)
    originals = client.get_stream(a) + client.get_stream(b)
    by_id = {e.id: e.commit_position for e in originals}
    assert [e.commit_position for e in got] == [by_id[e.id] for e in got], "links keep the events' positions"
    back = client.get_stream(f"$et-{kind}", resolve_links=True, backwards=True, limit=2)
    assert [json.loads(e.data)["n"] for e in back] == [2, 1]
    links = client.get_stream(f"$et-{kind}")
    assert [e.data for e in links] == [b"0@" + a.encode(), b"0@" + b.encode(), b"2@" + a.encode()], [e.data for e in links]
    expect_raises(NotFoundError, lambda: client.get_stream(f"$et-Never{kind}"), "reading an event type never appended")
    print("ok $et- event-type streams read as resolved links")
    sub = client.subscribe_to_stream(f"$et-{kind}", stream_position=0, resolve_links=True, include_caught_up=True, timeout=20)
    received = []
    for e in sub:
        if isinstance(e, CaughtUp):
            client.append_to_stream(b, current_version=0, events=[event("Other", n=8), event(kind, n=3)])
            continue
        received.append(e)
        if len(received) == 3:
            break
    sub.stop()
    assert [json.loads(e.data)["n"] for e in received] == [1, 2, 3], [e.data for e in received]
    assert [e.link.stream_position for e in received] == [1, 2, 3]
    print("ok a $et- catch-up subscription resumes after a revision and receives live events of the type")


def concurrent_write():
    """Part 1 of the kill test: 8 threads append at once (each its own stream with exact
    revisions, and all of them one shared stream with ANY); what was acknowledged goes to a file."""
    acked = {"own": {}, "shared": []}
    lock = threading.Lock()
    errors = []

    def writer(w):
        try:
            own = f"writer-{w}"
            for n in range(20):
                client.append_to_stream(own, current_version=StreamState.NO_STREAM if n == 0 else n - 1, events=[event(n=n)])
                with lock:
                    acked["own"][own] = n
                shared = event(kind="Shared", n=w * 100 + n)
                if n % 4 == 0:
                    client.append_to_stream("shared", current_version=StreamState.ANY, events=[shared])
                    with lock:
                        acked["shared"].append(str(shared.id))
        except Exception as e:  # reported below: the scenario fails
            errors.append(repr(e))

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    with open(extra, "w") as f:
        json.dump(acked, f)
    print(f"ok 8 writers appended at once: {sum(v + 1 for v in acked['own'].values())} own events, {len(acked['shared'])} shared")


def concurrent_verify():
    """Part 2, after a kill -9 and a restart: every acknowledged append is there, once, in order."""
    with open(extra) as f:
        acked = json.load(f)
    for own, last in acked["own"].items():
        got = [json.loads(e.data)["n"] for e in client.get_stream(own)]
        assert got[: last + 1] == list(range(last + 1)), (own, got)
    ids = [str(e.id) for e in client.get_stream("shared")]
    assert len(ids) == len(set(ids)), "an event stored twice"
    missing = set(acked["shared"]) - set(ids)
    assert not missing, f"acknowledged events lost: {missing}"
    print("ok every acknowledged append survived kill -9, once and in order")


def gossip():
    members = client.read_gossip()
    assert len(members) == 1 and "leader" in members[0].state.lower(), members
    print("ok gossip names one leader")


{"appends": appends, "reads": reads, "catchup": catchup, "checkpoint-write": checkpoint_write,
 "checkpoint-resume": checkpoint_resume, "deletes": deletes, "categories": categories, "event-types": event_types, "gossip": gossip,
 "concurrent-write": concurrent_write, "concurrent-verify": concurrent_verify}[scenario]()
client.close()
