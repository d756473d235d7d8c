import WharfCore

/// Kafka's non-flexible protocol primitives, as used by the `__consumer_offsets` layouts and the
/// consumer embedded protocol (WharfEngine, WharfAdmin); the generated codec has its own in
/// KafkaProtocol. All integers are big-endian.
///
/// - `string`: `i16` length, then that many UTF-8 bytes. A nullable string writes length -1 for nil.
/// - `bytes`: `i32` length, then the bytes. Nullable bytes write length -1 for nil.
/// - arrays: `i32` count, then the elements (-1 = null, read as empty).
/// - compact (flexible-version) forms use an unsigned varint of length + 1 (0 = null).
extension Array where Element == UInt8 {
    public mutating func appendKafkaString(_ s: String) {
        let utf8 = Array(s.utf8)
        precondition(utf8.count <= Int(Int16.max), "Kafka strings are at most 32767 bytes")
        appendBigEndian(Int16(utf8.count))
        append(contentsOf: utf8)
    }

    public mutating func appendKafkaNullableString(_ s: String?) {
        if let s { appendKafkaString(s) } else { appendBigEndian(Int16(-1)) }
    }

    public mutating func appendKafkaBytes(_ bytes: [UInt8]) {
        appendBigEndian(Int32(bytes.count))
        append(contentsOf: bytes)
    }

    public mutating func appendKafkaNullableBytes(_ bytes: [UInt8]?) {
        if let bytes { appendKafkaBytes(bytes) } else { appendBigEndian(Int32(-1)) }
    }

    public mutating func appendKafkaArrayCount(_ count: Int) {
        appendBigEndian(Int32(count))
    }
}

extension ByteReader {
    public mutating func readKafkaString() throws(WharfError) -> String {
        guard let s = try readKafkaNullableString() else { throw .malformed("null where a string is required at \(position)") }
        return s
    }

    public mutating func readKafkaNullableString() throws(WharfError) -> String? {
        let length = Int(try readInt16())
        if length < 0 { return nil }
        return try readUTF8(length)
    }

    public mutating func readKafkaBytes() throws(WharfError) -> [UInt8] {
        try readKafkaNullableBytes() ?? []
    }

    public mutating func readKafkaNullableBytes() throws(WharfError) -> [UInt8]? {
        let length = Int(try readInt32())
        if length < 0 { return nil }
        return try readBytes(length)
    }

    /// An array count; a null array (-1) reads as 0. Counts larger than the remaining bytes
    /// could possibly hold are rejected, so a corrupt count cannot reserve huge memory.
    public mutating func readKafkaArrayCount(minElementSize: Int = 1) throws(WharfError) -> Int {
        let count = Int(try readInt32())
        if count < 0 { return 0 }
        guard count <= remaining / Swift.max(minElementSize, 1) else {
            throw .malformed("array of \(count) elements cannot fit in \(remaining) bytes")
        }
        return count
    }

    /// A flexible-version compact string: unsigned varint (length + 1), 0 meaning null.
    public mutating func readKafkaCompactNullableString() throws(WharfError) -> String? {
        let lengthPlusOne = try readUnsignedVarint(maxBytes: 5)
        if lengthPlusOne == 0 { return nil }
        return try readUTF8(Int(lengthPlusOne - 1))
    }

    /// Skips a flexible-version tagged-field section: count, then (tag, size, bytes) each.
    public mutating func skipKafkaTaggedFields() throws(WharfError) {
        let count = try readUnsignedVarint(maxBytes: 5)
        for _ in 0..<count {
            _ = try readUnsignedVarint(maxBytes: 5)
            let size = try readUnsignedVarint(maxBytes: 5)
            try skip(Int(size))
        }
    }

    private mutating func readUTF8(_ length: Int) throws(WharfError) -> String {
        let slice = try readSlice(length)
        return String(decoding: slice, as: UTF8.self)
    }
}

/// Runs `body` over a reader on `bytes`; the reader must not escape the closure.
public func withKafkaReader<T>(_ bytes: [UInt8], _ body: (inout ByteReader) throws(WharfError) -> T) throws(WharfError) -> T {
    // withUnsafeBytes rethrows untyped errors; carry the typed error out by hand.
    let result: Result<T, WharfError> = bytes.withUnsafeBytes { raw in
        var reader = ByteReader(raw)
        do throws(WharfError) { return .success(try body(&reader)) } catch { return .failure(error) }
    }
    return try result.get()
}

/// Refuses strings the `__consumer_offsets` layouts cannot hold (i16 length), so a long name
/// from an embedded caller is an error rather than a trap when the record is encoded.
/// `reserve` leaves room for what the coordinator appends (a member id's "-<uuid>").
public func checkKafkaString(_ s: String, _ what: String, reserve: Int = 0) throws(WharfError) {
    let limit = Int(Int16.max) - reserve
    if s.utf8.count > limit { throw .invalidArgument("\(what) is longer than \(limit) bytes") }
}
