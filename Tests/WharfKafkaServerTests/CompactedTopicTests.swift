import Foundation
import KafkaProtocol
import Testing
import WharfCore
import WharfEngine
@testable import WharfKafkaServer

/// `cleanup.policy=compact` on a user topic (librdkafka 0011's KIP-467 case) and KIP-734's
/// max_timestamp, through the listener with raw frames and with real producers.
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

    static let recordErrorsScript = #"""
import sys
from kafka import KafkaProducer
from kafka.admin import KafkaAdminClient, NewTopic
from confluent_kafka import Producer
bs = sys.argv[1]
KafkaAdminClient(bootstrap_servers=bs).create_topics([NewTopic("kc", 1, 1, topic_configs={"cleanup.policy": "compact"})])
batch = ((b"k1", b"a"), (None, b"keyless1"), (b"k2", b"b"), (None, b"keyless2"))
p = KafkaProducer(bootstrap_servers=bs, linger_ms=10000, retries=0)
futures = [p.send("kc", key=key, value=value, partition=0) for key, value in batch]
p.flush()
for (_, value), f in zip(batch, futures):
    try:
        f.get(timeout=10)
        print("KP", value.decode(), "DELIVERED")
    except Exception as e:
        print("KP", value.decode(), e)
reports = []
cp = Producer({"bootstrap.servers": bs, "linger.ms": 10000, "retries": 0})
for key, value in batch:
    cp.produce("kc", key=key, value=value, partition=0, on_delivery=lambda err, msg: reports.append((msg.value(), err)))
cp.flush(30)
for value, err in reports:
    print("CF", value.decode(), err.name() if err else "DELIVERED")
"""#

    /// KIP-467 as real clients report it (librdkafka 0011's record_fail case, in CI): kafka-python
    /// and confluent-kafka each send one batch of two keyed and two keyless records to a
    /// compacted topic; each keyless record fails with INVALID_RECORD and the broker's message,
    /// its batch-mates with the client's "another record of the batch was invalid" error, and
    /// nothing is written. (With a single record error librdkafka 2.16 reports INVALID_RECORD
    /// for the whole batch, so the batch carries two, as 0011's does.) The linger is long, so the
    /// four records always share a batch; `flush()` sends them at once, as both clients' flush
    /// ignores the linger (with 500 ms a stalled Python under the parallel suite sent the first
    /// record alone).
    @Test func realProducersReportEachKeylessRecordOfACompactedTopic() async throws {
        try await ListenerLimitsTests.withListener { f, server, port in
            let run = try await ClientProcess.run(["python3", "-c", Self.recordErrorsScript, "127.0.0.1:\(port)"])
            #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
            let invalid = "[Error 87] InvalidRecordError: Compacted topic cannot accept message without key in topic partition kc-0."
            let batchMate = "KafkaError: Failed to append record because it was part of a batch which had one more more invalid records"
            for line in ["KP a \(batchMate)", "KP keyless1 \(invalid)", "KP b \(batchMate)", "KP keyless2 \(invalid)",
                         "CF a _INVALID_DIFFERENT_RECORD", "CF keyless1 INVALID_RECORD", "CF b _INVALID_DIFFERENT_RECORD", "CF keyless2 INVALID_RECORD"] {
                #expect(run.stdout.contains(line + "\n"), "\(line) missing: \(run.stdout) \(run.stderr)")
            }
            #expect(try f.engine.offsets(topic: "kc", partition: 0).logEnd == 0)
            #expect(await server.answeredAPIs(expecting: ["Produce"])["Produce", default: 0] >= 2, "one batch from each client")
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
