import WharfCore

/// SASL frames (part 5 §5.3; frame type 1, channel 0). Wharf receives `init` and `response` and
/// sends `mechanisms`, `challenge` (never, today) and `outcome`.
public enum SASLFrame: Equatable, Sendable {
    public static let mechanismsDescriptor: UInt64 = 0x40
    public static let initDescriptor: UInt64 = 0x41
    public static let challengeDescriptor: UInt64 = 0x42
    public static let responseDescriptor: UInt64 = 0x43
    public static let outcomeDescriptor: UInt64 = 0x44

    case mechanisms([String])
    case initial(mechanism: String, response: [UInt8]?, hostname: String?)
    case response([UInt8])
    /// 0 ok, 1 auth, 2 sys, 3 sys-perm, 4 sys-temp.
    case outcome(code: UInt8)

    public init(_ v: AMQPValue) throws(WharfError) {
        switch v.descriptorCode {
        case Self.mechanismsDescriptor:
            let f = try AMQPFields(v, code: Self.mechanismsDescriptor, what: "sasl-mechanisms")
            switch f[0] {
            case .symbol(let s): self = .mechanisms([s])
            case .array(let a): self = .mechanisms(a.compactMap(\.text))
            default: throw .malformed("AMQP: sasl-mechanisms without mechanisms")
            }
        case Self.initDescriptor:
            let f = try AMQPFields(v, code: Self.initDescriptor, what: "sasl-init")
            self = .initial(mechanism: try f.required(try f.text(0), 0), response: try f.binary(1), hostname: try f.text(2))
        case Self.responseDescriptor:
            let f = try AMQPFields(v, code: Self.responseDescriptor, what: "sasl-response")
            self = .response(try f.binary(0) ?? [])
        case Self.outcomeDescriptor:
            let f = try AMQPFields(v, code: Self.outcomeDescriptor, what: "sasl-outcome")
            self = .outcome(code: UInt8(clamping: try f.required(try f.uint(0), 0)))
        default: throw .malformed("AMQP: unexpected SASL frame")
        }
    }

    public var value: AMQPValue {
        switch self {
        case .mechanisms(let m): .described(Self.mechanismsDescriptor, .list([.array(m.map { .symbol($0) })]))
        case .initial(let m, let r, let h):
            .described(Self.initDescriptor, .list([.symbol(m), r.map { .binary($0) } ?? .null, h.amqpString]))
        case .response(let r): .described(Self.responseDescriptor, .list([.binary(r)]))
        case .outcome(let code): .described(Self.outcomeDescriptor, .list([.ubyte(code), .null]))
        }
    }
}
