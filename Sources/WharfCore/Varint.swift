/// Kafka's record-level variable-length integers: zigzag encoding, then unsigned LEB128.
/// A varint takes at most 5 bytes, a varlong at most 10 (`DefaultRecord.java`, `ByteUtils.java`).
public enum Varint {
    @inlinable public static func zigzag(_ n: Int64) -> UInt64 { UInt64(bitPattern: (n << 1) ^ (n >> 63)) }
    @inlinable public static func unzigzag(_ n: UInt64) -> Int64 { Int64(bitPattern: n >> 1) ^ -Int64(bitPattern: n & 1) }

    /// Bytes the zigzag varlong encoding of `n` takes.
    @inlinable public static func size(_ n: Int64) -> Int {
        var v = zigzag(n)
        var bytes = 1
        while v >= 0x80 { v >>= 7; bytes += 1 }
        return bytes
    }

    /// Appends the zigzag varlong encoding of `n`.
    @inlinable public static func append(_ n: Int64, to out: inout [UInt8]) {
        appendUnsigned(zigzag(n), to: &out)
    }

    /// Appends `v` as unsigned LEB128 (the protocol's "uvarint", no zigzag).
    @inlinable public static func appendUnsigned(_ value: UInt64, to out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }
}
