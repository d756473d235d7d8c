import WharfCore
import WharfEngine

/// The demo's dead-letter topic: a payment service (simulated) that fails some payments and
/// publishes them to `payments.DLT` the way Spring Kafka's `DeadLetterPublishingRecoverer`
/// does: key and value unchanged, business headers kept, and `kafka_dlt-*` headers naming the
/// original topic, partition (4-byte big-endian) and offset (8-byte big-endian) and the
/// exception. The Dead letters view then shows a queue and a topic side by side, and a
/// requeue sends the records back to `payments`.
public enum DemoPaymentDeadLetters {
    public static let topic = "payments.DLT"
    public static let source = "payments"

    public static let failures: [(fqcn: String, message: String)] = [
        ("com.example.payments.CardDeclinedException", "Card declined by issuer"),
        ("com.example.payments.InsufficientFundsException", "Insufficient funds"),
        ("com.example.payments.CurrencyNotSupportedException", "Currency not supported: XDR"),
    ]

    public static func setUp(_ engine: Engine) throws {
        if !engine.listTopics().contains(topic) { try engine.createTopic(topic, .init(partitions: 1)) }
        for i in 0..<12 { try fail(engine, n: i, back: Int64(i * 5)) }  // history: older payments
    }

    /// One failed payment: a record `back` before the end of a `payments` partition, dead-lettered.
    public static func fail(_ engine: Engine, n: Int, back: Int64 = 0) throws {
        let partition = Int32(n % 3)
        let (start, end) = try engine.offsets(topic: source, partition: partition)
        guard end > start, let original = try engine.readRecords(topic: source, partition: partition, from: max(start, end - 1 - back),
                                                                    maxRecords: 1).first
        else { return }
        let failure = failures[n % 7 == 0 ? 2 : n % 3 == 0 ? 1 : 0]
        var headers = original.headers
        headers.append(RecordHeader("kafka_dlt-original-topic", source))
        headers.append(RecordHeader(key: "kafka_dlt-original-partition", value: bigEndian(UInt64(UInt32(bitPattern: partition)), bytes: 4)))
        headers.append(RecordHeader(key: "kafka_dlt-original-offset", value: bigEndian(UInt64(bitPattern: original.offset), bytes: 8)))
        headers.append(RecordHeader(key: "kafka_dlt-original-timestamp", value: bigEndian(UInt64(bitPattern: original.timestamp), bytes: 8)))
        headers.append(RecordHeader("kafka_dlt-exception-fqcn", failure.fqcn))
        headers.append(RecordHeader("kafka_dlt-exception-message", failure.message))
        try engine.produce(topic: topic, records: [Record(key: original.key, value: original.value, headers: headers)])
    }

    public static func bigEndian(_ v: UInt64, bytes: Int) -> [UInt8] {
        (0..<bytes).reversed().map { UInt8(truncatingIfNeeded: v >> (8 * UInt64($0))) }
    }
}
