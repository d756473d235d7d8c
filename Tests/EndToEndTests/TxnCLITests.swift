import Foundation
import Testing

/// `wharf txn list` beside a running `wharf serve`: a confluent-kafka transactional producer
/// leaves a transaction open, and the CLI (which reads `<data>/transactions.json` without the
/// data directory's lock) shows it with Kafka's state name, its partitions and its producer,
/// filters by state, and refuses a state name that does not exist.
@Suite(.endToEnd) struct TxnCLITests {
    static let openTransaction = #"""
import os, sys
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic
bs = sys.argv[1]
admin = AdminClient({"bootstrap.servers": bs})
admin.create_topics([NewTopic("orders", 2, 1)])["orders"].result(30)
p = Producer({"bootstrap.servers": bs, "transactional.id": "tx-cli", "transaction.timeout.ms": 60000})
p.init_transactions(30)
p.begin_transaction()
p.produce("orders", value=b"pending", partition=1)
if p.flush(30):
    raise SystemExit("not delivered")
print("OPEN", flush=True)
os._exit(0)  # no rd_kafka_destroy(): the transaction stays open on the broker
"""#

    @Test func txnListShowsTheOpenTransactionOfARunningBroker() async throws {
        let server = try KafkaListenerTests.Server()
        let open = try await WharfProcess.run(["-c", Self.openTransaction, server.bootstrap], executable: "/usr/bin/env", prefix: ["python3"])
        #expect(open.status == 0 && open.stdout.contains("OPEN"), "\(open.stdout)\n\(open.stderr)")
        let d = ["--data", server.dir.path]
        let listed = try await WharfProcess.run(["txn", "list"] + d)
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(listed.lines.first?.hasPrefix("TRANSACTIONAL ID") == true, "\(listed.stdout)")
        let row = listed.lines.dropFirst().first ?? ""
        #expect(row.hasPrefix("tx-cli") && row.contains("Ongoing") && row.contains("orders/1") && row.contains("60000"), "\(listed.stdout)")
        let json = try await WharfProcess.run(["txn", "list", "--state", "Ongoing", "--json"] + d)
        #expect(json.stdout.contains(#""transactionalId":"tx-cli""#) && json.stdout.contains(#""status":"ongoing""#), "\(json.stdout)")
        let none = try await WharfProcess.run(["txn", "list", "--state", "CompleteCommit"] + d)
        #expect(none.status == 0 && none.lines == ["no transactional ids"], "\(none.stdout)")
        let bad = try await WharfProcess.run(["txn", "list", "--state", "Bogus"] + d)
        #expect(bad.status != 0 && bad.stderr.contains("--state 'Bogus' is not a transaction state"), "\(bad.stderr)")
        #expect(server.stop() == 0)
    }
}
