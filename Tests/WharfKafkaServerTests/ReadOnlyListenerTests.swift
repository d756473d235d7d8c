import Foundation
import KafkaProtocol
import Testing
import WharfCore
import WharfEngine
@testable import WharfKafkaServer

/// `wharf --read-only` on the wire: every write gets Kafka's authorization error and changes
/// nothing; reads keep working.
@Suite struct ReadOnlyListenerTests {
    @Test func everyWriteIsRefusedWithAnAuthorizationErrorAndChangesNothing() async throws {
        try await ListenerLimitsTests.withListener({ $0.readOnly = true }) { f, _, port in
            try f.engine.createTopic("t", .init(partitions: 1))
            try f.engine.produce(topic: "t", records: [Record(key: nil, value: "kept")], partition: 0)
            let client = try await RawKafkaSocket.connect(port: port)
            defer { client.close() }

            guard case .produce(let produced) = try await client.roundTrip(KafkaBrokerTests.produce("t", KafkaBrokerTests.batch(values: ["x"])), version: 7) else {
                Issue.record("not a Produce answer")
                return
            }
            #expect(produced.responses.first?.partitionResponses.first?.errorCode == KafkaError.topicAuthorizationFailed)
            #expect(try f.engine.offsets(topic: "t", partition: 0).logEnd == 1)

            let create = CreateTopicsRequest(topics: [.init(name: "new", numPartitions: 1, replicationFactor: 1)])
            guard case .createTopics(let created) = try await client.roundTrip(.createTopics(create), version: 4, correlationId: 2) else {
                Issue.record("not a CreateTopics answer")
                return
            }
            #expect(created.topics.first?.errorCode == KafkaError.topicAuthorizationFailed)

            guard case .deleteTopics(let deleted) = try await client.roundTrip(.deleteTopics(DeleteTopicsRequest(topicNames: ["t"])), version: 3, correlationId: 3) else {
                Issue.record("not a DeleteTopics answer")
                return
            }
            #expect(deleted.responses.first?.errorCode == KafkaError.topicAuthorizationFailed)

            let trim = DeleteRecordsRequest(topics: [.init(name: "t", partitions: [.init(partitionIndex: 0, offset: 1)])])
            guard case .deleteRecords(let trimmed) = try await client.roundTrip(.deleteRecords(trim), version: 1, correlationId: 4) else {
                Issue.record("not a DeleteRecords answer")
                return
            }
            #expect(trimmed.topics.first?.partitions.first?.errorCode == KafkaError.topicAuthorizationFailed)
            #expect(try f.engine.offsets(topic: "t", partition: 0).logStart == 0)

            let commit = OffsetCommitRequest(groupId: "g", topics: [.init(name: "t", partitions: [.init(partitionIndex: 0, committedOffset: 1)])])
            guard case .offsetCommit(let committed) = try await client.roundTrip(.offsetCommit(commit), version: 7, correlationId: 5) else {
                Issue.record("not an OffsetCommit answer")
                return
            }
            #expect(committed.topics.first?.partitions.first?.errorCode == KafkaError.groupAuthorizationFailed)

            guard case .deleteGroups(let groups) = try await client.roundTrip(.deleteGroups(DeleteGroupsRequest(groupsNames: ["g"])), version: 1, correlationId: 6) else {
                Issue.record("not a DeleteGroups answer")
                return
            }
            #expect(groups.results.first?.errorCode == KafkaError.groupAuthorizationFailed)

            guard case .initProducerId(let producer) = try await client.roundTrip(.initProducerId(InitProducerIdRequest(transactionalId: nil)), version: 1, correlationId: 7) else {
                Issue.record("not an InitProducerId answer")
                return
            }
            #expect(producer.errorCode == KafkaError.clusterAuthorizationFailed)

            // Metadata names an unknown topic without creating it, even when the client allows it.
            let metadata = MetadataRequest(topics: [.init(name: "unknown")], allowAutoTopicCreation: true)
            guard case .metadata(let described) = try await client.roundTrip(.metadata(metadata), version: 4, correlationId: 8) else {
                Issue.record("not a Metadata answer")
                return
            }
            #expect(described.topics.first?.errorCode == KafkaError.unknownTopicOrPartition)
            #expect(f.engine.listTopics(includeInternal: false) == ["t"])

            // Reads are served.
            guard case .fetch(let fetched) = try await client.roundTrip(ListenerLimitsTests.fetch([0]), version: 4, correlationId: 9) else {
                Issue.record("not a Fetch answer")
                return
            }
            let records = try RecordBatchReader.records(in: fetched.responses.first?.partitions.first?.records ?? [])
            #expect(records.map { String(decoding: $0.value ?? [], as: UTF8.self) } == ["kept"])
        }
    }

    @Test func anAcksZeroProduceIsAnsweredByClosingTheConnection() async throws {
        try await ListenerLimitsTests.withListener({ $0.readOnly = true }) { f, _, port in
            try f.engine.createTopic("t", .init(partitions: 1))
            let client = try await RawKafkaSocket.connect(port: port)
            defer { client.close() }
            _ = try await client.send(RawKafkaSocket.request(KafkaBrokerTests.produce("t", KafkaBrokerTests.batch(values: ["x"]), acks: 0), version: 7))
            #expect(try await client.isClosedByServer(within: RawKafkaSocket.patience))
            #expect(try f.engine.offsets(topic: "t", partition: 0).logEnd == 0)
        }
    }
}
