/// One header of a record: a UTF-8 key and an optional value.
public struct RecordHeader: Equatable, Hashable, Sendable {
    public var key: String
    public var value: [UInt8]?
    public init(key: String, value: [UInt8]?) {
        self.key = key
        self.value = value
    }
    public init(_ key: String, _ value: String) { self.init(key: key, value: Array(value.utf8)) }
}

/// A record as a producer hands it over, before the broker gives it an offset.
public struct Record: Equatable, Sendable {
    public var key: [UInt8]?
    public var value: [UInt8]?
    public var headers: [RecordHeader]
    /// Create time in ms since the epoch; nil means "now" at append.
    public var timestamp: Int64?

    public init(key: [UInt8]? = nil, value: [UInt8]?, headers: [RecordHeader] = [], timestamp: Int64? = nil) {
        self.key = key
        self.value = value
        self.headers = headers
        self.timestamp = timestamp
    }

    public init(key: String?, value: String, headers: [RecordHeader] = [], timestamp: Int64? = nil) {
        self.init(key: key.map { Array($0.utf8) }, value: Array(value.utf8), headers: headers, timestamp: timestamp)
    }
}

/// A record read back from a log: where it is, when it was written, and its content.
public struct StoredRecord: Equatable, Sendable {
    public var offset: Int64
    public var timestamp: Int64
    public var key: [UInt8]?
    public var value: [UInt8]?
    public var headers: [RecordHeader]

    public init(offset: Int64, timestamp: Int64, key: [UInt8]?, value: [UInt8]?, headers: [RecordHeader]) {
        self.offset = offset
        self.timestamp = timestamp
        self.key = key
        self.value = value
        self.headers = headers
    }
}
