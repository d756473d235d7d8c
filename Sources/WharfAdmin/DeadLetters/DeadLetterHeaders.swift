import WharfCore

/// Where a dead-lettered Kafka record came from and why, read from the headers its dead-letter
/// publisher wrote (reference `kafka-protocol.md` §9). Any field may be missing.
public struct DeadLetterOrigin: Equatable, Sendable {
    public enum Convention: String, Sendable, Codable {
        /// Spring Kafka's `DeadLetterPublishingRecoverer`: `kafka_dlt-*`, binary partition/offset.
        case spring
        /// Kafka Connect's `DeadLetterQueueReporter`: `__connect.errors.*`, decimal strings.
        case kafkaConnect
        /// KIP-1191 share-group DLQ: `__dlq.errors.*`.
        case kip1191
        /// Declared by an operator (`wharf dlq mark`); its records need no dead-letter headers.
        case configured
    }

    public var convention: Convention
    public var topic: String?
    public var partition: Int32?
    public var offset: Int64?
    /// The exception message (the "reason" an operator filters on).
    public var reason: String?
    public var exceptionClass: String?

    public init(convention: Convention, topic: String? = nil, partition: Int32? = nil, offset: Int64? = nil,
                reason: String? = nil, exceptionClass: String? = nil) {
        self.convention = convention
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.reason = reason
        self.exceptionClass = exceptionClass
    }
}

/// Pure parsing of the three dead-letter header conventions, and the split between the
/// dead-letter headers (dropped on requeue) and the business headers (kept).
public enum DeadLetterHeaders {
    static let springPrefix = "kafka_dlt-"
    static let connectPrefix = "__connect.errors."
    static let kip1191Prefix = "__dlq.errors."
    /// Spring retry-topic bookkeeping: also the error path's, not the application's.
    static let springRetryPrefix = "retry_topic-"

    /// True for a header that a dead-letter publisher (or Spring's retry topics) wrote.
    public static func isDeadLetterHeader(_ key: String) -> Bool {
        key.hasPrefix(springPrefix) || key.hasPrefix(connectPrefix) || key.hasPrefix(kip1191Prefix) || key.hasPrefix(springRetryPrefix)
    }

    /// The headers to carry over when a record is requeued to its original topic.
    public static func businessHeaders(_ headers: [RecordHeader]) -> [RecordHeader] {
        headers.filter { !isDeadLetterHeader($0.key) }
    }

    /// The origin described by `headers`, or nil when they carry no dead-letter convention's
    /// original topic (nor any of its headers). When several conventions are present, Spring
    /// wins, then Kafka Connect, then KIP-1191 (the most specific publisher first).
    public static func parse(_ headers: [RecordHeader]) -> DeadLetterOrigin? {
        var byKey: [String: [UInt8]] = [:]
        for h in headers where isDeadLetterHeader(h.key) { byKey[h.key] = h.value ?? [] }
        guard !byKey.isEmpty else { return nil }
        func text(_ key: String) -> String? { byKey[key].map { String(decoding: $0, as: UTF8.self) } }
        if byKey.keys.contains(where: { $0.hasPrefix(springPrefix) }) {
            return DeadLetterOrigin(convention: .spring, topic: text("kafka_dlt-original-topic"),
                                    partition: byKey["kafka_dlt-original-partition"].flatMap(int32),
                                    offset: byKey["kafka_dlt-original-offset"].flatMap(int64),
                                    reason: text("kafka_dlt-exception-message") ?? text("kafka_dlt-key-exception-message"),
                                    exceptionClass: text("kafka_dlt-exception-fqcn") ?? text("kafka_dlt-key-exception-fqcn"))
        }
        if byKey.keys.contains(where: { $0.hasPrefix(connectPrefix) }) {
            return DeadLetterOrigin(convention: .kafkaConnect, topic: text("__connect.errors.topic"),
                                    partition: byKey["__connect.errors.partition"].flatMap(int32),
                                    offset: byKey["__connect.errors.offset"].flatMap(int64),
                                    reason: text("__connect.errors.exception.message"),
                                    exceptionClass: text("__connect.errors.exception.class.name"))
        }
        if byKey.keys.contains(where: { $0.hasPrefix(kip1191Prefix) }) {
            return DeadLetterOrigin(convention: .kip1191, topic: text("__dlq.errors.topic"),
                                    partition: byKey["__dlq.errors.partition"].flatMap(int32),
                                    offset: byKey["__dlq.errors.offset"].flatMap(int64),
                                    reason: text("__dlq.errors.message") ?? text("__dlq.errors.exception.message"),
                                    exceptionClass: text("__dlq.errors.exception.class.name"))
        }
        return nil  // only retry-topic bookkeeping: not a dead letter
    }

    /// Spring writes a 4-byte big-endian int; Connect (and, to be safe, KIP-1191) a decimal
    /// string. A 4-byte value that is not all digits is read as binary.
    static func int32(_ bytes: [UInt8]) -> Int32? {
        if let decimal = decimal(bytes) { return Int32(exactly: decimal) }
        guard bytes.count == 4 else { return nil }
        return Int32(bitPattern: bytes.reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
    }

    /// Spring writes an 8-byte big-endian long; Connect a decimal string.
    static func int64(_ bytes: [UInt8]) -> Int64? {
        if let decimal = decimal(bytes) { return decimal }
        guard bytes.count == 8 else { return nil }
        return Int64(bitPattern: bytes.reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
    }

    private static func decimal(_ bytes: [UInt8]) -> Int64? {
        guard !bytes.isEmpty, bytes.count <= 19, bytes.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        return Int64(String(decoding: bytes, as: UTF8.self))
    }
}
