import WharfAMQP

/// Mutations of an AMQP value tree: each node, with the run's mutation rate, becomes a hostile
/// value (an integer at its extremes or of another width, another type, null, a long or deeply
/// nested compound, another descriptor).
struct AMQPTreeMutator {
    mutating func mutate(_ value: AMQPValue, _ values: inout FuzzValues, _ path: String) -> AMQPValue {
        if values.mutate(path) { return hostile(&values) }
        switch value {
        case .list(let items):
            return .list(items.enumerated().map { i, item in mutate(item, &values, "\(path).\(i)") })
        case .map(let pairs):
            return .map(pairs.map { AMQPValue.Pair($0.key, mutate($0.value, &values, "\(path).\($0.key.text ?? "?")")) })
        case .described(let descriptor, let inner):
            return .described(descriptor, mutate(inner, &values, path))
        default:
            return value
        }
    }

    /// A value chosen to break careless decoders and handlers. Arrays stay homogeneous (the
    /// encoder takes their constructor from the first element).
    func hostile(_ values: inout FuzzValues) -> AMQPValue {
        switch values.random.int(0...13) {
        case 0: return .null
        case 1: return .uint(values.interesting(UInt32.self))
        case 2: return .ulong(values.interesting(UInt64.self))
        case 3: return .long(values.interesting(Int64.self))
        case 4: return .int(values.interesting(Int32.self))
        case 5: return .ubyte(values.interesting(UInt8.self))
        case 6: return .string(values.random.pick(FuzzValues.hostileStrings))
        case 7: return .symbol(values.random.pick(FuzzValues.hostileStrings))
        case 8: return .binary(values.bytes("binary", [0]))
        case 9: return .list(Array(repeating: .null, count: values.random.pick([0, 1, 255, 256, 10_000])))
        case 10:
            var v = AMQPValue.null
            for _ in 0..<values.random.pick([10, 100, 1_000]) { v = .list([v]) }
            return v
        case 11: return .map(Array(repeating: AMQPValue.Pair(.symbol("k"), .null), count: values.random.pick([1, 2, 1_000])))
        case 12: return .array(Array(repeating: .uint(values.interesting(UInt32.self)), count: values.random.pick([0, 1, 1_000])))
        default: return .described(.ulong(UInt64(values.random.int(0...0x80))), .list([.null, .uint(values.interesting(UInt32.self))]))
        }
    }
}
