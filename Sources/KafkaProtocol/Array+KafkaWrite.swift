import WharfCore

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

    /// A nullable struct field: marker byte -1 (null) or 1, then the struct. A version where
    /// the field is not nullable writes the struct alone (a default one for nil).
    mutating func writeNullableStruct<T: KafkaStruct>(_ item: T?, nullable: Bool, version: Int16) {
        guard nullable else { return (item ?? T()).encode(into: &self, version: version) }
        guard let item else { return writeInt8(-1) }
        writeInt8(1)
        item.encode(into: &self, version: version)
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
