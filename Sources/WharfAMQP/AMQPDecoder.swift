import Foundation
import WharfCore

/// Decodes AMQP 1.0 encoded values from untrusted bytes (reference §7.2).
///
/// Every size and count is checked against the bytes present before anything is allocated:
/// a list or map cannot declare more elements than it has bytes, an array of zero-width
/// elements (null, true, uint0 ...) at most `maxZeroWidthElements`, and nesting stops at
/// `maxDepth` (pyamqp's own limit). Anything else throws `WharfError.malformed`; nothing traps.
public enum AMQPDecoder {
    /// Compound nesting depth (pyamqp decodes at most 64 levels, reference §7.2).
    public static let maxDepth = 64
    /// Elements of an array whose elements take no bytes (pyamqp's compound element limit).
    public static let maxZeroWidthElements = 65_536

    /// Decodes exactly one value filling `bytes`.
    public static func decode(_ bytes: [UInt8]) throws(WharfError) -> AMQPValue {
        try bytes.withBytes { (raw) throws(WharfError) -> AMQPValue in
            var r = ByteReader(raw)
            let v = try value(&r)
            guard r.remaining == 0 else { throw .malformed("AMQP: \(r.remaining) bytes after the value") }
            return v
        }
    }

    /// Decodes values one after another until `bytes` is used up (message sections).
    public static func decodeSequence(_ bytes: [UInt8]) throws(WharfError) -> [AMQPValue] {
        try bytes.withBytes { (raw) throws(WharfError) -> [AMQPValue] in
            var r = ByteReader(raw)
            var out: [AMQPValue] = []
            while r.remaining > 0 { out.append(try value(&r)) }
            return out
        }
    }

    /// One value at the reader's position.
    public static func value(_ r: inout ByteReader, depth: Int = 0) throws(WharfError) -> AMQPValue {
        guard depth <= maxDepth else { throw .malformed("AMQP: nesting deeper than \(maxDepth)") }
        let c = try constructor(&r, depth: depth)
        return try payload(c, &r, depth: depth)
    }

    /// A constructor: a format code, or `00 descriptor constructor` (a described type).
    indirect enum Constructor {
        case code(UInt8)
        case described(AMQPValue, Constructor)
    }

    static func constructor(_ r: inout ByteReader, depth: Int) throws(WharfError) -> Constructor {
        let code = try r.readUInt8()
        guard code == 0x00 else { return .code(code) }
        guard depth < maxDepth else { throw .malformed("AMQP: nesting deeper than \(maxDepth)") }
        let descriptor = try value(&r, depth: depth + 1)
        return .described(descriptor, try constructor(&r, depth: depth + 1))
    }

    static func payload(_ c: Constructor, _ r: inout ByteReader, depth: Int) throws(WharfError) -> AMQPValue {
        switch c {
        case .described(let d, let inner): return .described(d, try payload(inner, &r, depth: depth + 1))
        case .code(let code): return try primitive(code, &r, depth: depth)
        }
    }

    /// Bytes a value of `code` takes after its constructor, when fixed (nil: variable).
    static func fixedWidth(_ c: Constructor) -> Int? {
        switch c {
        case .described(_, let inner): return fixedWidth(inner)
        case .code(let code):
            switch code {
            case 0x40, 0x41, 0x42, 0x43, 0x44, 0x45: return 0
            case 0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56: return 1
            case 0x60, 0x61: return 2
            case 0x70, 0x71, 0x72, 0x73, 0x74: return 4
            case 0x80, 0x81, 0x82, 0x83, 0x84: return 8
            case 0x94, 0x98: return 16
            default: return nil
            }
        }
    }

    private static func primitive(_ code: UInt8, _ r: inout ByteReader, depth: Int) throws(WharfError) -> AMQPValue {
        switch code {
        case 0x40: return .null
        case 0x41: return .bool(true)
        case 0x42: return .bool(false)
        case 0x56:
            switch try r.readUInt8() {
            case 0: return .bool(false)
            case 1: return .bool(true)
            case let b: throw .malformed("AMQP: boolean byte \(b)")
            }
        case 0x50: return .ubyte(try r.readUInt8())
        case 0x60: return .ushort(try r.readBigEndian(UInt16.self))
        case 0x70: return .uint(try r.readUInt32())
        case 0x52: return .uint(UInt32(try r.readUInt8()))
        case 0x43: return .uint(0)
        case 0x80: return .ulong(try r.readBigEndian(UInt64.self))
        case 0x53: return .ulong(UInt64(try r.readUInt8()))
        case 0x44: return .ulong(0)
        case 0x51: return .byte(try r.readInt8())
        case 0x61: return .short(try r.readInt16())
        case 0x71: return .int(try r.readInt32())
        case 0x54: return .int(Int32(try r.readInt8()))
        case 0x81: return .long(try r.readInt64())
        case 0x55: return .long(Int64(try r.readInt8()))
        case 0x72: return .float(Float(bitPattern: try r.readUInt32()))
        case 0x82: return .double(Double(bitPattern: try r.readBigEndian(UInt64.self)))
        case 0x74: return .decimal32(try r.readUInt32())
        case 0x84: return .decimal64(try r.readBigEndian(UInt64.self))
        case 0x94: return .decimal128(try r.readBytes(16))
        case 0x73: return .char(try r.readUInt32())
        case 0x83: return .timestamp(try r.readInt64())
        case 0x98:
            let b = try r.readBytes(16)
            return .uuid(UUID(uuid: (b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15])))
        case 0xa0: return .binary(try r.readBytes(Int(try r.readUInt8())))
        case 0xb0: return .binary(try r.readBytes(Int(try r.readUInt32())))
        case 0xa1: return .string(String(decoding: try r.readSlice(Int(try r.readUInt8())), as: UTF8.self))
        case 0xb1: return .string(String(decoding: try r.readSlice(Int(try r.readUInt32())), as: UTF8.self))
        case 0xa3: return .symbol(String(decoding: try r.readSlice(Int(try r.readUInt8())), as: UTF8.self))
        case 0xb3: return .symbol(String(decoding: try r.readSlice(Int(try r.readUInt32())), as: UTF8.self))
        case 0x45: return .list([])
        case 0xc0, 0xd0, 0xc1, 0xd1, 0xe0, 0xf0: return try compound(code, &r, depth: depth)
        default: throw .malformed("AMQP: unknown format code 0x\(String(code, radix: 16))")
        }
    }

    /// list8/32, map8/32, array8/32: `size count body`, where size counts the bytes after itself.
    private static func compound(_ code: UInt8, _ r: inout ByteReader, depth: Int) throws(WharfError) -> AMQPValue {
        guard depth < maxDepth else { throw .malformed("AMQP: nesting deeper than \(maxDepth)") }
        let wide = code & 0xf0 != 0xc0 && code != 0xe0
        let size = wide ? Int(try r.readUInt32()) : Int(try r.readUInt8())
        var body = ByteReader(try r.readSlice(size))
        let count = wide ? Int(try body.readUInt32()) : Int(try body.readUInt8())
        var out: [AMQPValue] = []
        switch code {
        case 0xc0, 0xd0, 0xc1, 0xd1:
            // Every element has at least a constructor byte.
            guard count <= body.remaining else { throw .malformed("AMQP: \(count) elements in \(body.remaining) bytes") }
            out.reserveCapacity(count)
            for _ in 0..<count { out.append(try value(&body, depth: depth + 1)) }
        default:
            guard count > 0 else {
                // An empty array may still carry its element constructor.
                if body.remaining > 0 { _ = try constructor(&body, depth: depth + 1) }
                break
            }
            let element = try constructor(&body, depth: depth + 1)
            let width = fixedWidth(element)
            let fits = width == 0 ? count <= maxZeroWidthElements : count <= body.remaining / max(width ?? 1, 1)
            guard fits else { throw .malformed("AMQP: array of \(count) elements in \(body.remaining) bytes") }
            out.reserveCapacity(count)
            for _ in 0..<count { out.append(try payload(element, &body, depth: depth + 1)) }
        }
        guard body.remaining == 0 else { throw .malformed("AMQP: compound has \(body.remaining) bytes beyond its \(count) elements") }
        switch code {
        case 0xc0, 0xd0: return .list(out)
        case 0xc1, 0xd1:
            guard count % 2 == 0 else { throw .malformed("AMQP: map with an odd element count \(count)") }
            return .map(stride(from: 0, to: out.count, by: 2).map { AMQPValue.Pair(out[$0], out[$0 + 1]) })
        default: return .array(out)
        }
    }
}
