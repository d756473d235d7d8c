import Foundation
import KafkaProtocol
import Logging
import Testing
import WharfCore
import WharfEngine
import WharfKafkaServer
import WharfStorage

/// The latency histograms `--metrics-listen` exports, fed by the real listener and log: one
/// observation per answered request under its API's name, one per append and per fdatasync.
@Suite struct RequestLatenciesTests {
    @Test func answeredRequestsAreCountedPerAPIAndAppendsAndFsyncsInTheStorageHistograms() async throws {
        let dir = NSTemporaryDirectory() + "wharf-latency-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let engine = try Engine.open(config: EngineConfig(dataDirectory: dir, fsync: .always), logger: Logger(label: "test"))
        defer { try? engine.close() }
        try engine.createTopic("t", .init(partitions: 1))
        var configuration = KafkaServer.Configuration()
        configuration.port = 0
        let server = KafkaServer(engine: engine, configuration: configuration, logger: Logger(label: "test"))
        let port = try await server.start()
        let socket = try await RawKafkaSocket.connect(port: port)
        let appendsBefore = StorageLatencies.append.snapshot.count
        let fsyncsBefore = StorageLatencies.fsync.snapshot.count

        for i in 0..<3 {
            _ = try await socket.roundTrip(.apiVersions(ApiVersionsRequest()), version: 0, correlationId: Int32(i))
        }
        let batch = RecordBatchBuilder.encode([Record(key: nil, value: Array("x".utf8))], defaultTimestamp: 1)
        let produce = ProduceRequest(acks: -1, timeoutMs: 5000, topicData: [.init(name: "t", partitionData: [.init(index: 0, records: batch)])])
        _ = try await socket.roundTrip(.produce(produce), version: 7, correlationId: 9)
        socket.close()

        // The writer records after the answer is final, which may be just after the client read it.
        var counts: [String: UInt64] = [:]
        for _ in 0..<200 {
            counts = Dictionary(uniqueKeysWithValues: server.requestLatencies.histograms.map { ($0.api, $0.histogram.snapshot.count) })
            if counts["ApiVersions"] == 3 && counts["Produce"] == 1 { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(counts["ApiVersions"] == 3)
        #expect(counts["Produce"] == 1)
        #expect(counts["Fetch"] == nil, "an API never called is not listed")
        // Other tests append in this process too: at least ours.
        #expect(StorageLatencies.append.snapshot.count >= appendsBefore + 1)
        #expect(StorageLatencies.fsync.snapshot.count >= fsyncsBefore + 1, "fsync=always: the produce waited for an fdatasync")
        await server.stop()
    }
}
