/// One record as the Records view shows it. Bytes are kept raw; the view decodes them as
/// text, pretty JSON or hex on demand.
public struct RecordRow: Equatable, Sendable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    public var timestampMs: Int64
    public var key: [UInt8]?
    public var value: [UInt8]?
    public var headers: [RecordHeader]

    public init(topic: String, partition: Int32, offset: Int64, timestampMs: Int64,
                key: [UInt8]?, value: [UInt8]?, headers: [RecordHeader] = []) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.timestampMs = timestampMs
        self.key = key
        self.value = value
        self.headers = headers
    }
}

public struct RecordHeader: Equatable, Sendable {
    public var key: String
    public var value: [UInt8]?
    public init(key: String, value: [UInt8]?) {
        self.key = key
        self.value = value
    }
}

/// Where the Records view starts reading.
public enum RecordStart: Equatable, Sendable {
    case offset(Int64)
    case timestamp(Int64)
}
