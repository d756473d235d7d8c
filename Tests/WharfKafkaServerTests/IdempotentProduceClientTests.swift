import Foundation
import Logging
import Testing
import WharfCore
import WharfEngine
import WharfKafkaClient
@testable import WharfKafkaServer

/// The client's idempotent produce (what a dead-letter requeue over the wire uses): a batch sent
/// again with the same producer id and sequence, as a retry after a lost answer is, is not
/// appended twice.
@Suite struct IdempotentProduceClientTests {
    @Test func aResentBatchIsAppendedOnceAndKeepsItsOffset() async throws {
        let f = try KafkaBrokerTests.Fixture()
        try f.engine.createTopic("t", .init(partitions: 2))
        let config = KafkaServer.Configuration.forTest()
        let server = KafkaServer(engine: f.engine, configuration: config, logger: Logger(label: "test"))
        let port = try await server.start()
        let client = KafkaClient(bootstrap: [BootstrapAddress(host: "127.0.0.1", port: port)])
        func record(_ v: String) -> Record { Record(key: nil, value: Array(v.utf8)) }
        var offsets: [Int64] = []
        var failure: (any Error)?
        do {
            let producer = try await client.initProducerId()
            #expect(producer.producerId >= 0)
            offsets.append(try await client.produce(topic: "t", partition: 1, records: [record("a"), record("b")], timestampMs: 1, idempotent: (producer, 0)))
            offsets.append(try await client.produce(topic: "t", partition: 1, records: [record("a"), record("b")], timestampMs: 1, idempotent: (producer, 0)))
            offsets.append(try await client.produce(topic: "t", partition: 1, records: [record("c")], timestampMs: 1, idempotent: (producer, 2)))
            // Without an identity nothing is deduplicated: the plain path is unchanged.
            offsets.append(try await client.produce(topic: "t", partition: 1, records: [record("c")], timestampMs: 1))
        } catch { failure = error }
        await client.close()
        await server.stop()
        if let failure { throw failure }
        #expect(offsets == [0, 0, 2, 3])
        let values = try f.engine.readRecords(topic: "t", partition: 1, from: 0, maxRecords: 10).map { String(decoding: $0.value ?? [], as: UTF8.self) }
        #expect(values == ["a", "b", "c", "c"])
    }
}
