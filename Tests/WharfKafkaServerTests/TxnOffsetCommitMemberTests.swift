import KafkaProtocol
import Testing
import WharfCore
import WharfEngine
@testable import WharfKafkaServer

/// TxnOffsetCommit v3 (KIP-447): the member and generation must be the group's current ones.
@Suite struct TxnOffsetCommitMemberTests {
    @Test func anUnknownMemberOrAnOldGenerationIsRefused() async throws {
        try await ListenerLimitsTests.withListener { f, _, port in
            try f.engine.createTopic("t", .init(partitions: 1))
            let p = try await f.engine.initTransactionalProducer(transactionalId: "m", timeoutMs: 60_000)
            try await f.engine.addOffsetsToTransaction(transactionalId: "m", producerId: p.producerId, epoch: p.epoch, group: "g")
            let socket = try await RawKafkaSocket.connect(port: port)
            defer { socket.close() }
            func commit(generation: Int32, member: String) async throws -> Int16 {
                let body = KafkaRequestBody.txnOffsetCommit(TxnOffsetCommitRequest(
                    transactionalId: "m", groupId: "g", producerId: p.producerId, producerEpoch: p.epoch, generationId: generation, memberId: member,
                    topics: [.init(name: "t", partitions: [.init(partitionIndex: 0, committedOffset: 1)])]))
                guard case .txnOffsetCommit(let r) = try await socket.roundTrip(body, version: 3) else { throw WharfError.malformed("not TxnOffsetCommit") }
                return r.topics.first?.partitions.first?.errorCode ?? -99
            }
            #expect(try await commit(generation: 4, member: "ghost") == KafkaError.unknownMemberId)
            #expect(try await commit(generation: -1, member: "") == KafkaError.none)
        }
    }
}
