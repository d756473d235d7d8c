"""Issue 15's Service Bus figures with the Python SDK (azure-servicebus 7.15.0), beside the compiled
client's (servicebus_c_bench.sh): send COUNT 100-byte messages in batches of BATCH, then receive them
in PEEK_LOCK (prefetch 1,000) completing each, through `wharf serve`'s AMQP listener.

The SDK is pure-Python AMQP, so it is expected to be the limit: the client's and the server's CPU
time are printed beside the rates to show which one is.

Usage: python3 Benchmarks/servicebus_sdk_bench.py [COUNT=20000] [BATCH=100]
(WHARF=path to the binary, default .build/release/wharf)
"""
import os
import socket
import subprocess
import sys
import tempfile
import time

from azure.servicebus import ServiceBusClient, ServiceBusMessage

count = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
batch_size = int(sys.argv[2]) if len(sys.argv) > 2 else 100
wharf = os.environ.get("WHARF", ".build/release/wharf")
body = "x" * 100


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    hz = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / hz


with tempfile.TemporaryDirectory(prefix="wharf-sdkbench.") as work:
    data = os.path.join(work, "data")
    port = free_port()
    subprocess.run([wharf, "queue", "create", "bench", "--data", data], check=True, stdout=subprocess.DEVNULL)
    conn = subprocess.run([wharf, "servicebus", "connection-string", "--data", data, "--amqp-listen", "127.0.0.1:%d" % port],
                          check=True, capture_output=True, text=True).stdout.strip()
    server = subprocess.Popen([wharf, "serve", "--data", data, "--listen", "127.0.0.1:0", "--amqp-listen", "127.0.0.1:%d" % port,
                               "--no-esdb"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.05)
        print("load before: %s" % open("/proc/loadavg").read().strip())
        with ServiceBusClient.from_connection_string(conn) as client:
            with client.get_queue_sender("bench") as sender:
                sender.send_messages(ServiceBusMessage("warm-up"))
                server_cpu, client_cpu, start = cpu_seconds(server.pid), time.process_time(), time.perf_counter()
                sent = 0
                while sent < count:
                    n = min(batch_size, count - sent)
                    sender.send_messages([ServiceBusMessage(body) for _ in range(n)])
                    sent += n
                elapsed = time.perf_counter() - start
                print("send: %d messages in batches of %d: %.0f msg/s (client CPU %.0f%%, server CPU %.0f%%)" % (
                    count, batch_size, count / elapsed, 100 * (time.process_time() - client_cpu) / elapsed,
                    100 * (cpu_seconds(server.pid) - server_cpu) / elapsed))
            with client.get_queue_receiver("bench", prefetch_count=1000, max_wait_time=5) as receiver:
                server_cpu, client_cpu, start = cpu_seconds(server.pid), time.process_time(), time.perf_counter()
                received = 0
                while received < count + 1:
                    # Ask for no more than remain: the SDK waits max_wait_time to fill a batch.
                    got = receiver.receive_messages(max_message_count=min(1000, count + 1 - received), max_wait_time=5)
                    if not got:
                        break
                    for m in got:
                        receiver.complete_message(m)
                    received += len(got)
                elapsed = time.perf_counter() - start
                print("receive (PEEK_LOCK, prefetch 1,000) + complete: %d messages: %.0f msg/s (client CPU %.0f%%, server CPU %.0f%%)" % (
                    received, received / elapsed, 100 * (time.process_time() - client_cpu) / elapsed,
                    100 * (cpu_seconds(server.pid) - server_cpu) / elapsed))
                if received != count + 1:
                    sys.exit("received %d of %d" % (received, count + 1))
        print("load after: %s" % open("/proc/loadavg").read().strip())
    finally:
        server.terminate()
        server.wait(timeout=30)
