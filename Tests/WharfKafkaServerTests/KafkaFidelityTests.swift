import Foundation
import KafkaProtocol
import Testing
import WharfCore
import WharfEngine
@testable import WharfKafkaServer

/// Issue 19's table: answers where librdkafka's integration suite found Wharf unlike Kafka,
/// each through the listener with raw frames.
@Suite struct KafkaFidelityTests {
    /// 0054_offset_time: a time with no record at or after it is offset -1, not the log end.
    @Test func listOffsetsByTimeWithNoLaterRecordAnswersMinusOne() async throws {
        try await ListenerLimitsTests.withListener { f, _, port in
            try f.engine.createTopic("t", .init(partitions: 2))
            try f.engine.produce(topic: "t", records: [Record(key: nil, value: "a", timestamp: 1000), Record(key: nil, value: "b", timestamp: 2000)], partition: 0)
            let client = try await RawKafkaSocket.connect(port: port)
            defer { client.close() }
            var request = ListOffsetsRequest(replicaId: -1)
            request.topics = [.init(name: "t", partitions: [
                .init(partitionIndex: 0, timestamp: 1500), .init(partitionIndex: 0, timestamp: 2001),
                .init(partitionIndex: 1, timestamp: 0), .init(partitionIndex: 1, timestamp: -1),
            ])]
            for version: Int16 in [1, 5] {
                guard case .listOffsets(let r) = try await client.roundTrip(.listOffsets(request), version: version) else {
                    Issue.record("not a ListOffsets answer")
                    return
                }
                // Partition 1 is empty: by time -1, latest (-1 asked) its end, 0.
                #expect(r.topics[0].partitions.map(\.offset) == [1, -1, -1, 0], "v\(version)")
                #expect(r.topics[0].partitions.allSatisfy { $0.errorCode == 0 })
            }
        }
    }

    /// 0030_offset_commit: a commit for a topic that does not exist is refused per partition;
    /// the topics that exist in the same request are committed, a partition past the count
    /// included (Kafka 3.x checks topics only; 0107's consumer commits such partitions as it
    /// closes after its topic was recreated smaller).
    @Test func offsetCommitForAnUnknownTopicIsUnknownTopicOrPartition() async throws {
        try await ListenerLimitsTests.withListener({ $0.autoCreateTopics = false }) { f, _, port in
            try f.engine.createTopic("t", .init(partitions: 1))
            let client = try await RawKafkaSocket.connect(port: port)
            defer { client.close() }
            let commit = OffsetCommitRequest(groupId: "g", generationIdOrMemberEpoch: -1, memberId: "", topics: [
                .init(name: "t", partitions: [.init(partitionIndex: 0, committedOffset: 0), .init(partitionIndex: 5, committedOffset: 0)]),
                .init(name: "nope", partitions: [.init(partitionIndex: 0, committedOffset: 3)]),
            ])
            guard case .offsetCommit(let r) = try await client.roundTrip(.offsetCommit(commit), version: 7) else {
                Issue.record("not an OffsetCommit answer")
                return
            }
            #expect(r.topics.map { $0.partitions.map(\.errorCode) } == [[0, 0], [KafkaError.unknownTopicOrPartition]])
            let stored = await f.engine.coordinator.fetchOffsets(groupId: "g", partitions: nil)
            #expect(Set(stored.keys) == [TopicPartition("t", 0), TopicPartition("t", 5)])
        }
    }

    /// 0057_invalid_topic: a name no topic can have is INVALID_TOPIC_EXCEPTION in Metadata,
    /// CreateTopics and Produce, so a producer fails at once instead of waiting for the topic.
    @Test func anIllegalTopicNameIsInvalidTopicInMetadataCreateTopicsAndProduce() async throws {
        try await ListenerLimitsTests.withListener { f, _, port in
            let client = try await RawKafkaSocket.connect(port: port)
            defer { client.close() }
            let bad = ["...$#!", ".", "..", String(repeating: "x", count: 250), "a b"]
            let metadata = MetadataRequest(topics: (bad + ["legal-but-new"]).map { .init(name: $0) }, allowAutoTopicCreation: false)
            guard case .metadata(let m) = try await client.roundTrip(.metadata(metadata), version: 8) else {
                Issue.record("not a Metadata answer")
                return
            }
            #expect(m.topics.map(\.errorCode) == Array(repeating: KafkaError.invalidTopic, count: bad.count) + [KafkaError.unknownTopicOrPartition])

            let create = CreateTopicsRequest(topics: [.init(name: "...$#!", numPartitions: 1, replicationFactor: 1)])
            guard case .createTopics(let c) = try await client.roundTrip(.createTopics(create), version: 4, correlationId: 2) else {
                Issue.record("not a CreateTopics answer")
                return
            }
            #expect(c.topics.map(\.errorCode) == [KafkaError.invalidTopic])

            guard case .produce(let p) = try await client.roundTrip(KafkaBrokerTests.produce("...$#!", KafkaBrokerTests.batch(values: ["x"])), version: 7, correlationId: 3) else {
                Issue.record("not a Produce answer")
                return
            }
            #expect(p.responses.first?.partitionResponses.first?.errorCode == KafkaError.invalidTopic)
            #expect(f.engine.listTopics().isEmpty)
        }
    }

    /// 0081_admin: CreateTopics with a config Kafka does not have, or a value it would not take,
    /// is INVALID_CONFIG and creates nothing; Kafka's configs Wharf ignores are accepted.
    @Test func createTopicsRefusesUnknownConfigsAndBadValues() async throws {
        try await ListenerLimitsTests.withListener { f, _, port in
            let client = try await RawKafkaSocket.connect(port: port)
            defer { client.close() }
            let create = CreateTopicsRequest(topics: [
                .init(name: "unknown-config", numPartitions: 1, replicationFactor: 1, configs: [.init(name: "dummy.doesntexist", value: "1")]),
                .init(name: "bad-value", numPartitions: 1, replicationFactor: 1, configs: [.init(name: "retention.ms", value: "soon")]),
                .init(name: "bad-bool", numPartitions: 1, replicationFactor: 1, configs: [.init(name: "preallocate", value: "maybe")]),
                .init(name: "bad-policy", numPartitions: 1, replicationFactor: 1, configs: [.init(name: "cleanup.policy", value: "compact,bogus")]),
                .init(name: "fine", numPartitions: 2, replicationFactor: 1, configs: [
                    .init(name: "compression.type", value: "zstd"), .init(name: "retention.ms", value: "60000"),
                    .init(name: "min.insync.replicas", value: "1"),
                ]),
            ])
            guard case .createTopics(let c) = try await client.roundTrip(.createTopics(create), version: 4) else {
                Issue.record("not a CreateTopics answer")
                return
            }
            let invalid = KafkaError.invalidConfig
            #expect(c.topics.map(\.errorCode) == [invalid, invalid, invalid, invalid, 0])
            #expect(c.topics[0].errorMessage?.contains("dummy.doesntexist") == true)
            #expect(f.engine.listTopics() == ["fine"])
            #expect(try f.engine.topicSettings("fine").retentionMs == 60000)
        }
    }

    /// 0081_admin: topics created with explicit replica assignments get one partition per
    /// assignment; assignments naming another broker or skipping a partition are refused.
    @Test func createTopicsWithReplicaAssignmentsTakesTheirPartitionCount() async throws {
        try await ListenerLimitsTests.withListener { f, _, port in
            let client = try await RawKafkaSocket.connect(port: port)
            defer { client.close() }
            let assigned = (0..<5).map { CreateTopicsRequest.CreatableReplicaAssignment(partitionIndex: Int32($0), brokerIds: [0]) }
            let create = CreateTopicsRequest(topics: [
                .init(name: "assigned", numPartitions: -1, replicationFactor: -1, assignments: assigned),
                .init(name: "elsewhere", numPartitions: -1, replicationFactor: -1, assignments: [.init(partitionIndex: 0, brokerIds: [3])]),
                .init(name: "gap", numPartitions: -1, replicationFactor: -1, assignments: [.init(partitionIndex: 1, brokerIds: [0])]),
                .init(name: "both", numPartitions: 2, replicationFactor: -1, assignments: [.init(partitionIndex: 0, brokerIds: [0])]),
            ])
            guard case .createTopics(let c) = try await client.roundTrip(.createTopics(create), version: 4) else {
                Issue.record("not a CreateTopics answer")
                return
            }
            #expect(c.topics.map(\.errorCode) == [0, KafkaError.invalidReplicaAssignment, KafkaError.invalidReplicaAssignment, KafkaError.invalidRequest])
            #expect(try f.engine.describeTopic("assigned").partitions.count == 5)
            #expect(f.engine.listTopics() == ["assigned"])
        }
    }

    /// 0107_topic_recreate: Metadata v10+ carries topic ids; a topic keeps its id (across a
    /// restart too, being derived from what topic.json holds) and gets a new one when deleted and
    /// created again, so a client can tell the two apart; v12 looks topics up by id and answers
    /// UNKNOWN_TOPIC_ID for an id no topic has.
    @Test func topicIdsTellARecreatedTopicApart() async throws {
        try await ListenerLimitsTests.withListener { f, _, port in
            let client = try await RawKafkaSocket.connect(port: port)
            defer { client.close() }
            func describe(_ topics: [MetadataRequest.MetadataRequestTopic], _ id: Int32) async throws -> [MetadataResponse.MetadataResponseTopic] {
                guard case .metadata(let m) = try await client.roundTrip(.metadata(MetadataRequest(topics: topics, allowAutoTopicCreation: false)), version: 12, correlationId: id)
                else { return [] }
                return m.topics
            }
            try f.engine.createTopic("t", .init(partitions: 2))
            let first = try #require(try await describe([.init(name: "t")], 1).first?.topicId)
            #expect(first != .zero)
            #expect(try await describe([.init(name: "t")], 2).first?.topicId == first)
            let byId = try await describe([.init(topicId: first, name: nil)], 3)
            #expect(byId.map(\.name) == ["t"] && byId.first?.partitions.count == 2)

            try f.engine.deleteTopic("t")
            try await Task.sleep(for: .milliseconds(5))  // ids carry the creation millisecond
            try f.engine.createTopic("t", .init(partitions: 3))
            let second = try #require(try await describe([.init(name: "t")], 4).first?.topicId)
            #expect(second != first && second != .zero)
            let stale = try await describe([.init(topicId: first, name: nil)], 5)
            #expect(stale.map(\.errorCode) == [KafkaError.unknownTopicId] && stale.first?.topicId == first)
        }
    }
}
