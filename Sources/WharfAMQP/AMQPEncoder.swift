import Foundation
import WharfCore

/// Encodes AMQP 1.0 values (reference §7.2): the smallest form of each scalar (booleans as `56 xx`,
/// like pyamqp, so Wharf's frames match the golden vectors byte for byte), list8/map8 when
/// they fit in 255 bytes, and `00 53 code` for every numeric descriptor below 256 (pyamqp reads
/// performative and section codes at a fixed offset, reference §0.2 #2). Arrays use the wide
/// element constructor of their first element (as pyamqp does); elements of another type are
/// left out rather than mis-encoded.
public enum AMQPEncoder {
    public static func encode(_ value: AMQPValue) -> [UInt8] {
        var out: [UInt8] = []
        encode(value, into: &out)
        return out
    }

    public static func encode(_ value: AMQPValue, into out: inout [UInt8]) {
        switch value {
        case .null: out.append(0x40)
        case .bool(let b): out += [0x56, b ? 1 : 0]  // as pyamqp emits them (golden vectors)
        case .ubyte(let v): out += [0x50, v]
        case .ushort(let v): out.append(0x60); out.appendBigEndian(v)
        case .uint(let v):
            if v == 0 { out.append(0x43) } else if v < 256 { out += [0x52, UInt8(v)] } else { out.append(0x70); out.appendBigEndian(v) }
        case .ulong(let v):
            if v == 0 { out.append(0x44) } else if v < 256 { out += [0x53, UInt8(v)] } else { out.append(0x80); out.appendBigEndian(v) }
        case .byte(let v): out += [0x51, UInt8(bitPattern: v)]
        case .short(let v): out.append(0x61); out.appendBigEndian(v)
        case .int(let v):
            if let small = Int8(exactly: v) { out += [0x54, UInt8(bitPattern: small)] } else { out.append(0x71); out.appendBigEndian(v) }
        case .long(let v):
            if let small = Int8(exactly: v) { out += [0x55, UInt8(bitPattern: small)] } else { out.append(0x81); out.appendBigEndian(v) }
        case .described(let d, let v):
            out.append(0x00)
            encode(d, into: &out)
            encode(v, into: &out)
        case .list(let items):
            if items.isEmpty { out.append(0x45); return }
            let start = beginCompound(small: 0xc0, into: &out)
            for i in items { encode(i, into: &out) }
            endCompound(start: start, wide: 0xd0, count: items.count, into: &out)
        case .map(let pairs):
            let start = beginCompound(small: 0xc1, into: &out)
            for p in pairs {
                encode(p.key, into: &out)
                encode(p.value, into: &out)
            }
            endCompound(start: start, wide: 0xd1, count: pairs.count * 2, into: &out)
        case .array(let items):
            var body: [UInt8] = []
            let first = items.first ?? .null
            appendWideConstructor(first, into: &body)
            let same = items.filter { wideKind($0) == wideKind(first) }
            for i in same { appendWidePayload(i, into: &body) }
            appendCompound(small: 0xe0, wide: 0xf0, count: same.count, body: body, into: &out)
        case .binary(let b): appendVariable(b, small: 0xa0, wide: 0xb0, into: &out)
        case .string(let t): appendVariable(Array(t.utf8), small: 0xa1, wide: 0xb1, into: &out)
        case .symbol(let t): appendVariable(Array(t.utf8), small: 0xa3, wide: 0xb3, into: &out)
        default:
            appendWideConstructor(value, into: &out)
            appendWidePayload(value, into: &out)
        }
    }

    private static func appendVariable(_ b: [UInt8], small: UInt8, wide: UInt8, into out: inout [UInt8]) {
        if b.count < 256 {
            out += [small, UInt8(b.count)]
        } else {
            out.append(wide)
            out.appendBigEndian(UInt32(truncatingIfNeeded: b.count))
        }
        out += b
    }

    /// Lists and maps are encoded in place (no buffer of their own per compound): the small
    /// form's constructor and two placeholder bytes go first, the elements after them, and
    /// `endCompound` fills in size and count, or widens the header when they do not fit a byte.
    private static func beginCompound(small: UInt8, into out: inout [UInt8]) -> Int {
        let start = out.count
        out += [small, 0, 0]
        return start
    }

    private static func endCompound(start: Int, wide: UInt8, count: Int, into out: inout [UInt8]) {
        let bodyCount = out.count - start - 3
        if count < 256, bodyCount + 1 < 256 {
            out[start + 1] = UInt8(bodyCount + 1)
            out[start + 2] = UInt8(count)
            return
        }
        var header: [UInt8] = []
        header.appendBigEndian(UInt32(truncatingIfNeeded: bodyCount + 4))
        header.appendBigEndian(UInt32(truncatingIfNeeded: count))
        out[start] = wide
        out.replaceSubrange((start + 1)..<(start + 3), with: header)
    }

    private static func appendCompound(small: UInt8, wide: UInt8, count: Int, body: [UInt8], into out: inout [UInt8]) {
        if count < 256, body.count + 1 < 256 {
            out += [small, UInt8(body.count + 1), UInt8(count)]
        } else {
            out.append(wide)
            out.appendBigEndian(UInt32(truncatingIfNeeded: body.count + 4))
            out.appendBigEndian(UInt32(truncatingIfNeeded: count))
        }
        out += body
    }

    /// The wide constructor bytes of a value: array elements must share them.
    private static func wideKind(_ v: AMQPValue) -> [UInt8] {
        var c: [UInt8] = []
        appendWideConstructor(v, into: &c)
        return c
    }

    /// The wide constructor of a value (what pyamqp uses for array elements).
    private static func appendWideConstructor(_ v: AMQPValue, into out: inout [UInt8]) {
        switch v {
        case .null: out.append(0x40)
        case .bool: out.append(0x56)
        case .ubyte: out.append(0x50)
        case .ushort: out.append(0x60)
        case .uint: out.append(0x70)
        case .ulong: out.append(0x80)
        case .byte: out.append(0x51)
        case .short: out.append(0x61)
        case .int: out.append(0x71)
        case .long: out.append(0x81)
        case .float: out.append(0x72)
        case .double: out.append(0x82)
        case .decimal32: out.append(0x74)
        case .decimal64: out.append(0x84)
        case .decimal128: out.append(0x94)
        case .char: out.append(0x73)
        case .timestamp: out.append(0x83)
        case .uuid: out.append(0x98)
        case .binary: out.append(0xb0)
        case .string: out.append(0xb1)
        case .symbol: out.append(0xb3)
        case .list: out.append(0xd0)
        case .map: out.append(0xd1)
        case .array: out.append(0xf0)
        case .described(let d, let inner):
            out.append(0x00)
            encode(d, into: &out)
            appendWideConstructor(inner, into: &out)
        }
    }

    /// The payload after a wide constructor.
    private static func appendWidePayload(_ v: AMQPValue, into out: inout [UInt8]) {
        switch v {
        case .null: break
        case .bool(let b): out.append(b ? 1 : 0)
        case .ubyte(let x): out.append(x)
        case .ushort(let x): out.appendBigEndian(x)
        case .uint(let x): out.appendBigEndian(x)
        case .ulong(let x): out.appendBigEndian(x)
        case .byte(let x): out.append(UInt8(bitPattern: x))
        case .short(let x): out.appendBigEndian(x)
        case .int(let x): out.appendBigEndian(x)
        case .long(let x): out.appendBigEndian(x)
        case .float(let x): out.appendBigEndian(x.bitPattern)
        case .double(let x): out.appendBigEndian(x.bitPattern)
        case .decimal32(let x): out.appendBigEndian(x)
        case .decimal64(let x): out.appendBigEndian(x)
        case .decimal128(let b): out += (b + [UInt8](repeating: 0, count: 16)).prefix(16)
        case .char(let x): out.appendBigEndian(x)
        case .timestamp(let x): out.appendBigEndian(x)
        case .uuid(let u): withUnsafeBytes(of: u.uuid) { out += $0 }
        case .binary(let b): appendLength32(b, into: &out)
        case .string(let s), .symbol(let s): appendLength32(Array(s.utf8), into: &out)
        case .list, .map, .array:
            // Wide compound payload: re-encode and drop the constructor byte, forcing the wide form.
            var full: [UInt8] = []
            encodeWideCompound(v, into: &full)
            out += full.dropFirst()
        case .described(_, let inner): appendWidePayload(inner, into: &out)
        }
    }

    private static func encodeWideCompound(_ v: AMQPValue, into out: inout [UInt8]) {
        var body: [UInt8] = []
        var count = 0
        var code: UInt8 = 0xd0
        switch v {
        case .list(let items):
            for i in items { encode(i, into: &body) }
            count = items.count
        case .map(let pairs):
            for p in pairs { encode(p.key, into: &body); encode(p.value, into: &body) }
            count = pairs.count * 2
            code = 0xd1
        case .array(let items):
            let first = items.first ?? .null
            appendWideConstructor(first, into: &body)
            let same = items.filter { wideKind($0) == wideKind(first) }
            for i in same { appendWidePayload(i, into: &body) }
            count = same.count
            code = 0xf0
        default: return
        }
        out.append(code)
        out.appendBigEndian(UInt32(truncatingIfNeeded: body.count + 4))
        out.appendBigEndian(UInt32(truncatingIfNeeded: count))
        out += body
    }

    private static func appendLength32(_ b: [UInt8], into out: inout [UInt8]) {
        out.appendBigEndian(UInt32(truncatingIfNeeded: b.count))
        out += b
    }
}
