import KafkaProtocol
import Testing
import WharfAuth
import WharfCore
import WharfEngine
@testable import WharfKafkaServer

/// `--authorize` for DescribeTransactions, ListTransactions and DeleteTopics by topic id,
/// through a SASL listener with raw frames, as Kafka checks them: DESCRIBE on the transactional
/// id (the partitions of topics without DESCRIBE left out), listings filtered by it, and DELETE
/// checked under the name a topic id has now.
@Suite(.serialized) struct TransactionListingAuthorizationTests {
    @Test func transactionsAreDescribedAndListedOnlyWithDescribeOnTheirIds() async throws {
        let acls = [AclListenerTests.acl(.transactionalId, "open", "User:alice", .describe),
                    AclListenerTests.acl(.topic, "t", "User:alice", .describe)]
        try await AclListenerTests.withAclListener(acls) { f, port, _ in
            try f.engine.createTopic("t", .init(partitions: 1))
            try f.engine.createTopic("u", .init(partitions: 1))
            let admin = try await AclListenerTests.login(port, as: "admin")
            defer { admin.close() }
            for id in ["open", "idle"] {
                let body = KafkaRequestBody.initProducerId(InitProducerIdRequest(transactionalId: id, transactionTimeoutMs: 60_000))
                guard case .initProducerId(let r) = try await admin.roundTrip(body, version: 4) else { throw WharfError.malformed("not InitProducerId") }
                guard id == "open" else { continue }
                let add = KafkaRequestBody.addPartitionsToTxn(AddPartitionsToTxnRequest(
                    v3AndBelowTransactionalId: id, v3AndBelowProducerId: r.producerId, v3AndBelowProducerEpoch: r.producerEpoch,
                    v3AndBelowTopics: [.init(name: "t", partitions: [0]), .init(name: "u", partitions: [0])]))
                guard case .addPartitionsToTxn = try await admin.roundTrip(add, version: 3) else { throw WharfError.malformed("not AddPartitionsToTxn") }
            }
            let alice = try await AclListenerTests.login(port, as: "alice")
            defer { alice.close() }
            let describe = KafkaRequestBody.describeTransactions(DescribeTransactionsRequest(transactionalIds: ["idle", "open"]))
            guard case .describeTransactions(let described) = try await alice.roundTrip(describe, version: 0) else {
                throw WharfError.malformed("not DescribeTransactions")
            }
            #expect(described.transactionStates.map(\.transactionalId) == ["idle", "open"])
            #expect(described.transactionStates.map(\.errorCode) == [KafkaError.transactionalIdAuthorizationFailed, 0])
            #expect(described.transactionStates[1].topics.map(\.topic) == ["t"], "u has no DESCRIBE for alice")
            guard case .listTransactions(let listed) = try await alice.roundTrip(.listTransactions(ListTransactionsRequest()), version: 1) else {
                throw WharfError.malformed("not ListTransactions")
            }
            #expect(listed.transactionStates.map(\.transactionalId) == ["open"])
            guard case .listTransactions(let all) = try await admin.roundTrip(.listTransactions(ListTransactionsRequest()), version: 1) else {
                throw WharfError.malformed("not ListTransactions")
            }
            #expect(all.transactionStates.map(\.transactionalId) == ["idle", "open"])
        }
    }

    @Test func deleteTopicsByIdIsCheckedUnderTheTopicsName() async throws {
        try await AclListenerTests.withAclListener([AclListenerTests.acl(.topic, "mine", "User:alice", .delete)]) { f, port, _ in
            try f.engine.createTopic("mine", .init(partitions: 1))
            try f.engine.createTopic("theirs", .init(partitions: 1))
            let mine = try TopicIncarnationTests.uuid(f.engine, "mine")
            let theirs = try TopicIncarnationTests.uuid(f.engine, "theirs")
            let alice = try await AclListenerTests.login(port, as: "alice")
            defer { alice.close() }
            let results = try await TopicIncarnationTests.delete(alice, [.init(name: nil, topicId: theirs), .init(name: nil, topicId: mine)])
            let byId = Dictionary(results.map { ($0.topicId, $0) }, uniquingKeysWith: { a, _ in a })
            #expect(byId[theirs]?.errorCode == KafkaError.topicAuthorizationFailed)
            #expect(byId[theirs]?.name == nil, "a refused id is not named")
            #expect(byId[mine]?.errorCode == 0 && byId[mine]?.name == "mine")
            #expect((try? f.engine.describeTopic("theirs")) != nil)
            #expect((try? f.engine.describeTopic("mine")) == nil)
        }
    }
}
