import WharfCore

/// A struct of the wire protocol (a message body, a header, or a nested struct of one):
/// decoded from and encoded for one version. Fields a version does not carry are left at
/// their schema defaults on decode and omitted on encode.
public protocol KafkaStruct: Sendable, Equatable {
    init()
    /// Decodes one value at the reader's position; throws `WharfError.malformed` on bad input.
    init(from reader: inout ByteReader, version: Int16) throws(WharfError)
    /// Appends the encoding for `version`. A null where the version has no null is written as
    /// empty, and a non-default field the version does not carry is dropped (Kafka would
    /// throw for non-ignorable ones; choose the version with `validVersions` first).
    func encode(into out: inout [UInt8], version: Int16)
    /// Paths of the fields `encode` would drop or write as empty at `version`: non-default
    /// values of non-ignorable fields the version lacks, and nulls where the version has none.
    /// A server can assert this is empty in debug builds.
    func droppedFields(version: Int16) -> [String]
}

/// A top-level message generated from one of Kafka's JSON schemas.
public protocol KafkaMessage: KafkaStruct {
    /// The versions the schema defines (not necessarily the versions Wharf advertises).
    static var validVersions: ClosedRange<Int16> { get }
    /// Whether `version` uses the flexible encoding (compact types, tagged fields).
    static func isFlexible(version: Int16) -> Bool
}

/// A request body; `Response` is the body type answering it.
public protocol KafkaRequestMessage: KafkaMessage {
    associatedtype Response: KafkaResponseMessage
    static var apiKey: ApiKey { get }
}

/// A response body.
public protocol KafkaResponseMessage: KafkaMessage {
    static var apiKey: ApiKey { get }
}

extension KafkaStruct {
    /// Decodes a value that must span all of `bytes`.
    public init(bytes: [UInt8], version: Int16) throws(WharfError) {
        self = try bytes.withByteReader { (reader: inout ByteReader) throws(WharfError) -> Self in
            let value = try Self(from: &reader, version: version)
            guard reader.remaining == 0 else { throw .malformed("\(reader.remaining) trailing bytes after \(Self.self) v\(version)") }
            return value
        }
    }

    /// The encoding for `version`.
    public func encoded(version: Int16) -> [UInt8] {
        var out: [UInt8] = []
        encode(into: &out, version: version)
        return out
    }
}
