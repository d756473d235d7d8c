/// A bounds-checked big-endian reader over borrowed bytes. Every read that would run past the end
/// throws `WharfError.malformed` instead of trapping, so corrupt input can never crash a caller.
/// It does not own its bytes: use it only inside the closure that lent them.
public struct ByteReader {
    public let bytes: UnsafeRawBufferPointer
    public private(set) var position: Int

    public init(_ bytes: UnsafeRawBufferPointer, at position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    public var remaining: Int { bytes.count - position }

    @inlinable func need(_ n: Int) throws(WharfError) {
        if n < 0 || n > bytes.count - position { throw .malformed("truncated input: need \(n) bytes at \(position), have \(bytes.count - position)") }
    }

    public mutating func readInt8() throws(WharfError) -> Int8 { Int8(bitPattern: try readUInt8()) }

    public mutating func readUInt8() throws(WharfError) -> UInt8 {
        try need(1)
        defer { position += 1 }
        return bytes[position]
    }

    public mutating func readInt16() throws(WharfError) -> Int16 { Int16(bitPattern: try readBigEndian(UInt16.self)) }
    public mutating func readInt32() throws(WharfError) -> Int32 { Int32(bitPattern: try readBigEndian(UInt32.self)) }
    public mutating func readUInt32() throws(WharfError) -> UInt32 { try readBigEndian(UInt32.self) }
    public mutating func readInt64() throws(WharfError) -> Int64 { Int64(bitPattern: try readBigEndian(UInt64.self)) }

    public mutating func readBigEndian<T: FixedWidthInteger>(_: T.Type) throws(WharfError) -> T {
        try need(MemoryLayout<T>.size)
        defer { position += MemoryLayout<T>.size }
        return T(bigEndian: bytes.loadUnaligned(fromByteOffset: position, as: T.self))
    }

    /// Zigzag varlong (record-level fields).
    public mutating func readVarlong() throws(WharfError) -> Int64 {
        Varint.unzigzag(try readUnsignedVarint(maxBytes: 10))
    }

    /// Zigzag varint, limited to 5 bytes and the Int32 range.
    public mutating func readVarint() throws(WharfError) -> Int32 {
        let v = Varint.unzigzag(try readUnsignedVarint(maxBytes: 5))
        guard let n = Int32(exactly: v) else { throw .malformed("varint out of range: \(v)") }
        return n
    }

    public mutating func readUnsignedVarint(maxBytes: Int = 10) throws(WharfError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        for _ in 0..<maxBytes {
            let byte = try readUInt8()
            result |= UInt64(byte & 0x7f) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
        throw .malformed("varint longer than \(maxBytes) bytes at \(position)")
    }

    /// A slice of the next `count` bytes, without copying.
    public mutating func readSlice(_ count: Int) throws(WharfError) -> UnsafeRawBufferPointer {
        try need(count)
        defer { position += count }
        return UnsafeRawBufferPointer(rebasing: bytes[position..<(position + count)])
    }

    public mutating func readBytes(_ count: Int) throws(WharfError) -> [UInt8] {
        Array(try readSlice(count))
    }

    public mutating func skip(_ count: Int) throws(WharfError) {
        try need(count)
        position += count
    }
}
