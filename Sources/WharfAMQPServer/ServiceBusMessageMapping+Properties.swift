import Foundation
import WharfAMQP
import WharfEngine

/// Application property values between their AMQP type and the engine's canonical text plus
/// `ApplicationPropertyType` (see that type for the text of each), so a property comes back in
/// the type it was sent with through receive, peek, dead-letter, defer, requeue and fan-out.
extension ServiceBusMessageMapping {
    /// The stored form of one property value; nil for values Service Bus does not allow in
    /// application properties (lists, maps, described values, decimals), which are dropped.
    static func stored(_ v: AMQPValue) -> (text: String, type: ApplicationPropertyType?)? {
        switch v {
        case .string(let s), .symbol(let s): (s, nil)
        case .null: ("", .null)
        case .bool(let b): (b ? "true" : "false", .bool)
        case .byte(let n): (String(n), .byte)
        case .short(let n): (String(n), .short)
        case .int(let n): (String(n), .int)
        case .long(let n): (String(n), .long)
        case .ubyte(let n): (String(n), .ubyte)
        case .ushort(let n): (String(n), .ushort)
        case .uint(let n): (String(n), .uint)
        case .ulong(let n): (String(n), .ulong)
        case .float(let f): (String(f), .float)
        case .double(let d): (String(d), .double)
        case .timestamp(let t): (String(t), .timestamp)
        case .uuid(let u): (u.uuidString.lowercased(), .uuid)
        case .binary(let b): (hex(b), .binary)
        case .char(let c): Unicode.Scalar(c).map { (String(Character($0)), .char) }
        case .decimal32, .decimal64, .decimal128, .list, .map, .array, .described: nil
        }
    }

    /// A stored property value as it goes out: its type, or a string when the text does not read
    /// as that type (never for what Wharf stored itself).
    static func wire(_ text: String, _ type: ApplicationPropertyType?) -> AMQPValue {
        let typed: AMQPValue? = switch type {
        case nil: .string(text)
        case .null: .null
        case .bool: text == "true" ? .bool(true) : text == "false" ? .bool(false) : nil
        case .byte: Int8(text).map { .byte($0) }
        case .short: Int16(text).map { .short($0) }
        case .int: Int32(text).map { .int($0) }
        case .long: Int64(text).map { .long($0) }
        case .ubyte: UInt8(text).map { .ubyte($0) }
        case .ushort: UInt16(text).map { .ushort($0) }
        case .uint: UInt32(text).map { .uint($0) }
        case .ulong: UInt64(text).map { .ulong($0) }
        case .float: Float(text).map { .float($0) }
        case .double: Double(text).map { .double($0) }
        case .timestamp: Int64(text).map { .timestamp($0) }
        case .uuid: UUID(uuidString: text).map { .uuid($0) }
        case .binary: bytes(hex: text).map { .binary($0) }
        case .char: text.unicodeScalars.count == 1 ? text.unicodeScalars.first.map { .char($0.value) } : nil
        }
        return typed ?? .string(text)
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func bytes(hex text: String) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count / 2)
        var i = 0
        while i < chars.count {
            guard let hi = nibble(chars[i]), let lo = nibble(chars[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }
}
