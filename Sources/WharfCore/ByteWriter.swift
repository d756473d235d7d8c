/// Big-endian appends onto a byte array, the write-side twin of `ByteReader`.
public extension Array where Element == UInt8 {
    @inlinable mutating func appendBigEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.bigEndian) { append(contentsOf: $0) }
    }

    /// Overwrites `MemoryLayout<T>.size` bytes at `offset` with `value` in big-endian order.
    @inlinable mutating func setBigEndian<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        withUnsafeMutableBytes { $0.storeBytes(of: value.bigEndian, toByteOffset: offset, as: T.self) }
    }
}

public extension UnsafeRawBufferPointer {
    /// Big-endian load at a byte offset; the caller has checked the bounds.
    @inlinable func loadBigEndian<T: FixedWidthInteger>(at offset: Int, as: T.Type) -> T {
        T(bigEndian: loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}
