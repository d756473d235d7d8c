import KafkaProtocol
import Testing
import WharfCore
import WharfEngine
@testable import WharfKafkaServer

/// The transactional APIs' refusals in raw frames through the listener: each is Kafka's error
/// code, PRODUCER_FENCED only from the versions that know it, and the broker goes on serving.
@Suite struct TransactionErrorCodeTests {
    func initProducer(_ socket: RawKafkaSocket, timeoutMs: Int32, version: Int16 = 4) async throws -> InitProducerIdResponse {
        let body = KafkaRequestBody.initProducerId(InitProducerIdRequest(transactionalId: "raw", transactionTimeoutMs: timeoutMs))
        guard case .initProducerId(let r) = try await socket.roundTrip(body, version: version) else { throw WharfError.malformed("not InitProducerId") }
        return r
    }

    func endTxn(_ socket: RawKafkaSocket, id: String, producerId: Int64, epoch: Int16, version: Int16) async throws -> Int16 {
        let body = KafkaRequestBody.endTxn(EndTxnRequest(transactionalId: id, producerId: producerId, producerEpoch: epoch, committed: true))
        guard case .endTxn(let r) = try await socket.roundTrip(body, version: version) else { throw WharfError.malformed("not EndTxn") }
        return r.errorCode
    }

    @Test func refusalsCarryKafkasErrorCodes() async throws {
        try await ListenerLimitsTests.withListener { f, _, port in
            try f.engine.createTopic("t", .init(partitions: 1))
            let socket = try await RawKafkaSocket.connect(port: port)
            defer { socket.close() }
            #expect(try await initProducer(socket, timeoutMs: f.engine.config.transactionMaxTimeoutMs + 1).errorCode == KafkaError.invalidTransactionTimeout)
            let first = try await initProducer(socket, timeoutMs: 60_000)
            #expect(first.errorCode == KafkaError.none)
            let second = try await initProducer(socket, timeoutMs: 60_000)
            #expect(second.producerId == first.producerId && second.producerEpoch == first.producerEpoch + 1)

            // An unknown partition refuses the request; the others are not attempted.
            let add = KafkaRequestBody.addPartitionsToTxn(AddPartitionsToTxnRequest(
                v3AndBelowTransactionalId: "raw", v3AndBelowProducerId: second.producerId, v3AndBelowProducerEpoch: second.producerEpoch,
                v3AndBelowTopics: [.init(name: "t", partitions: [0, 9])]))
            guard case .addPartitionsToTxn(let added) = try await socket.roundTrip(add, version: 3) else { throw WharfError.malformed("not AddPartitionsToTxn") }
            let codes = added.resultsByTopicV3AndBelow.flatMap(\.resultsByPartition).map { [$0.partitionIndex: $0.partitionErrorCode] }
            #expect(codes == [[0: KafkaError.operationNotAttempted], [9: KafkaError.unknownTopicOrPartition]])

            // The fenced epoch: PRODUCER_FENCED from EndTxn v2, INVALID_PRODUCER_EPOCH before.
            #expect(try await endTxn(socket, id: "raw", producerId: first.producerId, epoch: first.producerEpoch, version: 3) == KafkaError.producerFenced)
            #expect(try await endTxn(socket, id: "raw", producerId: first.producerId, epoch: first.producerEpoch, version: 1) == KafkaError.invalidProducerEpoch)
            #expect(try await endTxn(socket, id: "raw", producerId: second.producerId + 1, epoch: 0, version: 3) == KafkaError.invalidProducerIdMapping)
            #expect(try await endTxn(socket, id: "nobody", producerId: 1, epoch: 0, version: 3) == KafkaError.invalidProducerIdMapping)
            // Nothing was added: committing an empty transaction is INVALID_TXN_STATE.
            #expect(try await endTxn(socket, id: "raw", producerId: second.producerId, epoch: second.producerEpoch, version: 3) == KafkaError.invalidTxnState)

            // FindCoordinator for a transactional id (key type 1) answers this broker.
            let find = KafkaRequestBody.findCoordinator(FindCoordinatorRequest(key: "raw", keyType: 1))
            guard case .findCoordinator(let found) = try await socket.roundTrip(find, version: 3) else { throw WharfError.malformed("not FindCoordinator") }
            #expect(found.errorCode == KafkaError.none && found.nodeId == 0 && found.port == Int32(port))
        }
    }
}
