import Testing
import WharfCore
@testable import WharfAdmin

/// The three dead-letter header conventions of reference `kafka-protocol.md` §9.
@Suite struct DeadLetterHeadersTests {
    static func be32(_ v: Int32) -> [UInt8] { withUnsafeBytes(of: v.bigEndian, Array.init) }
    static func be64(_ v: Int64) -> [UInt8] { withUnsafeBytes(of: v.bigEndian, Array.init) }

    @Test func springHeadersWithBinaryPartitionAndOffset() {
        let headers = [
            RecordHeader("trace-id", "abc"),
            RecordHeader("kafka_dlt-original-topic", "orders"),
            RecordHeader(key: "kafka_dlt-original-partition", value: Self.be32(2)),
            RecordHeader(key: "kafka_dlt-original-offset", value: Self.be64(4_294_967_301)),
            RecordHeader("kafka_dlt-exception-fqcn", "java.lang.IllegalStateException"),
            RecordHeader("kafka_dlt-exception-message", "price missing"),
            RecordHeader("retry_topic-attempts", "3"),
        ]
        #expect(DeadLetterHeaders.parse(headers) == DeadLetterOrigin(
            convention: .spring, topic: "orders", partition: 2, offset: 4_294_967_301,
            reason: "price missing", exceptionClass: "java.lang.IllegalStateException"))
        #expect(DeadLetterHeaders.businessHeaders(headers) == [RecordHeader("trace-id", "abc")])
    }

    @Test func kafkaConnectHeadersWithDecimalStrings() {
        let headers = [
            RecordHeader("__connect.errors.topic", "clicks"),
            RecordHeader("__connect.errors.partition", "7"),
            RecordHeader("__connect.errors.offset", "1234"),
            RecordHeader("__connect.errors.connector.name", "s3-sink"),
            RecordHeader("__connect.errors.exception.class.name", "org.apache.kafka.connect.errors.DataException"),
            RecordHeader("__connect.errors.exception.message", "bad JSON"),
            RecordHeader("tenant", "acme"),
        ]
        #expect(DeadLetterHeaders.parse(headers) == DeadLetterOrigin(
            convention: .kafkaConnect, topic: "clicks", partition: 7, offset: 1234,
            reason: "bad JSON", exceptionClass: "org.apache.kafka.connect.errors.DataException"))
        #expect(DeadLetterHeaders.businessHeaders(headers) == [RecordHeader("tenant", "acme")])
    }

    @Test func kip1191Headers() {
        let headers = [
            RecordHeader("__dlq.errors.topic", "payments"),
            RecordHeader("__dlq.errors.partition", "0"),
            RecordHeader("__dlq.errors.offset", "99"),
            RecordHeader("__dlq.errors.group", "share-g"),
            RecordHeader("__dlq.errors.message", "delivery count exceeded"),
        ]
        #expect(DeadLetterHeaders.parse(headers) == DeadLetterOrigin(
            convention: .kip1191, topic: "payments", partition: 0, offset: 99, reason: "delivery count exceeded"))
    }

    @Test func ordinaryRecordsAndRetryBookkeepingAreNotDeadLetters() {
        #expect(DeadLetterHeaders.parse([]) == nil)
        #expect(DeadLetterHeaders.parse([RecordHeader("trace-id", "x")]) == nil)
        #expect(DeadLetterHeaders.parse([RecordHeader("retry_topic-attempts", "1")]) == nil)
    }

    @Test func malformedNumbersAreMissingNotWrong() {
        let origin = DeadLetterHeaders.parse([
            RecordHeader("kafka_dlt-original-topic", "t"),
            RecordHeader(key: "kafka_dlt-original-partition", value: [1, 2]),
            RecordHeader(key: "kafka_dlt-original-offset", value: nil),
        ])
        #expect(origin == DeadLetterOrigin(convention: .spring, topic: "t"))
        #expect(DeadLetterHeaders.int32(Array("12".utf8)) == 12)
        #expect(DeadLetterHeaders.int64(Array("99999999999999999999".utf8)) == nil)
    }
}
