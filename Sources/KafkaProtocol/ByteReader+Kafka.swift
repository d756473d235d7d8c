import WharfCore

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

    /// The capacity to reserve before decoding `count` elements of `T`: never more memory than
    /// the bytes left to decode them from. `readLength` already bounds `count` by those bytes,
    /// but an element's stride can be many times its smallest encoding (a v1 Metadata topic is
    /// 2 bytes on the wire and 32 in memory), so reserving `count` would let a 100 MiB frame
    /// allocate gigabytes before its first element fails to parse.
    func reservation<T>(for count: Int, of _: T.Type) -> Int {
        Swift.min(count, remaining / Swift.max(MemoryLayout<T>.stride, 1))
    }

    /// A nullable struct field (ConsumerGroupHeartbeat's Assignment): Kafka writes a marker
    /// byte first, -1 for null and 1 for a struct that follows. A non-nullable version has no
    /// marker.
    mutating func readNullableStruct<T: KafkaStruct>(_: T.Type, nullable: Bool, version: Int16) throws(WharfError) -> T? {
        if nullable, try readInt8() < 0 { return nil }
        return try T(from: &self, version: version)
    }

    mutating func readStructArray<T: KafkaStruct>(_: T.Type, compact: Bool, version: Int16) throws(WharfError) -> [T] {
        let count = try readArrayCount(compact: compact)
        var items: [T] = []
        items.reserveCapacity(reservation(for: count, of: T.self))
        for _ in 0..<count { items.append(try T(from: &self, version: version)) }
        return items
    }

    mutating func readNullableStructArray<T: KafkaStruct>(_: T.Type, compact: Bool, nullable: Bool, version: Int16) throws(WharfError) -> [T]? {
        guard let count = try readArrayCount(compact: compact, nullable: nullable) else { return nil }
        var items: [T] = []
        items.reserveCapacity(reservation(for: count, of: T.self))
        for _ in 0..<count { items.append(try T(from: &self, version: version)) }
        return items
    }

    mutating func readInt32Array(compact: Bool) throws(WharfError) -> [Int32] {
        let count = try readArrayCount(compact: compact)
        var items: [Int32] = []
        items.reserveCapacity(reservation(for: count, of: Int32.self))
        for _ in 0..<count { items.append(try readInt32()) }
        return items
    }

    mutating func readNullableInt32Array(compact: Bool, nullable: Bool) throws(WharfError) -> [Int32]? {
        guard let count = try readArrayCount(compact: compact, nullable: nullable) else { return nil }
        var items: [Int32] = []
        items.reserveCapacity(reservation(for: count, of: Int32.self))
        for _ in 0..<count { items.append(try readInt32()) }
        return items
    }

    mutating func readInt64Array(compact: Bool) throws(WharfError) -> [Int64] {
        let count = try readArrayCount(compact: compact)
        var items: [Int64] = []
        items.reserveCapacity(reservation(for: count, of: Int64.self))
        for _ in 0..<count { items.append(try readInt64()) }
        return items
    }

    mutating func readStringArray(compact: Bool) throws(WharfError) -> [String] {
        let count = try readArrayCount(compact: compact)
        var items: [String] = []
        items.reserveCapacity(reservation(for: count, of: String.self))
        for _ in 0..<count { items.append(try readString(compact: compact)) }
        return items
    }

    mutating func readNullableStringArray(compact: Bool, nullable: Bool) throws(WharfError) -> [String]? {
        guard let count = try readArrayCount(compact: compact, nullable: nullable) else { return nil }
        var items: [String] = []
        items.reserveCapacity(reservation(for: count, of: String.self))
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
