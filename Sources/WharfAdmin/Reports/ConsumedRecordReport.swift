import WharfCore

/// One record as `wharf consume --format json` prints it (one object a line, a contract
/// scripts rely on): where it came from, key, value and header values exact (`JSONBytes`).
public struct ConsumedRecordReport: Encodable, Sendable, Equatable {
    public struct Header: Encodable, Sendable, Equatable {
        public let key: String
        public let value: JSONBytes
    }

    public let topic: String
    public let partition: Int32
    public let offset: Int64
    public let timestamp: Int64
    public let key: JSONBytes
    public let value: JSONBytes
    public let headers: [Header]

    public init(_ r: ConsumedRecord) {
        topic = r.topic
        partition = r.partition
        offset = r.record.offset
        timestamp = r.record.timestamp
        key = JSONBytes(bytes: r.record.key)
        value = JSONBytes(bytes: r.record.value)
        headers = r.record.headers.map { Header(key: $0.key, value: JSONBytes(bytes: $0.value)) }
    }
}

/// A DeleteRecords as `wharf records delete --json` prints it.
public struct RecordDeletionReport: Encodable, Sendable, Equatable {
    public let topic: String
    public let partition: Int32
    public let logStartOffset: Int64
    public let deletedRecords: Int64

    public init(topic: String, partition: Int32, _ d: RecordDeletion) {
        self.topic = topic
        self.partition = partition
        logStartOffset = d.logStart
        deletedRecords = d.deleted
    }
}
