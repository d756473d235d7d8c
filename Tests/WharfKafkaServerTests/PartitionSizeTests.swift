import Foundation
import KafkaProtocol
import Logging
import Testing
import WharfCore
import WharfEngine
import WharfKafkaClient
@testable import WharfKafkaServer

/// DescribeLogDirs (partition sizes over the wire) and ListOffsets answered per topic: what a
/// cluster dashboard asks for every partition on every refresh.
@Suite struct PartitionSizeTests {
    static func fill(_ engine: Engine) throws {
        try engine.createTopic("orders", .init(partitions: 3))
        try engine.createTopic("audit", .init(partitions: 1))
        try engine.produce(topic: "orders", records: (0..<60).map { Record(key: Array("k\($0 % 5)".utf8), value: Array("order-\($0)".utf8)) })
        try engine.produce(topic: "audit", records: [Record(key: nil, value: Array("a".utf8))])
    }

    @Test func everyVersionReportsTheEngineSizesAndOnlyThePartitionsAsked() async throws {
        let f = try KafkaBrokerTests.Fixture()
        try Self.fill(f.engine)
        let orders = try f.engine.describeTopic("orders").partitions.map(\.sizeBytes)
        #expect(orders.allSatisfy { $0 > 0 })
        for version: Int16 in 0...4 {
            // null topics: everything, the internal offsets topic included.
            guard case .describeLogDirs(let all) = try await f.response(.describeLogDirs(DescribeLogDirsRequest(topics: nil)), version: version)
            else { Issue.record("not DescribeLogDirs"); return }
            #expect(all.results.count == 1 && all.results[0].errorCode == 0 && all.results[0].logDir == KafkaBroker.logDirectoryName)
            let reported = Dictionary(uniqueKeysWithValues: all.results[0].topics.map { ($0.name, $0.partitions.map(\.partitionSize)) })
            #expect(reported["orders"] == orders, "v\(version)")
            #expect(reported["audit"]?.count == 1 && reported[Engine.offsetsTopic] != nil, "v\(version)")
            if version >= 4 {
                #expect(all.results[0].totalBytes > 0 && all.results[0].usableBytes > 0 && all.results[0].usableBytes <= all.results[0].totalBytes)
            }
        }
        // Named partitions only; an unknown topic or partition is left out, as Kafka does.
        let asked = DescribeLogDirsRequest(topics: [.init(topic: "orders", partitions: [2, 0, 9]), .init(topic: "nope", partitions: [0])])
        guard case .describeLogDirs(let some) = try await f.response(.describeLogDirs(asked), version: 4) else { Issue.record("not DescribeLogDirs"); return }
        #expect(some.results[0].topics.map(\.name) == ["orders"])
        #expect(some.results[0].topics[0].partitions.map { [Int64($0.partitionIndex), $0.partitionSize] } == [[0, orders[0]], [2, orders[2]]])
    }

    @Test func listOffsetsAnswersEachPartitionOfATopicAndFailsOnlyTheBadOnes() async throws {
        let f = try KafkaBrokerTests.Fixture()
        try Self.fill(f.engine)
        try f.engine.deleteRecords(topic: "orders", partition: 1, before: 3)
        var request = ListOffsetsRequest()
        request.replicaId = -1
        request.topics = [
            .init(name: "orders", partitions: [0, 1, 7].map { .init(partitionIndex: $0, timestamp: -2) } + [.init(partitionIndex: 1, timestamp: -1)]),
            .init(name: "nope", partitions: [.init(partitionIndex: 0, timestamp: -1), .init(partitionIndex: 1, timestamp: -1)]),
        ]
        guard case .listOffsets(let r) = try await f.response(.listOffsets(request), version: 5) else { Issue.record("not ListOffsets"); return }
        let end1 = try f.engine.offsets(topic: "orders", partition: 1).logEnd
        #expect(r.topics[0].partitions.map { [Int64($0.partitionIndex), Int64($0.errorCode), $0.offset] }
                == [[0, 0, 0], [1, 0, 3], [7, Int64(KafkaError.unknownTopicOrPartition), -1], [1, 0, end1]])
        #expect(r.topics[1].partitions.map(\.errorCode) == [KafkaError.unknownTopicOrPartition, KafkaError.unknownTopicOrPartition])
    }

    @Test func theClientReadsLeaderSizesAndDisksAndABrokerWithoutTheApiIsNamed() async throws {
        let f = try KafkaBrokerTests.Fixture()
        try Self.fill(f.engine)
        let partitions = (0..<3).map { TopicPartition("orders", Int32($0)) } + [TopicPartition("audit", 0)]
        for advertise in [true, false] {
            var config = KafkaServer.Configuration.forTest()
            if !advertise { config.apiVersions.ranges[.describeLogDirs] = nil }
            let server = KafkaServer(engine: f.engine, configuration: config, logger: Logger(label: "test"))
            let port = try await server.start()
            let client = KafkaClient(bootstrap: [BootstrapAddress(host: "127.0.0.1", port: port)])
            let result: Result<LogDirsReport, KafkaClientError>
            do { result = .success(try await client.describeLogDirs(partitions)) } catch { result = .failure(error) }
            await client.close()
            await server.stop()
            if advertise {
                let report = try result.get()
                for tp in partitions {
                    #expect(try report.sizes[tp] == f.engine.describeTopic(tp.topic).partitions[Int(tp.partition)].sizeBytes, "\(tp)")
                }
                // The broker's one log directory, with its volume's space (v4), under a logical
                // name: the data directory's absolute path (a private home path) is not revealed.
                let volume = try #require(report.fullestVolume)
                #expect(report.volumes.count == 1 && volume.logDir == "wharf-data")
                #expect(volume.totalBytes > 0 && volume.usableBytes > 0 && volume.usableBytes <= volume.totalBytes)
            } else {
                #expect(throws: KafkaClientError.unsupported("broker does not support DescribeLogDirs")) { try result.get() }
            }
        }
    }
}
