import Foundation
import Logging
import Testing
import WharfCore
@testable import WharfEngine

/// Dead-letter topics recognised by their records' headers, with counts, age and reasons.
@Suite struct DeadLetterTopicsTests {
    @Test func topicsWithDeadLetterHeadersAreSummarisedOthersAreNot() throws {
        let dir = NSTemporaryDirectory() + "wharf-dlt-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let clock = ManualClock()
        let engine = try Engine.open(config: EngineConfig(dataDirectory: dir, fsync: .never), clock: clock, logger: Logger(label: "t"))
        defer { try? engine.close() }
        try engine.createTopic("orders", .init(partitions: 2))
        try engine.createTopic("orders.DLT", .init(partitions: 1))
        try engine.produce(topic: "orders", records: [Record(key: "k", value: "fine")])
        func dead(_ value: String, reason: String, offset: Int64, at ts: Int64) -> Record {
            Record(key: Array("k".utf8), value: Array(value.utf8), headers: [
                RecordHeader("kafka_dlt-original-topic", "orders"),
                RecordHeader(key: "kafka_dlt-original-partition", value: [0, 0, 0, 1]),
                RecordHeader(key: "kafka_dlt-original-offset", value: withUnsafeBytes(of: offset.bigEndian, Array.init)),
                RecordHeader("kafka_dlt-exception-message", reason),
                RecordHeader("trace", "t-\(value)"),
            ], timestamp: ts)
        }
        try engine.produce(topic: "orders.DLT", records: [
            dead("a", reason: "price missing", offset: 3, at: 1_000),
            dead("b", reason: "bad currency", offset: 4, at: 2_000),
            dead("c", reason: "price missing", offset: 5, at: 3_000),
        ])
        let summaries = engine.deadLetterTopics()
        #expect(summaries.map(\.topic) == ["orders.DLT"])
        let s = try #require(summaries.first)
        #expect(s.convention == .spring && s.count == 3 && s.oldestTimestamp == 1_000)
        #expect(s.originalTopics == ["orders"])
        #expect(s.topReasons.map(\.reason) == ["price missing", "bad currency"] && s.topReasons.map(\.count) == [2, 1])
        // Purged up to the end: still a topic, no longer holding dead letters to show.
        try engine.deleteRecords(topic: "orders.DLT", partition: 0, before: -1)
        #expect(engine.deadLetterTopics().isEmpty)
    }
}
