import Foundation

/// One value of the AMQP 1.0 type system (OASIS AMQP 1.0 part 1, reference §7.2).
///
/// The codec keeps the distinctions the Service Bus SDKs depend on: `string` vs `symbol`,
/// `int` vs `long` vs `uint`, `list` vs `array`, and `uuid` (RFC byte order). Strings are decoded
/// as UTF-8 with invalid sequences replaced (input never traps); `binary` keeps bytes as sent.
public indirect enum AMQPValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case ubyte(UInt8)
    case ushort(UInt16)
    case uint(UInt32)
    case ulong(UInt64)
    case byte(Int8)
    case short(Int16)
    case int(Int32)
    case long(Int64)
    case float(Float)
    case double(Double)
    /// IEEE 754 decimals, passed through as their bits (pyamqp cannot decode 32/64: never emit them).
    case decimal32(UInt32)
    case decimal64(UInt64)
    /// 16 bytes, passed through (pyamqp can send it in application properties).
    case decimal128([UInt8])
    /// UTF-32 code point (decoded only: pyamqp cannot decode it, so Wharf never emits one it made).
    case char(UInt32)
    /// Milliseconds since the Unix epoch.
    case timestamp(Int64)
    /// 16 bytes in RFC 4122 order.
    case uuid(UUID)
    case binary([UInt8])
    case string(String)
    case symbol(String)
    case list([AMQPValue])
    /// Key/value pairs in wire order (duplicate keys are kept as sent).
    case map([Pair])
    /// Every element has one constructor; the encoder takes it from the first element (wide form).
    case array([AMQPValue])
    case described(AMQPValue, AMQPValue)

    public struct Pair: Equatable, Sendable {
        public var key: AMQPValue
        public var value: AMQPValue
        public init(_ key: AMQPValue, _ value: AMQPValue) {
            self.key = key
            self.value = value
        }
    }
}

// MARK: - Typed access (lenient: any integer width converts when it fits)

public extension AMQPValue {
    var isNull: Bool { self == .null }

    /// Any integer type as Int64 (ulong beyond Int64.max gives nil).
    var integer: Int64? {
        switch self {
        case .ubyte(let v): Int64(v)
        case .ushort(let v): Int64(v)
        case .uint(let v): Int64(v)
        case .ulong(let v): Int64(exactly: v)
        case .byte(let v): Int64(v)
        case .short(let v): Int64(v)
        case .int(let v): Int64(v)
        case .long(let v): v
        default: nil
        }
    }

    var uint32: UInt32? { integer.flatMap { UInt32(exactly: $0) } }

    var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// The text of a string or symbol.
    var text: String? {
        switch self {
        case .string(let s), .symbol(let s): s
        default: nil
        }
    }

    var bytes: [UInt8]? {
        if case .binary(let b) = self { return b }
        return nil
    }

    var timestampValue: Int64? {
        if case .timestamp(let t) = self { return t }
        return nil
    }

    var listValue: [AMQPValue]? {
        switch self {
        case .list(let l), .array(let l): l
        default: nil
        }
    }

    var mapValue: [Pair]? {
        if case .map(let m) = self { return m }
        return nil
    }

    /// The value under a string or symbol key `name` (first match).
    subscript(key name: String) -> AMQPValue? {
        mapValue?.first { $0.key.text == name }?.value
    }

    /// The numeric descriptor of a described value (`00 53 code`; symbolic descriptors give nil).
    var descriptorCode: UInt64? {
        guard case .described(let d, _) = self else { return nil }
        switch d {
        case .ulong(let c): return c
        default: return nil
        }
    }

    var describedValue: AMQPValue? {
        guard case .described(_, let v) = self else { return nil }
        return v
    }

    /// A described value with a small-ulong descriptor (what Wharf always emits, reference §0.2 #2).
    static func described(_ code: UInt64, _ value: AMQPValue) -> AMQPValue { .described(.ulong(code), value) }

    /// A map with symbol keys (annotations, fields, filters).
    static func symbolMap(_ pairs: [(String, AMQPValue)]) -> AMQPValue { .map(pairs.map { Pair(.symbol($0.0), $0.1) }) }

    /// A map with string keys (application properties, management bodies).
    static func stringMap(_ pairs: [(String, AMQPValue)]) -> AMQPValue { .map(pairs.map { Pair(.string($0.0), $0.1) }) }
}
