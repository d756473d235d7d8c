import KafkaProtocol
import Testing
import WharfCore
import WharfEngine
@testable import WharfKafkaServer

/// DescribeTransactions (65) and ListTransactions (66), KIP-664, through the listener: raw
/// frames for every field and filter, then kafka-python's `list_transactions` and
/// `describe_transactions` (confluent-kafka 2.16 has no such AdminClient calls). A missing
/// client fails the test (CI installs it).
@Suite struct TransactionListingTests {
    /// "open": Ongoing on t/0 and t/1; "idle": Empty; "done": CompleteCommit. Returns their
    /// producer ids.
    static func seed(_ socket: RawKafkaSocket) async throws -> [String: InitProducerIdResponse] {
        var out: [String: InitProducerIdResponse] = [:]
        for id in ["open", "idle", "done"] {
            let body = KafkaRequestBody.initProducerId(InitProducerIdRequest(transactionalId: id, transactionTimeoutMs: 60_000))
            guard case .initProducerId(let r) = try await socket.roundTrip(body, version: 4) else { throw WharfError.malformed("not InitProducerId") }
            #expect(r.errorCode == 0)
            out[id] = r
        }
        for id in ["open", "done"] {
            let add = KafkaRequestBody.addPartitionsToTxn(AddPartitionsToTxnRequest(
                v3AndBelowTransactionalId: id, v3AndBelowProducerId: out[id]!.producerId, v3AndBelowProducerEpoch: out[id]!.producerEpoch,
                v3AndBelowTopics: [.init(name: "t", partitions: [1, 0])]))
            guard case .addPartitionsToTxn = try await socket.roundTrip(add, version: 3) else { throw WharfError.malformed("not AddPartitionsToTxn") }
        }
        let end = KafkaRequestBody.endTxn(EndTxnRequest(transactionalId: "done", producerId: out["done"]!.producerId,
                                                        producerEpoch: out["done"]!.producerEpoch, committed: true))
        guard case .endTxn(let ended) = try await socket.roundTrip(end, version: 3) else { throw WharfError.malformed("not EndTxn") }
        #expect(ended.errorCode == 0)
        return out
    }

    static func list(_ socket: RawKafkaSocket, _ r: ListTransactionsRequest, version: Int16 = 1) async throws -> ListTransactionsResponse {
        guard case .listTransactions(let answer) = try await socket.roundTrip(.listTransactions(r), version: version) else {
            throw WharfError.malformed("not ListTransactions")
        }
        return answer
    }

    @Test func describeAndListAnswerFromTheCoordinatorsState() async throws {
        let clock = ManualClock(1_800_000_000_000)
        try await ListenerLimitsTests.withListener(clock: clock) { f, _, port in
            try f.engine.createTopic("t", .init(partitions: 2))
            let socket = try await RawKafkaSocket.connect(port: port)
            defer { socket.close() }
            let started = clock.nowMillis()
            let ids = try await Self.seed(socket)

            let describe = KafkaRequestBody.describeTransactions(DescribeTransactionsRequest(transactionalIds: ["open", "idle", "nope", "done"]))
            guard case .describeTransactions(let described) = try await socket.roundTrip(describe, version: 0) else {
                throw WharfError.malformed("not DescribeTransactions")
            }
            let d = described.transactionStates
            #expect(d.map(\.transactionalId) == ["open", "idle", "nope", "done"])
            #expect(d.map(\.errorCode) == [0, 0, KafkaError.transactionalIdNotFound, 0])
            #expect(d.map(\.transactionState) == ["Ongoing", "Empty", "", "CompleteCommit"])
            #expect(d[0].producerId == ids["open"]!.producerId && d[0].producerEpoch == ids["open"]!.producerEpoch)
            #expect(d[0].transactionTimeoutMs == 60_000)
            #expect(d[0].transactionStartTimeMs == started)
            #expect(d[0].topics.map { "\($0.topic) \($0.partitions)" } == ["t [0, 1]"])
            #expect(d[1].transactionStartTimeMs == -1)
            #expect(d[1].topics.isEmpty && d[3].topics.isEmpty, "a completed transaction has no partitions left")

            let all = try await Self.list(socket, ListTransactionsRequest(), version: 0)
            #expect(all.errorCode == 0)
            #expect(all.transactionStates.map { "\($0.transactionalId) \($0.transactionState)" } == ["done CompleteCommit", "idle Empty", "open Ongoing"])
            #expect(all.transactionStates.map(\.producerId) == [ids["done"]!.producerId, ids["idle"]!.producerId, ids["open"]!.producerId])

            let byState = try await Self.list(socket, ListTransactionsRequest(stateFilters: ["Ongoing", "Bogus", "Dead"]))
            #expect(byState.transactionStates.map(\.transactionalId) == ["open"])
            #expect(byState.unknownStateFilters == ["Bogus"], "Dead is Kafka's state, known though Wharf never enters it")
            let onlyUnknown = try await Self.list(socket, ListTransactionsRequest(stateFilters: ["Bogus"]))
            #expect(onlyUnknown.transactionStates.isEmpty)

            let byProducer = try await Self.list(socket, ListTransactionsRequest(producerIdFilters: [ids["idle"]!.producerId, 424_242]))
            #expect(byProducer.transactionStates.map(\.transactionalId) == ["idle"])

            // v1's duration filter: transactions that began more than that long ago (an Empty
            // id never began one and always passes, as in Kafka).
            clock.advance(byMillis: 10_000)
            let older5s = try await Self.list(socket, ListTransactionsRequest(durationFilter: 5_000))
            #expect(older5s.transactionStates.map(\.transactionalId) == ["done", "idle", "open"])
            let older20s = try await Self.list(socket, ListTransactionsRequest(durationFilter: 20_000))
            #expect(older20s.transactionStates.map(\.transactionalId) == ["idle"])
        }
    }

    static let kafkaPythonScript = #"""
import sys
from kafka.admin import KafkaAdminClient
a = KafkaAdminClient(bootstrap_servers=sys.argv[1], request_timeout_ms=20000)
for node, listings in a.list_transactions().items():
    for l in sorted(listings, key=lambda l: l.transactional_id):
        print("LIST", l.transactional_id, l.producer_id, l.state.value)
for node, listings in a.list_transactions(state_filters=["Ongoing"]).items():
    print("ONGOING", ",".join(sorted(l.transactional_id for l in listings)))
t = a.describe_transactions(["open"])["open"]
print("DESCRIBE", t.state.value, t.producer_id, t.producer_epoch, t.transaction_timeout_ms,
      ",".join("%s/%d" % (tp.topic, tp.partition) for tp in sorted(t.topic_partitions)))
try:
    a.describe_transactions(["nope"])
    print("NOPE found")
except Exception as e:
    print("NOPE", type(e).__name__)
a.close()
"""#

    @Test func kafkaPythonListsAndDescribesTransactions() async throws {
        try await ListenerLimitsTests.withListener { f, _, port in
            try f.engine.createTopic("t", .init(partitions: 2))
            let socket = try await RawKafkaSocket.connect(port: port)
            defer { socket.close() }
            let ids = try await Self.seed(socket)
            let run = try await ClientProcess.run(["python3", "-c", Self.kafkaPythonScript, "127.0.0.1:\(port)"])
            #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
            let open = ids["open"]!
            #expect(run.stdout.contains("""
                LIST done \(ids["done"]!.producerId) CompleteCommit
                LIST idle \(ids["idle"]!.producerId) Empty
                LIST open \(open.producerId) Ongoing
                ONGOING open
                DESCRIBE Ongoing \(open.producerId) \(open.producerEpoch) 60000 t/0,t/1
                NOPE TransactionalIdNotFoundError
                """), "\(run.stdout) \(run.stderr)")
        }
    }
}
