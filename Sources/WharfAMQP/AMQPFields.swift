import WharfCore

/// Positional access to a described list's fields: a missing trailing field reads as null
/// (peers may truncate trailing nulls, part 1 §1.4), and typed reads throw `malformed` when a
/// present field has the wrong type.
struct AMQPFields {
    let values: [AMQPValue]
    let what: String

    init(_ value: AMQPValue, code: UInt64, what: String) throws(WharfError) {
        guard value.descriptorCode == code, let inner = value.describedValue else {
            throw .malformed("AMQP: expected \(what)")
        }
        switch inner {
        case .list(let l): values = l
        case .null: values = []
        default: throw .malformed("AMQP: \(what) is not a list")
        }
        self.what = what
    }

    subscript(_ i: Int) -> AMQPValue { i < values.count ? values[i] : .null }

    func uint(_ i: Int) throws(WharfError) -> UInt32? {
        let v = self[i]
        if v.isNull { return nil }
        guard let n = v.uint32 else { throw .malformed("AMQP: \(what) field \(i) is not a uint") }
        return n
    }

    func ulong(_ i: Int) throws(WharfError) -> UInt64? {
        switch self[i] {
        case .null: return nil
        case .ulong(let n): return n
        case let v:
            guard let n = v.integer, n >= 0 else { throw .malformed("AMQP: \(what) field \(i) is not a ulong") }
            return UInt64(n)
        }
    }

    func bool(_ i: Int) throws(WharfError) -> Bool? {
        let v = self[i]
        if v.isNull { return nil }
        guard let b = v.boolValue else { throw .malformed("AMQP: \(what) field \(i) is not a boolean") }
        return b
    }

    func text(_ i: Int) throws(WharfError) -> String? {
        let v = self[i]
        if v.isNull { return nil }
        guard let t = v.text else { throw .malformed("AMQP: \(what) field \(i) is not a string") }
        return t
    }

    func binary(_ i: Int) throws(WharfError) -> [UInt8]? {
        let v = self[i]
        if v.isNull { return nil }
        guard let b = v.bytes else { throw .malformed("AMQP: \(what) field \(i) is not binary") }
        return b
    }

    func required<T>(_ v: T?, _ i: Int) throws(WharfError) -> T {
        guard let v else { throw .malformed("AMQP: \(what) field \(i) is mandatory") }
        return v
    }
}

/// Optional fields as AMQP values (nil becomes null).
extension Optional where Wrapped == UInt32 {
    var amqp: AMQPValue { map { .uint($0) } ?? .null }
}

extension Optional where Wrapped == Bool {
    var amqp: AMQPValue { map { .bool($0) } ?? .null }
}

extension Optional where Wrapped == String {
    var amqpString: AMQPValue { map { .string($0) } ?? .null }
    var amqpSymbol: AMQPValue { map { .symbol($0) } ?? .null }
}
