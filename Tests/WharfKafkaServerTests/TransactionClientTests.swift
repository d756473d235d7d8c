import Foundation
import Testing
import WharfCore
import WharfEngine
@testable import WharfKafkaServer

/// Transactions (exactly-once) driven by real clients against an in-process listener:
/// confluent-kafka's transactional producer (librdkafka) with read_committed and
/// read_uncommitted consumers, its consume-transform-produce loop with
/// `send_offsets_to_transaction`, two producers sharing a transactional id, and kafka-python's
/// transactional producer. A missing client fails the test (CI installs both).
@Suite struct TransactionClientTests {
    static let readerScript = #"""
from confluent_kafka import Consumer, KafkaError, KafkaException, TopicPartition
def read(bs, topic, isolation):
    c = Consumer({"bootstrap.servers": bs, "group.id": "reader", "isolation.level": isolation,
                  "enable.partition.eof": True, "enable.auto.commit": False})
    c.assign([TopicPartition(topic, 0, 0)])
    out = []
    while True:
        # Generous: under the parallel suite's load a poll can take seconds. If the end never
        # comes, say where the reader stood and what the broker reports, to tell a stuck last
        # stable offset from a slow machine.
        m = c.poll(60)
        if m is None:
            low, high = c.get_watermark_offsets(TopicPartition(topic, 0), timeout=10, cached=False)
            raise SystemExit("no end of partition within 60 s: read %s, position %s, offsets %d-%d"
                             % (out, c.position([TopicPartition(topic, 0)]), low, high))
        if m.error():
            if m.error().code() == KafkaError._PARTITION_EOF:
                break
            raise KafkaException(m.error())
        out.append(m.value().decode())
    c.close()
    return ",".join(out)
"""#

    static let commitAbortScript = readerScript + "\n" + #"""
import sys
from confluent_kafka import Producer
bs = sys.argv[1]
p = Producer({"bootstrap.servers": bs, "transactional.id": "tx-1", "transaction.timeout.ms": 60000})
p.init_transactions(30)
for values, commit in ((["c1", "c2"], True), (["a1", "a2"], False), (["c3"], True)):
    p.begin_transaction()
    for v in values:
        p.produce("txn", value=v.encode(), partition=0)
    p.flush(30)
    if commit:
        p.commit_transaction(30)
    else:
        p.abort_transaction(30)
print("COMMITTED", read(bs, "txn", "read_committed"))
print("UNCOMMITTED", read(bs, "txn", "read_uncommitted"))
"""#

    @Test func abortedTransactionsAreSkippedByReadCommittedAndReadByReadUncommitted() async throws {
        try await ListenerLimitsTests.withListener { f, _, port in
            try f.engine.createTopic("txn", .init(partitions: 1))
            let run = try await ClientProcess.run(["python3", "-c", Self.commitAbortScript, "127.0.0.1:\(port)"])
            #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
            #expect(run.stdout.contains("COMMITTED c1,c2,c3\n"), "\(run.stdout) \(run.stderr)")
            #expect(run.stdout.contains("UNCOMMITTED c1,c2,a1,a2,c3\n"), "\(run.stdout) \(run.stderr)")
            #expect(try f.engine.lastStableOffset(topic: "txn", partition: 0) == f.engine.offsets(topic: "txn", partition: 0).logEnd)
        }
    }

    static let transformScript = readerScript + "\n" + #"""
import sys, time
from confluent_kafka import Producer
bs, n = sys.argv[1], int(sys.argv[2])
c = Consumer({"bootstrap.servers": bs, "group.id": "ctp", "isolation.level": "read_committed",
              "auto.offset.reset": "earliest", "enable.auto.commit": False})
c.subscribe(["in"])
p = Producer({"bootstrap.servers": bs, "transactional.id": "ctp-1"})
p.init_transactions(30)
done, deadline = 0, time.time() + 60
while done < n and time.time() < deadline:
    msgs = c.consume(5, 1.0)
    if not msgs:
        continue
    p.begin_transaction()
    for m in msgs:
        if m.error():
            raise KafkaException(m.error())
        p.produce("out", value=m.value().upper(), partition=0)
    p.send_offsets_to_transaction(c.position(c.assignment()), c.consumer_group_metadata(), 30)
    p.commit_transaction(30)
    done += len(msgs)
# One more transaction, aborted: neither its record nor its offsets may count.
p.begin_transaction()
p.produce("out", value=b"NEVER", partition=0)
p.send_offsets_to_transaction([TopicPartition("in", 0, 999)], c.consumer_group_metadata(), 30)
p.abort_transaction(30)
c.close()
print("DONE", done)
print("OUT", read(bs, "out", "read_committed"))
"""#

    @Test func consumeTransformProduceCommitsOutputAndOffsetsTogether() async throws {
        try await ListenerLimitsTests.withListener { f, _, port in
            try f.engine.createTopic("in", .init(partitions: 1))
            try f.engine.createTopic("out", .init(partitions: 1))
            let inputs = (0..<12).map { "m\($0)" }
            try f.engine.produce(topic: "in", records: inputs.map { Record(key: nil, value: $0) }, partition: 0)
            let run = try await ClientProcess.run(["python3", "-c", Self.transformScript, "127.0.0.1:\(port)", "\(inputs.count)"])
            #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
            #expect(run.stdout.contains("DONE 12\n"), "\(run.stdout) \(run.stderr)")
            #expect(run.stdout.contains("OUT " + inputs.map { $0.uppercased() }.joined(separator: ",") + "\n"), "\(run.stdout) \(run.stderr)")
            let tp = TopicPartition("in", 0)
            #expect(await f.engine.coordinator.fetchOffsets(groupId: "ctp", partitions: [tp])[tp]?.offset == 12)
        }
    }

    static let fencingScript = readerScript + "\n" + #"""
import sys
from confluent_kafka import Producer
bs = sys.argv[1]
zombie = Producer({"bootstrap.servers": bs, "transactional.id": "fence"})
zombie.init_transactions(30)
zombie.begin_transaction()
zombie.produce("txn", value=b"zombie", partition=0)
zombie.flush(30)
fresh = Producer({"bootstrap.servers": bs, "transactional.id": "fence"})
fresh.init_transactions(30)
try:
    zombie.commit_transaction(30)
    print("ZOMBIE-COMMITTED")
except KafkaException as e:
    print("ZOMBIE-REFUSED", e.args[0].fatal())
fresh.begin_transaction()
fresh.produce("txn", value=b"fresh", partition=0)
fresh.commit_transaction(30)
print("COMMITTED", read(bs, "txn", "read_committed"))
"""#

    @Test func aSecondProducerWithTheSameTransactionalIdFencesTheFirst() async throws {
        try await ListenerLimitsTests.withListener { f, _, port in
            try f.engine.createTopic("txn", .init(partitions: 1))
            let run = try await ClientProcess.run(["python3", "-c", Self.fencingScript, "127.0.0.1:\(port)"])
            #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
            #expect(run.stdout.contains("ZOMBIE-REFUSED True\n"), "\(run.stdout) \(run.stderr)")
            #expect(run.stdout.contains("COMMITTED fresh\n"), "\(run.stdout) \(run.stderr)")
        }
    }

    static let kafkaPythonScript = #"""
import sys
from kafka import KafkaProducer, KafkaConsumer, TopicPartition
from kafka.structs import OffsetAndMetadata
bs = sys.argv[1]
tp = TopicPartition("kp", 0)
p = KafkaProducer(bootstrap_servers=bs, transactional_id="kp-1")
p.init_transactions()
p.begin_transaction()
p.send("kp", b"k1", partition=0)
p.flush()
ends = {}
for isolation in ("read_committed", "read_uncommitted"):
    c = KafkaConsumer(bootstrap_servers=bs, isolation_level=isolation)
    ends[isolation] = c.end_offsets([tp])[tp]
    c.close()
print("OPEN-ENDS", ends["read_committed"], ends["read_uncommitted"])
p.send_offsets_to_transaction({TopicPartition("kp-in", 0): OffsetAndMetadata(1, "", -1)}, "kp-group")
p.commit_transaction()
p.begin_transaction()
p.send("kp", b"k-aborted", partition=0)
p.send_offsets_to_transaction({TopicPartition("kp-in", 0): OffsetAndMetadata(99, "", -1)}, "kp-group")
p.flush()
p.abort_transaction()
p.begin_transaction()
p.send("kp", b"k2", partition=0)
p.commit_transaction()
p.close()
for isolation in ("read_committed", "read_uncommitted"):
    c = KafkaConsumer(bootstrap_servers=bs, isolation_level=isolation, enable_auto_commit=False, consumer_timeout_ms=5000)
    c.assign([TopicPartition("kp", 0)])
    c.seek_to_beginning()
    print(isolation.upper(), ",".join(m.value.decode() for m in c))
    c.close()
"""#

    /// kafka-python's transactional producer: commit, abort, offsets sent to the transaction
    /// (AddOffsetsToTxn + TxnOffsetCommit: only the committed transaction's offset counts), and
    /// the last stable offset a read_committed consumer sees while a transaction is open.
    @Test func kafkaPythonsTransactionalProducerCommitsAndAborts() async throws {
        try await ListenerLimitsTests.withListener { f, server, port in
            try f.engine.createTopic("kp", .init(partitions: 1))
            try f.engine.createTopic("kp-in", .init(partitions: 1))
            let run = try await ClientProcess.run(["python3", "-c", Self.kafkaPythonScript, "127.0.0.1:\(port)"])
            #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
            #expect(run.stdout.contains("READ_COMMITTED k1,k2\n"), "\(run.stdout) \(run.stderr)")
            #expect(run.stdout.contains("READ_UNCOMMITTED k1,k-aborted,k2\n"), "\(run.stdout) \(run.stderr)")
            #expect(run.stdout.contains("OPEN-ENDS 0 1\n"), "read_committed ends at the open transaction's first record: \(run.stdout)")
            let tp = TopicPartition("kp-in", 0)
            #expect(await f.engine.coordinator.fetchOffsets(groupId: "kp-group", partitions: [tp])[tp]?.offset == 1)
            await server.expectAnswered(["FindCoordinator", "InitProducerId", "AddPartitionsToTxn", "AddOffsetsToTxn", "TxnOffsetCommit",
                                         "EndTxn", "ListOffsets"])
        }
    }
}
