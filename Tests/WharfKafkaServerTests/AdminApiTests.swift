import Foundation
import KafkaProtocol
import Logging
import Testing
import WharfCore
import WharfEngine
@testable import WharfKafkaServer

/// The Kafka 3.x admin APIs of issue 19 through the listener with raw frames: CreatePartitions,
/// AlterConfigs, IncrementalAlterConfigs, DescribeConfigs' sources, DescribeCluster,
/// OffsetDelete, and a read-only listener refusing the writes among them.
@Suite struct AdminApiTests {
    @Test func createPartitionsGrowsATopicAndRefusesWhatKafkaRefuses() async throws {
        try await ListenerLimitsTests.withListener { f, _, port in
            try f.engine.createTopic("t", .init(partitions: 2))
            try f.engine.createTopic("u", .init(partitions: 1))
            let client = try await RawKafkaSocket.connect(port: port)
            defer { client.close() }
            let checkOnly = CreatePartitionsRequest(topics: [.init(name: "u", count: 3, assignments: nil)], timeoutMs: 1000, validateOnly: true)
            guard case .createPartitions(let checked) = try await client.roundTrip(.createPartitions(checkOnly), version: 3) else {
                Issue.record("not a CreatePartitions answer")
                return
            }
            #expect(checked.results.map(\.errorCode) == [0])
            #expect(try f.engine.describeTopic("u").partitions.count == 1)

            let request = CreatePartitionsRequest(topics: [
                .init(name: "t", count: 4, assignments: nil),
                .init(name: "u", count: 1, assignments: nil),
                .init(name: "nope", count: 2, assignments: nil),
                .init(name: "dup", count: 2, assignments: nil), .init(name: "dup", count: 3, assignments: nil),
            ], timeoutMs: 1000)
            for version: Int16 in [0, 3] {
                guard case .createPartitions(let r) = try await client.roundTrip(.createPartitions(request), version: version, correlationId: 2) else {
                    Issue.record("not a CreatePartitions answer")
                    return
                }
                let grown: Int16 = version == 0 ? 0 : KafkaError.invalidPartitions  // the second time, t already has 4
                #expect(r.results.map(\.errorCode) == [grown, KafkaError.invalidPartitions, KafkaError.unknownTopicOrPartition,
                                                        KafkaError.invalidRequest, KafkaError.invalidRequest], "v\(version)")
            }
            #expect(try f.engine.describeTopic("t").partitions.count == 4)
            // A new partition takes records.
            try f.engine.produce(topic: "t", records: [Record(key: nil, value: "x")], partition: 3)
            let assigned = CreatePartitionsRequest(topics: [.init(name: "u", count: 2, assignments: [.init(brokerIds: [5])])], timeoutMs: 1000)
            guard case .createPartitions(let wrongBroker) = try await client.roundTrip(.createPartitions(assigned), version: 1, correlationId: 3) else {
                Issue.record("not a CreatePartitions answer")
                return
            }
            #expect(wrongBroker.results.map(\.errorCode) == [KafkaError.invalidReplicaAssignment])
        }
    }

    @Test func alteredConfigsAreDescribedWithTheirSourceAppliedAndSurviveARestart() async throws {
        let dir = NSTemporaryDirectory() + "wharf-configs-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let engine = try Engine.open(config: EngineConfig(dataDirectory: dir, fsync: .never), logger: Logger(label: "test"))
        try engine.createTopic("t", .init(partitions: 1, retentionBytes: 1_000_000))
        var config = KafkaServer.Configuration()
        config.port = 0
        let server = KafkaServer(engine: engine, configuration: config, logger: Logger(label: "test"))
        let port = try await server.start()
        do {
            let client = try await RawKafkaSocket.connect(port: port)
            defer { client.close() }
            // AlterConfigs replaces: retention.bytes (not named) goes back to its default.
            let alter = AlterConfigsRequest(resources: [
                .init(resourceType: 2, resourceName: "t", configs: [.init(name: "retention.ms", value: "3600000"), .init(name: "compression.type", value: "lz4")]),
                .init(resourceType: 2, resourceName: "nope", configs: [.init(name: "retention.ms", value: "1")]),
                .init(resourceType: 2, resourceName: "t", configs: [.init(name: "no.such.thing", value: "1")]),
                .init(resourceType: 4, resourceName: "0", configs: [.init(name: "log.dirs", value: "/x")]),
            ])
            guard case .alterConfigs(let altered) = try await client.roundTrip(.alterConfigs(alter), version: 1) else {
                Issue.record("not an AlterConfigs answer")
                return
            }
            #expect(altered.responses.map(\.errorCode) == [0, KafkaError.unknownTopicOrPartition, KafkaError.invalidConfig, KafkaError.invalidRequest])
            #expect(try engine.topicSettings("t").retentionMs == 3_600_000 && engine.topicSettings("t").retentionBytes == nil)

            // Incremental: SET max.message.bytes, DELETE retention.ms; a bad value or APPEND to a
            // non-list config changes nothing of its resource.
            let incremental = IncrementalAlterConfigsRequest(resources: [
                .init(resourceType: 2, resourceName: "t", configs: [.init(name: "max.message.bytes", configOperation: 0, value: "200"),
                                                                      .init(name: "retention.ms", configOperation: 1, value: nil)]),
                .init(resourceType: 2, resourceName: "t", configs: [.init(name: "segment.bytes", configOperation: 0, value: "-5")]),
                .init(resourceType: 2, resourceName: "t", configs: [.init(name: "retention.ms", configOperation: 2, value: "5")]),
            ])
            guard case .incrementalAlterConfigs(let inc) = try await client.roundTrip(.incrementalAlterConfigs(incremental), version: 1, correlationId: 2) else {
                Issue.record("not an IncrementalAlterConfigs answer")
                return
            }
            #expect(inc.responses.map(\.errorCode) == [0, KafkaError.invalidConfig, KafkaError.invalidConfig])
            #expect(try engine.topicSettings("t").maxMessageBytes == 200 && engine.topicSettings("t").retentionMs == nil)

            // Applied to the live partition: a batch over 200 bytes is refused now.
            let big = KafkaBrokerTests.batch(values: [String(repeating: "x", count: 400)])
            guard case .produce(let p) = try await client.roundTrip(KafkaBrokerTests.produce("t", big), version: 7, correlationId: 3) else {
                Issue.record("not a Produce answer")
                return
            }
            #expect(p.responses.first?.partitionResponses.first?.errorCode == KafkaError.messageTooLarge)

            let describe = DescribeConfigsRequest(resources: [.init(resourceType: 2, resourceName: "t", configurationKeys: ["max.message.bytes", "retention.ms"])])
            guard case .describeConfigs(let d) = try await client.roundTrip(.describeConfigs(describe), version: 3, correlationId: 4) else {
                Issue.record("not a DescribeConfigs answer")
                return
            }
            let described = Dictionary(uniqueKeysWithValues: d.results[0].configs.map { ($0.name, ($0.value, $0.configSource, $0.isDefault)) })
            #expect(described["max.message.bytes"]?.0 == "200" && described["max.message.bytes"]?.1 == ConfigResource.dynamicTopicConfig)
            #expect(described["retention.ms"]?.0 == "\(engine.topicDefaults.retentionMs)" && described["retention.ms"]?.1 == ConfigResource.defaultConfig)
            #expect(described.count == 2)
        } catch {
            await server.stop()
            try engine.close()
            throw error
        }
        await server.stop()
        try engine.close()

        let reopened = try Engine.open(config: EngineConfig(dataDirectory: dir, fsync: .never), logger: Logger(label: "test"))
        defer { try? reopened.close() }
        #expect(try reopened.topicSettings("t").maxMessageBytes == 200)
        #expect(try reopened.topicSettings("t").retentionMs == nil)
        #expect(throws: WharfError.self) {
            try reopened.produce(topic: "t", records: [Record(key: nil, value: String(repeating: "x", count: 400))], partition: 0)
        }
    }

    /// Kafka's dynamic broker configuration (KIP-226): a dynamic config is accepted for this
    /// broker or the cluster-wide default (librdkafka's 0081_admin sets
    /// sasl.kerberos.min.time.before.relogin); a static one, an unprefixed SSL one, a bad number,
    /// or another broker's id is INVALID_REQUEST for the whole resource.
    @Test func brokerResourcesAreAnsweredAsKafkasDynamicBrokerConfig() async throws {
        try await ListenerLimitsTests.withListener { _, _, port in
            let client = try await RawKafkaSocket.connect(port: port)
            defer { client.close() }
            let alter = AlterConfigsRequest(resources: [
                .init(resourceType: 4, resourceName: "0", configs: [.init(name: "sasl.kerberos.min.time.before.relogin", value: "58000")]),
                .init(resourceType: 4, resourceName: "", configs: [.init(name: "log.retention.ms", value: "604800000"), .init(name: "some.plugin.setting", value: "x")]),
                .init(resourceType: 4, resourceName: "0", configs: [.init(name: "log.retention.ms", value: "1"), .init(name: "log.dirs", value: "/x"), .init(name: "broker.id", value: "3")]),
                .init(resourceType: 4, resourceName: "0", configs: [.init(name: "ssl.keystore.location", value: "/k")]),
                .init(resourceType: 4, resourceName: "0", configs: [.init(name: "num.io.threads", value: "many")]),
                .init(resourceType: 4, resourceName: "7", configs: [.init(name: "log.retention.ms", value: "1")]),
                .init(resourceType: 4, resourceName: "zero", configs: []),
            ])
            guard case .alterConfigs(let a) = try await client.roundTrip(.alterConfigs(alter), version: 1) else {
                Issue.record("not an AlterConfigs answer")
                return
            }
            let invalid = KafkaError.invalidRequest
            #expect(a.responses.map(\.errorCode) == [0, 0, invalid, invalid, invalid, invalid, invalid])
            #expect(a.responses[2].errorMessage == "Cannot update these configs dynamically: Set(broker.id, log.dirs)")
            #expect(a.responses[3].errorMessage?.hasPrefix("These security configs can be dynamically updated only per-listener") == true)
            #expect(a.responses[5].errorMessage == "Unexpected broker id, expected 0 or empty string, but received 7")

            let inc = IncrementalAlterConfigsRequest(resources: [
                .init(resourceType: 4, resourceName: "0", configs: [.init(name: "num.io.threads", configOperation: 1, value: nil)]),
                .init(resourceType: 4, resourceName: "", configs: [.init(name: "auto.create.topics.enable", configOperation: 0, value: "false")]),
            ])
            guard case .incrementalAlterConfigs(let i) = try await client.roundTrip(.incrementalAlterConfigs(inc), version: 1, correlationId: 2) else {
                Issue.record("not an IncrementalAlterConfigs answer")
                return
            }
            #expect(i.responses.map(\.errorCode) == [0, invalid])
        }
    }

    /// Config resources Wharf has no configs for: a broker (and its loggers) is an empty list;
    /// a group (32: Kafka 4.0's group configs), client metrics (16) or an unknown type is
    /// INVALID_REQUEST, as from a Kafka without them and as AlterConfigs answers (librdkafka
    /// 2.15's 0081 `do_test_DescribeConfigs_groups`).
    @Test func describeConfigsRefusesResourceTypesWithoutConfigsHere() async throws {
        try await ListenerLimitsTests.withListener { f, _, port in
            try f.engine.createTopic("t", .init(partitions: 1))
            let client = try await RawKafkaSocket.connect(port: port)
            defer { client.close() }
            let describe = DescribeConfigsRequest(resources: [2, 4, 8, 32, 16, 3].map { .init(resourceType: $0, resourceName: $0 == 2 ? "t" : "0", configurationKeys: nil) })
            guard case .describeConfigs(let d) = try await client.roundTrip(.describeConfigs(describe), version: 3) else {
                Issue.record("not a DescribeConfigs answer")
                return
            }
            let invalid = KafkaError.invalidRequest
            #expect(d.results.map(\.errorCode) == [0, 0, 0, invalid, invalid, invalid])
            #expect(d.results[3].errorMessage == "unsupported resource type 32")
            #expect(!d.results[0].configs.isEmpty && d.results[1].configs.isEmpty)
        }
    }

    @Test func describeClusterNamesThisBroker() async throws {
        try await ListenerLimitsTests.withListener { _, _, port in
            let client = try await RawKafkaSocket.connect(port: port)
            defer { client.close() }
            for version: Int16 in [0, 1] {
                guard case .describeCluster(let r) = try await client.roundTrip(.describeCluster(DescribeClusterRequest()), version: version) else {
                    Issue.record("not a DescribeCluster answer")
                    return
                }
                #expect(r.errorCode == 0 && r.clusterId == "wharf-cluster" && r.controllerId == 0)
                #expect(r.brokers.map(\.brokerId) == [0] && r.brokers.first?.port == Int32(port))
            }
            guard case .describeCluster(let controllers) = try await client.roundTrip(.describeCluster(DescribeClusterRequest(endpointType: 2)), version: 1, correlationId: 2) else {
                Issue.record("not a DescribeCluster answer")
                return
            }
            #expect(controllers.errorCode == KafkaError.unsupportedEndpointType)
        }
    }

    @Test func offsetDeleteRemovesAnEmptyGroupsCommits() async throws {
        try await ListenerLimitsTests.withListener { f, _, port in
            try f.engine.createTopic("t", .init(partitions: 2))
            try await f.engine.coordinator.commit(groupId: "g", generationId: -1, memberId: "", offsets: [
                TopicPartition("t", 0): (1, ""), TopicPartition("t", 1): (0, ""),
            ])
            let client = try await RawKafkaSocket.connect(port: port)
            defer { client.close() }
            let request = OffsetDeleteRequest(groupId: "g", topics: [.init(name: "t", partitions: [.init(partitionIndex: 0)]),
                                                                   .init(name: "nope", partitions: [.init(partitionIndex: 0)])])
            guard case .offsetDelete(let r) = try await client.roundTrip(.offsetDelete(request), version: 0) else {
                Issue.record("not an OffsetDelete answer")
                return
            }
            #expect(r.errorCode == 0)
            #expect(r.topics.map { $0.partitions.map(\.errorCode) } == [[0], [KafkaError.unknownTopicOrPartition]])
            let left = await f.engine.coordinator.fetchOffsets(groupId: "g", partitions: nil)
            #expect(Set(left.keys) == [TopicPartition("t", 1)])

            guard case .offsetDelete(let missing) = try await client.roundTrip(.offsetDelete(OffsetDeleteRequest(groupId: "none", topics: request.topics)), version: 0, correlationId: 2) else {
                Issue.record("not an OffsetDelete answer")
                return
            }
            #expect(missing.errorCode == KafkaError.groupIdNotFound)
        }
    }

    @Test func aReadOnlyListenerRefusesTheNewWritesAndChangesNothing() async throws {
        try await ListenerLimitsTests.withListener({ $0.readOnly = true }) { f, _, port in
            try f.engine.createTopic("t", .init(partitions: 1))
            try await f.engine.coordinator.commit(groupId: "g", generationId: -1, memberId: "", offsets: [TopicPartition("t", 0): (0, "")])
            let client = try await RawKafkaSocket.connect(port: port)
            defer { client.close() }
            let grow = CreatePartitionsRequest(topics: [.init(name: "t", count: 3, assignments: nil)], timeoutMs: 1000)
            guard case .createPartitions(let g) = try await client.roundTrip(.createPartitions(grow), version: 3) else { Issue.record("not CreatePartitions"); return }
            #expect(g.results.map(\.errorCode) == [KafkaError.topicAuthorizationFailed])
            let alter = AlterConfigsRequest(resources: [.init(resourceType: 2, resourceName: "t", configs: [.init(name: "retention.ms", value: "1000")])])
            guard case .alterConfigs(let a) = try await client.roundTrip(.alterConfigs(alter), version: 2, correlationId: 2) else { Issue.record("not AlterConfigs"); return }
            #expect(a.responses.map(\.errorCode) == [KafkaError.topicAuthorizationFailed])
            let inc = IncrementalAlterConfigsRequest(resources: [.init(resourceType: 2, resourceName: "t", configs: [.init(name: "retention.ms", configOperation: 0, value: "1000")])])
            guard case .incrementalAlterConfigs(let i) = try await client.roundTrip(.incrementalAlterConfigs(inc), version: 1, correlationId: 3) else { Issue.record("not IncrementalAlterConfigs"); return }
            #expect(i.responses.map(\.errorCode) == [KafkaError.topicAuthorizationFailed])
            let delete = OffsetDeleteRequest(groupId: "g", topics: [.init(name: "t", partitions: [.init(partitionIndex: 0)])])
            guard case .offsetDelete(let d) = try await client.roundTrip(.offsetDelete(delete), version: 0, correlationId: 4) else { Issue.record("not OffsetDelete"); return }
            #expect(d.errorCode == KafkaError.groupAuthorizationFailed)

            #expect(try f.engine.describeTopic("t").partitions.count == 1)
            #expect(try f.engine.topicSettings("t").retentionMs == nil)
            #expect(await f.engine.coordinator.fetchOffsets(groupId: "g", partitions: nil).count == 1)
        }
    }

    /// DescribeProducers: the idempotent producers a partition remembers, with their epoch and
    /// last sequence; an unknown partition is UNKNOWN_TOPIC_OR_PARTITION.
    @Test func describeProducersListsEachPartitionsIdempotentProducers() async throws {
        try await ListenerLimitsTests.withListener { f, _, port in
            try f.engine.createTopic("t", .init(partitions: 2))
            let client = try await RawKafkaSocket.connect(port: port)
            defer { client.close() }
            guard case .initProducerId(let pid) = try await client.roundTrip(.initProducerId(InitProducerIdRequest(transactionalId: nil, transactionTimeoutMs: 60000)), version: 1)
            else { Issue.record("not InitProducerId"); return }
            let batch = KafkaBrokerTests.batch(producerId: pid.producerId, sequence: 0, values: ["a", "b", "c"])
            guard case .produce(let p) = try await client.roundTrip(KafkaBrokerTests.produce("t", batch), version: 7, correlationId: 2) else { Issue.record("not Produce"); return }
            #expect(p.responses.first?.partitionResponses.first?.errorCode == 0)
            let request = DescribeProducersRequest(topics: [.init(name: "t", partitionIndexes: [0, 1, 7])])
            guard case .describeProducers(let d) = try await client.roundTrip(.describeProducers(request), version: 0, correlationId: 3) else { Issue.record("not DescribeProducers"); return }
            let partitions = try #require(d.topics.first?.partitions)
            #expect(partitions.map(\.errorCode) == [0, 0, KafkaError.unknownTopicOrPartition])
            #expect(partitions[0].activeProducers.map { [$0.producerId, Int64($0.producerEpoch), Int64($0.lastSequence)] } == [[pid.producerId, 0, 2]])
            #expect(partitions[1].activeProducers.isEmpty)
        }
    }
}
