/// A record as a consumer receives it: where it came from plus its content (the embedded
/// consumer and the consumer of a Kafka-protocol cluster alike).
public struct ConsumedRecord: Sendable, Equatable {
    public var topic: String
    public var partition: Int32
    public var record: StoredRecord

    public init(topic: String, partition: Int32, record: StoredRecord) {
        self.topic = topic
        self.partition = partition
        self.record = record
    }
}

/// Where a consumer starts on a partition its group has no committed offset for.
public enum ConsumerStartPosition: Sendable { case earliest, latest }
