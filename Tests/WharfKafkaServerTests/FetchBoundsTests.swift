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
}
