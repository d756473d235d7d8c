"""kurrentdbclient (pinned in .ci/run) against `wharf serve`'s gRPC listener over TLS with Basic
credentials and stream ACLs (issue 20). One scenario per run:

    python3 esdb_security.py SCENARIO URI [URI ...]

URIs are esdb://USER:PASSWORD@HOST:PORT?tls=true&tlsCaFile=... Each check prints "ok ..." or
raises (the test fails on a non-zero exit or a missing "ok"). A client that is not installed
fails the import: the test then fails, it never skips.
"""
import json
import os
import sys
import uuid

from kurrentdbclient import KurrentDBClient, NewEvent, StreamState
from kurrentdbclient.exceptions import AccessDeniedError, ServiceUnavailableError, SSLError, UnauthenticatedError

scenario, uris = sys.argv[1], sys.argv[2:]
opened = []


def connect(uri):
    client = KurrentDBClient(uri)
    opened.append(client)
    return client


def event(n=0):
    return NewEvent(type="OrderPlaced", data=json.dumps({"n": n}).encode())


def stream(prefix="order"):
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def expect_raises(exc, fn, what):
    try:
        fn()
    except exc as e:
        print(f"ok {what} raised {type(e).__name__}: {e}")
        return
    raise AssertionError(f"{what}: expected {exc}")


def append_read():
    """A user's append (Append and BatchAppend) and read over TLS."""
    client = connect(uris[0])
    s = stream()
    client.append_to_stream(s, current_version=StreamState.NO_STREAM, events=event(1))
    client.append_to_stream(s, current_version=0, events=[event(2), event(3)])
    assert [json.loads(e.data)["n"] for e in client.get_stream(s)] == [1, 2, 3]
    print("ok append and read over TLS with Basic credentials")


def wrong_password():
    """Wrong credentials: the client's UnauthenticatedError, for writes and reads; nothing written."""
    client = connect(uris[0])
    s = stream()
    expect_raises(UnauthenticatedError, lambda: client.append_to_stream(s, current_version=StreamState.ANY, events=event()), "an append")
    expect_raises(UnauthenticatedError, lambda: client.get_stream(s), "a read")
    admin = connect(uris[1])
    assert admin.get_current_version(s) == StreamState.NO_STREAM, "the refused append was written"
    print("ok the refused append wrote nothing")


def acl():
    """The admin gives only alice `$w` on a stream and only `$admins` `$mw`: bob's append and
    metadata write are AccessDenied, alice's append works; bob reads the stream (`$r` not set:
    the default, every user); `$all` is for `$admins`; `$r` naming alice shuts bob out."""
    admin, alice, bob = (connect(u) for u in uris)
    s = stream()
    admin.set_stream_metadata(s, metadata={"$acl": {"$w": ["alice"], "$mw": "$admins"}})
    expect_raises(AccessDeniedError, lambda: bob.append_to_stream(s, current_version=StreamState.ANY, events=event()), "bob's append")
    expect_raises(AccessDeniedError, lambda: bob.append_to_stream(s, current_version=StreamState.ANY, events=[event(), event()]),
                  "bob's batch append")
    alice.append_to_stream(s, current_version=StreamState.NO_STREAM, events=event(1))
    print("ok alice appends where bob may not")
    assert [json.loads(e.data)["n"] for e in bob.get_stream(s)] == [1]
    print("ok bob reads (no $r in the $acl: the default lets every user read)")
    expect_raises(AccessDeniedError, lambda: bob.set_stream_metadata(s, metadata={"$acl": {"$w": ["bob"]}}), "bob's metadata write")
    expect_raises(AccessDeniedError, lambda: list(alice.read_all(limit=5)), "alice's $all read")
    assert len(list(admin.read_all(limit=5, filter_exclude=()))) > 0
    print("ok the admin reads $all")
    # `$r` named: only alice (and admins) read now.
    admin.set_stream_metadata(s, metadata={"$acl": {"$w": ["alice"], "$mw": "$admins", "$r": ["alice", "$admins"]}})
    expect_raises(AccessDeniedError, lambda: bob.get_stream(s), "bob's read after $r names alice")
    assert len(alice.get_stream(s)) == 1
    print("ok alice still reads")
    # A persistent subscription group reads its stream: it needs `$r` too.
    expect_raises(AccessDeniedError, lambda: bob.create_subscription_to_stream("audit", s), "bob's persistent subscription")
    alice.create_subscription_to_stream("audit", s)
    print("ok alice creates a persistent subscription group")
    # Listings show what the caller may read: bob does not see alice's group, and may not list
    # the stream's groups; alice sees it.
    assert s in [i.event_source for i in alice.list_subscriptions()]
    assert s not in [i.event_source for i in bob.list_subscriptions()], "bob's listing shows a group on a stream he may not read"
    assert [i.group_name for i in alice.list_subscriptions_to_stream(s)] == ["audit"]
    expect_raises(AccessDeniedError, lambda: bob.list_subscriptions_to_stream(s), "bob's listing of the stream's groups")
    print("ok listings show only the groups of streams the caller may read")


def mtls():
    """--tls-client-auth required: without a client certificate the handshake fails; with one
    signed by --tls-ca (and Basic credentials) the calls run. URIs: without, with."""
    without = connect(uris[0])
    expect_raises((ServiceUnavailableError, SSLError),
                  lambda: without.append_to_stream(stream(), current_version=StreamState.ANY, events=event(), timeout=10),
                  "an append without a client certificate")
    client = connect(uris[1])
    s = stream()
    client.append_to_stream(s, current_version=StreamState.NO_STREAM, events=event(1))
    assert len(client.get_stream(s)) == 1
    print("ok append and read with a client certificate")


{"append-read": append_read, "wrong-password": wrong_password, "acl": acl, "mtls": mtls}[scenario]()
for client in opened:
    client.close()
sys.stdout.flush()
# grpcio's threads can keep a finished interpreter from exiting; every check has run.
os._exit(0)
