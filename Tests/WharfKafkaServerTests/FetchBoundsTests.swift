import Foundation
import KafkaProtocol
import Testing
import WharfCore
import WharfEngine
@testable import WharfKafkaServer

/// librdkafka's 0082_fetch_max_bytes: a Fetch's own `max_bytes` and `partition_max_bytes` bound
/// the answer (KIP-74: the first partition with data may exceed them by one whole batch, and
/// nothing else may), so a consumer with a small `fetch.max.bytes` on a big backlog is served
/// what it can read, not tens of megabytes.
@Suite struct FetchBoundsTests {
    static let batchValue = String(repeating: "x", count: 100 * 1024)

    /// Three partitions of three ~100 KiB batches each.
    static func fill(_ engine: Engine) throws {
        try engine.createTopic("t", .init(partitions: 3))
        for p: Int32 in 0..<3 {
            for _ in 0..<3 { try engine.produce(topic: "t", records: [Record(key: nil, value: batchValue)], partition: p) }
        }
    }

    static func fetch(maxBytes: Int32, partitionMaxBytes: Int32) -> KafkaRequestBody {
        .fetch(FetchRequest(maxWaitMs: 0, minBytes: 1, maxBytes: maxBytes, topics: [
            .init(topic: "t", partitions: (0..<3).map { .init(partition: $0, fetchOffset: 0, partitionMaxBytes: partitionMaxBytes) })]))
    }

    /// Bytes answered per partition, in request order.
    static func sizes(_ body: KafkaResponseBody) -> [Int] {
        guard case .fetch(let r) = body else { return [] }
        return r.responses.flatMap(\.partitions).map { $0.records?.count ?? 0 }
    }

    @Test func requestLimitsBoundTheAnswerWithOneBatchOfSlackForTheFirstPartition() async throws {
        try await ListenerLimitsTests.withListener { f, _, port in
            try Self.fill(f.engine)
            let batch = try f.engine.fetch(topic: "t", partition: 0, offset: 0, maxBytes: 1).bytes.count
            #expect(batch > 100 * 1024 && batch < 110 * 1024)
            let client = try await RawKafkaSocket.connect(port: port)
            defer { client.close() }
            for version: Int16 in [4, 11] {
                // 0082's settings, scaled: max_bytes below one batch, partition_max_bytes huge:
                // exactly the first partition's first batch.
                let tiny = Self.sizes(try await client.roundTrip(Self.fetch(maxBytes: 50_000, partitionMaxBytes: 20_000_000), version: version))
                #expect(tiny == [batch, 0, 0], "v\(version)")
                // max_bytes for two and a half batches: two from the first partition, none after.
                let total = Self.sizes(try await client.roundTrip(Self.fetch(maxBytes: Int32(batch * 5 / 2), partitionMaxBytes: 20_000_000), version: version, correlationId: 2))
                #expect(total == [2 * batch, 0, 0], "v\(version)")
                // partition_max_bytes for one and a half batches: one batch from each partition.
                let perPartition = Self.sizes(try await client.roundTrip(Self.fetch(maxBytes: 20_000_000, partitionMaxBytes: Int32(batch * 3 / 2)), version: version, correlationId: 3))
                #expect(perPartition == [batch, batch, batch], "v\(version)")
            }
        }
    }

    static let kafkaPythonScript = #"""
import sys
from confluent_kafka import Producer
from kafka import KafkaConsumer, TopicPartition
bs, topic, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
p = Producer({"bootstrap.servers": bs, "batch.num.messages": 1})
for i in range(count):
    p.produce(topic, b"x" * (100 * 1024), partition=i % 3)
p.flush(30)
c = KafkaConsumer(bootstrap_servers=bs, enable_auto_commit=False, auto_offset_reset="earliest", consumer_timeout_ms=2000,
                  fetch_max_bytes=1 << 20, max_partition_fetch_bytes=20 << 20, check_crcs=False)
c.assign([TopicPartition(topic, i) for i in range(3)])
n = sum(1 for _ in c)
metrics = c.metrics()["consumer-fetch-manager-metrics"]
print("READ", n)
print("FETCH-SIZE-MAX", int(metrics["fetch-size-max"]))
c.close()
"""#

    /// 0082 with a second client family, in CI (the suite's quick mode skips 0082): 6 MB of
    /// ~100 KiB batches over three partitions, read by kafka-python with `fetch_max_bytes` 1 MiB
    /// and `max_partition_fetch_bytes` 20 MiB. Its largest Fetch answer stays within 1 MiB plus
    /// one batch (unbounded, one answer would carry all 6 MB).
    @Test func kafkaPythonsFetchMaxBytesBoundsEveryAnswer() async throws {
        try await ListenerLimitsTests.withListener { f, server, port in
            try f.engine.createTopic("big", .init(partitions: 3))
            let run = try await ClientProcess.run(["python3", "-c", Self.kafkaPythonScript, "127.0.0.1:\(port)", "big", "60"])
            #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
            #expect(run.stdout.contains("READ 60\n"), "\(run.stdout) \(run.stderr)")
            let largest = run.stdout.split(separator: "\n").first { $0.hasPrefix("FETCH-SIZE-MAX ") }.flatMap { Int($0.dropFirst(15)) }
            let bound = (1 << 20) + 110 * 1024
            #expect(largest.map { $0 > 0 && $0 <= bound } == true, "largest answer \(String(describing: largest)) > \(bound): \(run.stdout)")
            #expect(await server.answeredAPIs(expecting: ["Fetch"])["Fetch", default: 0] >= 6, "60 records of 100 KiB in answers of at most ~1 MiB")
        }
    }
}
