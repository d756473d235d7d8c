import Foundation
import Testing
import WharfCore
import WharfAdmin

/// The `--json` reports of `wharf dlq` on dead-letter topics: what scripts read.
@Suite struct DeadLetterReportsTests {
    private func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    @Test func aRecordReportReadsItsOriginFromTheHeadersAndKeepsOtherBytesMarked() throws {
        let headers = [
            RecordHeader("kafka_dlt-original-topic", "orders"),
            RecordHeader(key: "kafka_dlt-original-partition", value: DeadLetterHeadersTests.be32(2)),
            RecordHeader(key: "kafka_dlt-original-offset", value: DeadLetterHeadersTests.be64(41)),
            RecordHeader("kafka_dlt-exception-message", "price missing"),
        ]
        let record = StoredRecord(offset: 7, timestamp: 0, key: [0xff, 0x00], value: Array("{\"id\":1}".utf8), headers: headers)
        let r = DeadLetterRecordReport(PartitionRecord(partition: 3, record: record))
        #expect(r.partition == 3 && r.offset == 7)
        #expect(r.originalTopic == "orders" && r.originalPartition == 2 && r.originalOffset == 41)
        #expect(r.deadLetterReason == "price missing")
        #expect(r.key == "base64:/wA=")
        #expect(r.body == "{\"id\":1}")
        #expect(r.timestamp == "1970-01-01T00:00:00.000Z")
        #expect(r.headers["kafka_dlt-original-topic"] == "orders")
    }

    @Test func aTopicReportsAgeIsNeverNegative() throws {
        var builder = DeadLetterTopicSummary.Builder()
        let first = StoredRecord(offset: 0, timestamp: 5_000, key: nil, value: nil,
                                 headers: [RecordHeader("kafka_dlt-original-topic", "orders"), RecordHeader("kafka_dlt-exception-message", "boom")])
        if builder.addPartition(retained: 4, first: first) { builder.addSample([first]) }
        let summary = try #require(builder.build(topic: "orders.DLT"))
        #expect(DeadLetterTopicReport(summary, now: 6_500).oldestMessageAgeMillis == 1_500)
        #expect(DeadLetterTopicReport(summary, now: 1_000).oldestMessageAgeMillis == 0)
        #expect(try json(DeadLetterTopicReport(summary, now: 6_500)) == #"{"convention":"spring","count":4,"kind":"topic","name":"orders.DLT","oldestMessageAgeMillis":1500,"originalTopics":["orders"],"topReasons":[{"count":1,"reason":"boom"}]}"#)
    }
}
