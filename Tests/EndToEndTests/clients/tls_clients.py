# Produces three records and consumes them back over TLS with kafka-python or aiokafka:
#   python3 tls_clients.py LIB BOOTSTRAP PROTOCOL CAFILE TOPIC [--sasl MECH USER PASSWORD] [--cert CERT KEY]
# PROTOCOL is SSL or SASL_SSL. Prints "GOT v1,v2,v3" on success; "ERROR <exception>" and exit 2 otherwise.
import asyncio, sys, time

lib, bootstrap, protocol, cafile, topic = sys.argv[1:6]
rest = sys.argv[6:]
sasl = rest[rest.index("--sasl") + 1:rest.index("--sasl") + 4] if "--sasl" in rest else None
cert = rest[rest.index("--cert") + 1:rest.index("--cert") + 3] if "--cert" in rest else None
values = ["%s-%s-%d" % (lib, protocol, i) for i in range(3)]
got = []


def fail(message):
    print("ERROR " + message, flush=True)
    sys.exit(2)


if lib == "kafka-python":
    from kafka import KafkaProducer, KafkaConsumer, TopicPartition
    kw = dict(bootstrap_servers=bootstrap, security_protocol=protocol, ssl_cafile=cafile)
    if sasl:
        kw.update(sasl_mechanism=sasl[0], sasl_plain_username=sasl[1], sasl_plain_password=sasl[2])
    if cert:
        kw.update(ssl_certfile=cert[0], ssl_keyfile=cert[1])
    try:
        p = KafkaProducer(max_block_ms=30000, **kw)
        for v in values:
            p.send(topic, v.encode()).get(timeout=30)
        p.close()
        c = KafkaConsumer(**kw)
        c.assign([TopicPartition(topic, 0)])
        c.seek_to_beginning()
        deadline = time.time() + 40
        while len(got) < 3 and time.time() < deadline:
            for tp, records in c.poll(timeout_ms=1000).items():
                got += [r.value.decode() for r in records]
        c.close()
    except Exception as e:
        fail("%s: %s" % (type(e).__name__, e))
elif lib == "aiokafka":
    from aiokafka import AIOKafkaProducer, AIOKafkaConsumer, TopicPartition
    from aiokafka.helpers import create_ssl_context

    async def main():
        context = create_ssl_context(cafile=cafile, certfile=cert[0] if cert else None, keyfile=cert[1] if cert else None)
        kw = dict(bootstrap_servers=bootstrap, security_protocol=protocol, ssl_context=context)
        if sasl:
            kw.update(sasl_mechanism=sasl[0], sasl_plain_username=sasl[1], sasl_plain_password=sasl[2])
        p = AIOKafkaProducer(**kw)
        await p.start()
        try:
            for v in values:
                await p.send_and_wait(topic, v.encode())
        finally:
            await p.stop()
        c = AIOKafkaConsumer(**kw)
        await c.start()
        try:
            c.assign([TopicPartition(topic, 0)])
            await c.seek_to_beginning()
            while len(got) < 3:
                for tp, records in (await c.getmany(timeout_ms=1000)).items():
                    got.extend(r.value.decode() for r in records)
        finally:
            await c.stop()

    try:
        asyncio.run(asyncio.wait_for(main(), 60))
    except Exception as e:
        fail("%s: %s" % (type(e).__name__, e))
else:
    fail("unknown library " + lib)
if got[:3] != values:
    fail("consumed %r" % got)
print("GOT " + ",".join(got[:3]), flush=True)
