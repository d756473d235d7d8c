import WharfCore

/// A Kafka `uuid`: 16 bytes, big-endian, as two 64-bit halves. The all-zero value is Kafka's
/// `Uuid.ZERO_UUID` ("no id").
public struct KafkaUUID: Sendable, Hashable, CustomStringConvertible {
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    public static let zero = KafkaUUID(high: 0, low: 0)

    public var description: String {
        let h = String(high, radix: 16)
        let l = String(low, radix: 16)
        return String(repeating: "0", count: 16 - h.count) + h + String(repeating: "0", count: 16 - l.count) + l
    }
}

/// Reads of the protocol's primitive types (`Protocol.md` "Protocol Primitive Types").
/// Every read is bounds-checked and throws `WharfError.malformed`; a declared length or count is
/// checked against the bytes that remain before anything is allocated.
/// `compact` selects the flexible-version encodings: uvarint length+1, 0 meaning null.
extension ByteReader {
    mutating func readBool() throws(WharfError) -> Bool { try readUInt8() != 0 }

    mutating func readUInt16() throws(WharfError) -> UInt16 { try readBigEndian(UInt16.self) }

    mutating func readFloat64() throws(WharfError) -> Double { Double(bitPattern: try readBigEndian(UInt64.self)) }

    mutating func readUUID() throws(WharfError) -> KafkaUUID {
        let high = try readBigEndian(UInt64.self)
        let low = try readBigEndian(UInt64.self)
        return KafkaUUID(high: high, low: low)
    }

    /// A protocol uvarint (unsigned, no zigzag) that must fit in an Int32.
    mutating func readUnsignedVarint32() throws(WharfError) -> Int {
        let v = try readUnsignedVarint(maxBytes: 5)
        guard v <= UInt64(UInt32.max) else { throw .malformed("unsigned varint out of range: \(v)") }
        return Int(v)
    }

    /// A length prefix: int16 (strings) or int32 (bytes, arrays) when not compact, else uvarint
    /// length+1. Returns nil for null (-1 or compact 0). Throws for other negative lengths.
    mutating func readLength(compact: Bool, wide: Bool) throws(WharfError) -> Int? {
        let n: Int
        if compact {
            n = try readUnsignedVarint32() - 1
        } else if wide {
            n = Int(try readInt32())
        } else {
            n = Int(try readInt16())
        }
        if n == -1 { return nil }
        guard n >= 0 else { throw .malformed("negative length \(n) at \(position)") }
        guard n <= remaining else { throw .malformed("length \(n) at \(position) exceeds the \(remaining) bytes left") }
        return n
    }

    mutating func readNullableString(compact: Bool, nullable: Bool = true) throws(WharfError) -> String? {
        guard let n = try readLength(compact: compact, wide: false) else {
            if nullable { return nil }
            throw .malformed("null string in a non-nullable field at \(position)")
        }
        return String(decoding: try readSlice(n), as: UTF8.self)
    }

    mutating func readString(compact: Bool) throws(WharfError) -> String {
        guard let s = try readNullableString(compact: compact, nullable: false) else { return "" }
        return s
    }

    mutating func readNullableBytes(compact: Bool, nullable: Bool = true) throws(WharfError) -> [UInt8]? {
        guard let n = try readLength(compact: compact, wide: true) else {
            if nullable { return nil }
            throw .malformed("null bytes in a non-nullable field at \(position)")
        }
        return try readBytes(n)
    }

    mutating func readBytes(compact: Bool) throws(WharfError) -> [UInt8] {
        guard let b = try readNullableBytes(compact: compact, nullable: false) else { return [] }
        return b
    }

    /// An array count; nil for a null array (only when `nullable`).
    mutating func readArrayCount(compact: Bool, nullable: Bool) throws(WharfError) -> Int? {
        guard let n = try readLength(compact: compact, wide: true) else {
            if nullable { return nil }
            throw .malformed("null array in a non-nullable field at \(position)")
        }
        return n
    }

    mutating func readArrayCount(compact: Bool) throws(WharfError) -> Int {
        guard let n = try readArrayCount(compact: compact, nullable: false) else { return 0 }
        return n
    }

    mutating func readStructArray<T: KafkaStruct>(_: T.Type, compact: Bool, version: Int16) throws(WharfError) -> [T] {
        let count = try readArrayCount(compact: compact)
        var items: [T] = []
        items.reserveCapacity(count)
        for _ in 0..<count { items.append(try T(from: &self, version: version)) }
        return items
    }

    mutating func readNullableStructArray<T: KafkaStruct>(_: T.Type, compact: Bool, nullable: Bool, version: Int16) throws(WharfError) -> [T]? {
        guard let count = try readArrayCount(compact: compact, nullable: nullable) else { return nil }
        var items: [T] = []
        items.reserveCapacity(count)
        for _ in 0..<count { items.append(try T(from: &self, version: version)) }
        return items
    }

    mutating func readInt32Array(compact: Bool) throws(WharfError) -> [Int32] {
        let count = try readArrayCount(compact: compact)
        var items: [Int32] = []
        items.reserveCapacity(count)
        for _ in 0..<count { items.append(try readInt32()) }
        return items
    }

    mutating func readNullableInt32Array(compact: Bool, nullable: Bool) throws(WharfError) -> [Int32]? {
        guard let count = try readArrayCount(compact: compact, nullable: nullable) else { return nil }
        var items: [Int32] = []
        items.reserveCapacity(count)
        for _ in 0..<count { items.append(try readInt32()) }
        return items
    }

    mutating func readInt64Array(compact: Bool) throws(WharfError) -> [Int64] {
        let count = try readArrayCount(compact: compact)
        var items: [Int64] = []
        items.reserveCapacity(count)
        for _ in 0..<count { items.append(try readInt64()) }
        return items
    }

    mutating func readStringArray(compact: Bool) throws(WharfError) -> [String] {
        let count = try readArrayCount(compact: compact)
        var items: [String] = []
        items.reserveCapacity(count)
        for _ in 0..<count { items.append(try readString(compact: compact)) }
        return items
    }

    mutating func readNullableStringArray(compact: Bool, nullable: Bool) throws(WharfError) -> [String]? {
        guard let count = try readArrayCount(compact: compact, nullable: nullable) else { return nil }
        var items: [String] = []
        items.reserveCapacity(count)
        for _ in 0..<count { items.append(try readString(compact: compact)) }
        return items
    }

    /// The number of tagged fields that follow; each takes at least two bytes.
    mutating func readTagCount() throws(WharfError) -> Int {
        let n = try readUnsignedVarint32()
        guard n <= remaining / 2 else { throw .malformed("\(n) tagged fields cannot fit in the \(remaining) bytes left") }
        return n
    }

    /// One tagged field's tag and a reader over exactly its value bytes.
    mutating func readTaggedField() throws(WharfError) -> (tag: UInt32, value: ByteReader) {
        let tag = try readUnsignedVarint32()
        let size = try readUnsignedVarint32()
        let slice = try readSlice(size)
        return (UInt32(tag), ByteReader(slice))
    }

    /// Skips a whole tagged-field section (used where no tags are known).
    mutating func skipTaggedFields() throws(WharfError) {
        let count = try readTagCount()
        for _ in 0..<count { _ = try readTaggedField() }
    }
}

/// Writes of the protocol's primitive types, the twins of the `ByteReader` reads above.
extension Array where Element == UInt8 {
    mutating func writeInt8(_ v: Int8) { append(UInt8(bitPattern: v)) }
    mutating func writeInt16(_ v: Int16) { appendBigEndian(v) }
    mutating func writeInt32(_ v: Int32) { appendBigEndian(v) }
    mutating func writeInt64(_ v: Int64) { appendBigEndian(v) }
    mutating func writeUInt16(_ v: UInt16) { appendBigEndian(v) }
    mutating func writeUInt32(_ v: UInt32) { appendBigEndian(v) }
    mutating func writeFloat64(_ v: Double) { appendBigEndian(v.bitPattern) }
    mutating func writeBool(_ v: Bool) { append(v ? 1 : 0) }

    mutating func writeUUID(_ v: KafkaUUID) {
        appendBigEndian(v.high)
        appendBigEndian(v.low)
    }

    mutating func writeUnsignedVarint(_ v: Int) { Varint.appendUnsigned(UInt64(v), to: &self) }

    /// A length prefix (see `ByteReader.readLength`); nil writes null.
    mutating func writeLength(_ n: Int?, compact: Bool, wide: Bool) {
        if compact {
            writeUnsignedVarint(n.map { $0 + 1 } ?? 0)
        } else if wide {
            writeInt32(Int32(n ?? -1))
        } else {
            writeInt16(Int16(n ?? -1))
        }
    }

    /// A non-compact string longer than 32767 UTF-8 bytes cannot be represented; it is cut to
    /// that many bytes rather than trapping (Kafka's serializer throws).
    mutating func writeString(_ s: String, compact: Bool) {
        let utf8 = s.utf8
        let count = compact ? utf8.count : Swift.min(utf8.count, Int(Int16.max))
        writeLength(count, compact: compact, wide: false)
        append(contentsOf: utf8.prefix(count))
    }

    /// Null only where the version allows it; otherwise nil is written as "".
    mutating func writeNullableString(_ s: String?, compact: Bool, nullable: Bool = true) {
        if let s { return writeString(s, compact: compact) }
        if nullable { writeLength(nil, compact: compact, wide: false) } else { writeString("", compact: compact) }
    }

    mutating func writeBytes(_ b: [UInt8], compact: Bool) {
        writeLength(b.count, compact: compact, wide: true)
        append(contentsOf: b)
    }

    mutating func writeNullableBytes(_ b: [UInt8]?, compact: Bool, nullable: Bool = true) {
        if let b { return writeBytes(b, compact: compact) }
        if nullable { writeLength(nil, compact: compact, wide: true) } else { writeBytes([], compact: compact) }
    }

    /// Writes an array count; nil is written as null where allowed, else as empty.
    mutating func writeArrayCount(_ n: Int?, compact: Bool, nullable: Bool = true) {
        if n == nil && !nullable { return writeLength(0, compact: compact, wide: true) }
        writeLength(n, compact: compact, wide: true)
    }

    mutating func writeStructArray<T: KafkaStruct>(_ items: [T], compact: Bool, version: Int16) {
        writeArrayCount(items.count, compact: compact)
        for item in items { item.encode(into: &self, version: version) }
    }

    mutating func writeNullableStructArray<T: KafkaStruct>(_ items: [T]?, compact: Bool, nullable: Bool, version: Int16) {
        writeArrayCount(items?.count, compact: compact, nullable: nullable)
        for item in items ?? [] { item.encode(into: &self, version: version) }
    }

    mutating func writeInt32Array(_ items: [Int32], compact: Bool) {
        writeArrayCount(items.count, compact: compact)
        for item in items { writeInt32(item) }
    }

    mutating func writeNullableInt32Array(_ items: [Int32]?, compact: Bool, nullable: Bool) {
        writeArrayCount(items?.count, compact: compact, nullable: nullable)
        for item in items ?? [] { writeInt32(item) }
    }

    mutating func writeInt64Array(_ items: [Int64], compact: Bool) {
        writeArrayCount(items.count, compact: compact)
        for item in items { writeInt64(item) }
    }

    mutating func writeStringArray(_ items: [String], compact: Bool) {
        writeArrayCount(items.count, compact: compact)
        for item in items { writeString(item, compact: compact) }
    }

    mutating func writeNullableStringArray(_ items: [String]?, compact: Bool, nullable: Bool) {
        writeArrayCount(items?.count, compact: compact, nullable: nullable)
        for item in items ?? [] { writeString(item, compact: compact) }
    }

    /// One tagged field: tag, size, then the value bytes encoded in `value`.
    mutating func writeTaggedField(tag: Int, value: [UInt8]) {
        writeUnsignedVarint(tag)
        writeUnsignedVarint(value.count)
        append(contentsOf: value)
    }
}

extension Array where Element == UInt8 {
    /// Runs `body` with a reader over these bytes, keeping `body`'s typed error
    /// (`withUnsafeBytes` only rethrows `any Error`).
    func withByteReader<R, E: Error>(_ body: (inout ByteReader) throws(E) -> R) throws(E) -> R {
        let result: Result<R, E> = withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Result<R, E> in
            var reader = ByteReader(raw)
            do throws(E) {
                return .success(try body(&reader))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}
