"""One Service Bus and one EventStoreDB client against a dashboard's (or demo's) listeners,
each used once and then held open until the test stops the script (SIGTERM), so the test can read the header's counts.

Usage: hold_connections.py SERVICEBUS_CONNECTION_STRING QUEUE ESDB_URI [--peek]
With --peek the queue is only peeked (the demo's queue has its own consumer); otherwise one
message is sent and received.
Prints "ok <what>" per check, then "holding"; exits non-zero on the first failure. A client that
is not installed fails the import: the test then fails, it never skips.
"""
import json
import sys
import time
import uuid

from azure.servicebus import ServiceBusClient, ServiceBusMessage, ServiceBusReceiveMode
from kurrentdbclient import KurrentDBClient, NewEvent, StreamState

conn, queue, uri = sys.argv[1], sys.argv[2], sys.argv[3]
peek = "--peek" in sys.argv


def check(cond, what):
    if not cond:
        print("FAIL", what, flush=True)
        sys.exit(1)
    print("ok", what, flush=True)


with ServiceBusClient.from_connection_string(conn, logging_enable=False) as sb:
    with sb.get_queue_sender(queue) as sender:
        if peek:
            with sb.get_queue_receiver(queue, max_wait_time=5) as r:
                r.peek_messages(max_message_count=1)
                check(True, "amqp: peeked " + queue)
        else:
            sender.send_messages(ServiceBusMessage("held"))
            with sb.get_queue_receiver(queue, receive_mode=ServiceBusReceiveMode.RECEIVE_AND_DELETE, max_wait_time=5) as r:
                got = r.receive_messages(max_message_count=1, max_wait_time=10)
                check([str(m) for m in got] == ["held"], "amqp: sent and received one message")
        esdb = KurrentDBClient(uri=uri)
        name = "held-" + uuid.uuid4().hex[:8]
        esdb.append_to_stream(name, current_version=StreamState.NO_STREAM,
                              events=NewEvent(type="Held", data=json.dumps({"n": 1}).encode()))
        check([e.type for e in esdb.get_stream(name)] == ["Held"], "grpc: appended and read one event")
        print("holding", flush=True)
        while True:
            time.sleep(1)
