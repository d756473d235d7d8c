"""Azure Service Bus SDK (azure-servicebus 7.15.0) over TLS against `wharf serve --amqps-listen`.

Usage: servicebus_tls.py TLS_CONNECTION_STRING TLS_PORT CA_FILE QUEUE SCENARIO
The connection string is the one serve prints for its TLS listener (no UseDevelopmentEmulator,
so the SDK speaks TLS); as against Service Bus the SDK would dial port 5671, so the listener's
port is given as custom_endpoint_address (with transport_type Amqp: a custom endpoint alone
makes the SDK use WebSockets).
Scenarios:
  send-receive  trusts CA_FILE (connection_verify); sends a message and a batch, receives and completes them
  client-certificate CLIENT_CERT CLIENT_KEY / no-client-certificate
                against --tls-client-auth required: works with the certificate, refused without
  untrusted     trusts only the SDK's default CAs (certifi): the handshake fails with the SDK's connection error
  plaintext     the same key in an emulator-mode string aimed at the TLS port: the SDK speaks plain
                AMQP there and fails with an error instead of hanging
Prints one line per check ("ok <what>") and exits non-zero on the first failure.
"""
import sys
import time

from azure.servicebus import ServiceBusClient, ServiceBusMessage, TransportType
from azure.servicebus.exceptions import ServiceBusError

conn, port, ca, queue, scenario = sys.argv[1:6]
tls = {"custom_endpoint_address": "sb://127.0.0.1:%s" % port, "transport_type": TransportType.Amqp}


def check(cond, what):
    if not cond:
        print("FAIL", what, flush=True)
        sys.exit(1)
    print("ok", what, flush=True)


def send_one(client):
    with client.get_queue_sender(queue) as s:
        s.send_messages(ServiceBusMessage("refused"))


if scenario == "send-receive":
    with ServiceBusClient.from_connection_string(conn, connection_verify=ca, **tls) as client:
        with client.get_queue_sender(queue) as s:
            s.send_messages(ServiceBusMessage("over tls", application_properties={"k": "v"}))
            s.send_messages([ServiceBusMessage("b1"), ServiceBusMessage("b2")])
        check(True, "sent a message and a batch over TLS")
        with client.get_queue_receiver(queue, max_wait_time=5) as r:
            got = []
            deadline = time.time() + 30
            while len(got) < 3 and time.time() < deadline:
                for m in r.receive_messages(max_message_count=10, max_wait_time=5):
                    got.append(m)
                    r.complete_message(m)
            check([str(m) for m in got] == ["over tls", "b1", "b2"], "received and completed over TLS: %s" % [str(m) for m in got])
            check(got[0].application_properties.get(b"k") == b"v", "application property kept")
            check(r.receive_messages(max_message_count=1, max_wait_time=2) == [], "queue empty after complete")

elif scenario in ("client-certificate", "no-client-certificate"):
    # Mutual TLS (--tls-client-auth required): the SDK takes an ssl_context with the client's
    # certificate (CLIENT_CERT and CLIENT_KEY follow the scenario); without one the handshake fails.
    import ssl
    context = ssl.create_default_context(cafile=ca)
    if scenario == "client-certificate":
        context.load_cert_chain(sys.argv[6], sys.argv[7])
    try:
        with ServiceBusClient.from_connection_string(conn, ssl_context=context, retry_total=0, **tls) as client:
            with client.get_queue_sender(queue) as s:
                s.send_messages(ServiceBusMessage("mutual"))
            with client.get_queue_receiver(queue, max_wait_time=5) as r:
                got = r.receive_messages(max_message_count=1, max_wait_time=10)
                for m in got:
                    r.complete_message(m)
        check(scenario == "client-certificate" and [str(m) for m in got] == ["mutual"],
              "sent and received with a client certificate: %s" % [str(m) for m in got])
    except ServiceBusError as e:
        check(scenario == "no-client-certificate", "refused without a client certificate: %s" % type(e).__name__)

elif scenario == "untrusted":
    try:
        with ServiceBusClient.from_connection_string(conn, retry_total=0, **tls) as client:
            send_one(client)
        check(False, "a certificate from an unknown CA was trusted")
    except ServiceBusError as e:
        check("CERTIFICATE_VERIFY_FAILED" in repr(e) or "certificate verify failed" in repr(e),
              "refused with %s: certificate verify failed" % type(e).__name__)

elif scenario == "plaintext":
    # Endpoint=sb://HOST:PORT;...;  ->  the same with UseDevelopmentEmulator=true (plain AMQP).
    plain = conn.rstrip(";") + ";UseDevelopmentEmulator=true;"
    started = time.time()
    try:
        with ServiceBusClient.from_connection_string(plain, retry_total=0) as client:
            send_one(client)
        check(False, "a plaintext client was served on the TLS port")
    except ServiceBusError as e:
        took = time.time() - started
        check(took < 30, "refused with %s after %.1f s: %s" % (type(e).__name__, took, str(e).splitlines()[0][:200]))

else:
    check(False, "unknown scenario " + scenario)
