import Foundation
import KafkaProtocol
import Testing
import WharfCore
import WharfEngine
@testable import WharfKafkaServer

/// `cleanup.policy=compact` on a user topic (librdkafka 0011's KIP-467 case) and KIP-734's
/// max_timestamp, through the listener with raw frames.
@Suite struct CompactedTopicTests {
    static func batch(_ keys: [String?], timestamp: Int64 = 1) -> [UInt8] {
        var b = RecordBatchBuilder()
        b.reset()
        for (i, key) in keys.enumerated() { b.append(Record(key: key, value: "v\(i)", timestamp: timestamp), defaultTimestamp: timestamp) }
        return b.finish()
    }

    /// KIP-467: keyless records of a compacted topic are INVALID_RECORD, each named in
    /// `record_errors`; nothing of the batch is written; a batch of keyed records is.
    @Test func aCompactedTopicRefusesKeylessRecordsNamingEachOne() async throws {
        try await ListenerLimitsTests.withListener { f, _, port in
            let client = try await RawKafkaSocket.connect(port: port)
            defer { client.close() }
            let create = CreateTopicsRequest(topics: [.init(name: "c", numPartitions: 1, replicationFactor: 1, configs: [.init(name: "cleanup.policy", value: "compact")])])
            guard case .createTopics(let created) = try await client.roundTrip(.createTopics(create), version: 4) else { Issue.record("not CreateTopics"); return }
            #expect(created.topics.map(\.errorCode) == [0])

            let mixed = Self.batch(["a", nil, "b", "c", nil])
            guard case .produce(let refused) = try await client.roundTrip(KafkaBrokerTests.produce("c", mixed), version: 8, correlationId: 2) else { Issue.record("not Produce"); return }
            let partition = try #require(refused.responses.first?.partitionResponses.first)
            #expect(partition.errorCode == KafkaError.invalidRecord)
            #expect(partition.recordErrors.map(\.batchIndex) == [1, 4])
            #expect(partition.errorMessage?.contains("without key") == true)
            #expect(try f.engine.offsets(topic: "c", partition: 0).logEnd == 0)

            guard case .produce(let accepted) = try await client.roundTrip(KafkaBrokerTests.produce("c", Self.batch(["a", "b"])), version: 8, correlationId: 3) else { Issue.record("not Produce"); return }
            #expect(accepted.responses.first?.partitionResponses.first?.errorCode == 0)
            #expect(try f.engine.offsets(topic: "c", partition: 0).logEnd == 2)

            // Not compacted: keyless records are fine.
            try f.engine.createTopic("plain", .init(partitions: 1))
            guard case .produce(let plain) = try await client.roundTrip(KafkaBrokerTests.produce("plain", mixed), version: 8, correlationId: 4) else { Issue.record("not Produce"); return }
            #expect(plain.responses.first?.partitionResponses.first?.errorCode == 0)
        }
    }

    /// IncrementalAlterConfigs APPEND/SUBTRACT on cleanup.policy (what librdkafka's 0011 sends),
    /// described back, and the compaction it turns on.
    @Test func appendingCompactToCleanupPolicyCompactsTheTopic() async throws {
        try await ListenerLimitsTests.withListener { f, _, port in
            try f.engine.createTopic("t", .init(partitions: 1, segmentBytes: 1 << 20))
            let client = try await RawKafkaSocket.connect(port: port)
            defer { client.close() }
            func alter(_ operation: Int8, _ value: String, _ id: Int32) async throws -> Int16? {
                let request = IncrementalAlterConfigsRequest(resources: [.init(resourceType: 2, resourceName: "t", configs: [
                    .init(name: "cleanup.policy", configOperation: operation, value: value)])])
                guard case .incrementalAlterConfigs(let r) = try await client.roundTrip(.incrementalAlterConfigs(request), version: 1, correlationId: id) else { return nil }
                return r.responses.first?.errorCode
            }
            func policy(_ id: Int32) async throws -> String? {
                let request = DescribeConfigsRequest(resources: [.init(resourceType: 2, resourceName: "t", configurationKeys: ["cleanup.policy"])])
                guard case .describeConfigs(let r) = try await client.roundTrip(.describeConfigs(request), version: 2, correlationId: id) else { return nil }
                return r.results.first?.configs.first?.value ?? nil
            }
            #expect(try await policy(1) == "delete")
            #expect(try await alter(2, "compact", 2) == 0)
            #expect(try await policy(3) == "compact,delete")
            #expect(try await alter(2, "bogus", 4) == KafkaError.invalidConfig)

            // Twenty records of one key over several segments: compaction keeps the newest in
            // the closed segments (the active segment is never compacted).
            for i in 0..<20 { try f.engine.produce(topic: "t", records: [Record(key: "k", value: String(repeating: "\(i % 10)", count: 200_000))], partition: 0) }
            #expect(try f.engine.describeTopic("t").partitions[0].segments > 2)
            await f.engine.runMaintenance()
            // Emptied closed segments are gone (the log start moved past them); the key's
            // newest record is still there.
            let start = try f.engine.offsets(topic: "t", partition: 0).logStart
            let kept = try f.engine.readRecords(topic: "t", partition: 0, from: start, maxRecords: 100)
            #expect(start > 0 && kept.count < 20 && kept.last?.offset == 19)

            #expect(try await alter(3, "compact", 5) == 0)
            #expect(try await policy(6) == "delete")
        }
    }

    /// KIP-734: ListOffsets v7 with -3 answers the record with the largest timestamp.
    @Test func listOffsetsMaxTimestampFindsTheNewestRecord() async throws {
        try await ListenerLimitsTests.withListener { f, _, port in
            try f.engine.createTopic("t", .init(partitions: 2))
            try f.engine.produce(topic: "t", records: [3000, 9000, 5000].map { Record(key: nil, value: "x", timestamp: $0) }, partition: 0)
            let client = try await RawKafkaSocket.connect(port: port)
            defer { client.close() }
            var request = ListOffsetsRequest(replicaId: -1)
            request.topics = [.init(name: "t", partitions: [.init(partitionIndex: 0, timestamp: -3), .init(partitionIndex: 1, timestamp: -3)])]
            guard case .listOffsets(let r) = try await client.roundTrip(.listOffsets(request), version: 7) else { Issue.record("not ListOffsets"); return }
            #expect(r.topics[0].partitions.map { [$0.offset, $0.timestamp] } == [[1, 9000], [-1, -1]])
        }
    }
}
