/// A Python program that produces three records and consumes them back over SASL_PLAINTEXT
/// with one of the Python clients: `python3 -c SCRIPT LIB BOOTSTRAP MECHANISM USER PASSWORD TOPIC`.
/// Prints `GOT v1,v2,v3` on success; `ERROR <the client's exception>` and exit 2 when refused
/// (kafka-python and aiokafka log the broker's reason to stderr).
enum SaslClientScript {
    static let source = #"""
import logging, sys, time
logging.basicConfig(level=logging.INFO, stream=sys.stderr)  # the clients log why they were refused
lib, bootstrap, mech, user, password, topic = sys.argv[1:7]
values = ["%s-%s-%d" % (lib, mech, i) for i in range(3)]
def fail(message):
    print("ERROR " + message, flush=True)
    sys.exit(2)
got = []
if lib == "confluent":
    from confluent_kafka import Producer, Consumer, KafkaError
    errors = []
    conf = {"bootstrap.servers": bootstrap, "security.protocol": "SASL_PLAINTEXT", "sasl.mechanism": mech,
            "sasl.username": user, "sasl.password": password, "error_cb": lambda e: errors.append(e)}
    deadline = time.time() + 30
    p = Producer(conf)
    for v in values:
        p.produce(topic, v.encode())
    while len(p) > 0 and time.time() < deadline:
        p.poll(0.2)
        auth = [e for e in errors if e.code() == KafkaError._AUTHENTICATION]
        if auth:
            fail(auth[0].str())
    if len(p) > 0:
        fail("not delivered: " + "; ".join(e.str() for e in errors))
    c = Consumer(dict(conf, **{"group.id": "g-" + topic, "auto.offset.reset": "earliest"}))
    c.subscribe([topic])
    while len(got) < 3 and time.time() < deadline:
        m = c.poll(0.5)
        if m is not None and m.error() is None:
            got.append(m.value().decode())
    c.close()
elif lib == "kafka-python":
    from kafka import KafkaProducer, KafkaConsumer, TopicPartition
    kw = dict(bootstrap_servers=bootstrap, security_protocol="SASL_PLAINTEXT", sasl_mechanism=mech,
              sasl_plain_username=user, sasl_plain_password=password)
    try:
        p = KafkaProducer(max_block_ms=15000, **kw)
        for v in values:
            p.send(topic, v.encode()).get(timeout=20)
        p.close()
    except Exception as e:
        fail("%s: %s" % (type(e).__name__, e))
    c = KafkaConsumer(**kw)
    c.assign([TopicPartition(topic, 0)])
    c.seek_to_beginning()
    deadline = time.time() + 30
    while len(got) < 3 and time.time() < deadline:
        for tp, records in c.poll(timeout_ms=500).items():
            got += [r.value.decode() for r in records]
    c.close()
elif lib == "aiokafka":
    import asyncio
    from aiokafka import AIOKafkaProducer, AIOKafkaConsumer, TopicPartition
    async def main():
        kw = dict(bootstrap_servers=bootstrap, security_protocol="SASL_PLAINTEXT", sasl_mechanism=mech,
                  sasl_plain_username=user, sasl_plain_password=password)
        p = AIOKafkaProducer(**kw)
        try:
            await p.start()
        except Exception as e:
            await p.stop()
            return "%s: %s" % (type(e).__name__, e)
        for v in values:
            await p.send_and_wait(topic, v.encode())
        await p.stop()
        c = AIOKafkaConsumer(**kw)
        await c.start()
        c.assign([TopicPartition(topic, 0)])
        await c.seek_to_beginning()
        while len(got) < 3:
            for tp, records in (await c.getmany(timeout_ms=500)).items():
                got.extend(r.value.decode() for r in records)
        await c.stop()
        return None
    error = asyncio.run(asyncio.wait_for(main(), 40))
    if error:
        fail(error)
if got[:3] != values:
    fail("consumed %r" % got)
print("GOT " + ",".join(got), flush=True)
"""#
}
