/// Mutations of protobuf wire bytes (varints at their extremes, lengths that lie, fields
/// repeated, dropped or of unknown numbers and wire types), applied to messages the generated
/// code encoded, so the damage reaches the fields a handler reads.
enum ProtobufMutator {
    private struct Field {
        var tag: UInt64
        var raw: [UInt8]   // the value's bytes as on the wire (length prefix included)
    }

    static func mutate(_ bytes: [UInt8], _ values: inout FuzzValues, depth: Int = 0) -> [UInt8] {
        guard var fields = parse(bytes), !fields.isEmpty else { return FrameMutator.mutate(bytes, &values.random).0 }
        let i = values.random.int(0...(fields.count - 1))
        switch values.random.int(0...5) {
        case 0:
            // A varint field's value at an extreme (or any field's value replaced by one).
            fields[i].tag = fields[i].tag & ~7
            fields[i].raw = varint(values.interesting(UInt64.self))
        case 1:
            // A length-delimited field whose length lies, or whose content is mutated in turn.
            if fields[i].tag & 7 == 2, let (length, used) = readVarint(fields[i].raw, 0) {
                let content = Array(fields[i].raw[used...])
                if depth < 4, values.random.chance(0.6) {
                    let inner = mutate(content, &values, depth: depth + 1)
                    fields[i].raw = varint(UInt64(inner.count)) + inner
                } else {
                    fields[i].raw = varint(values.random.pick([0, length &+ 1, length &+ 1000, UInt64(Int32.max), .max])) + content
                }
            }
        case 2: fields.append(fields[i])
        case 3: fields.remove(at: i)
        case 4:
            let wireType = UInt64(values.random.int(0...7))
            fields.append(Field(tag: UInt64(values.random.pick([1, 2, 15, 16, 2047, 536_870_911])) << 3 | wireType,
                                raw: wireType == 2 ? varint(3) + [1, 2, 3] : varint(values.interesting(UInt64.self))))
        default:
            return FrameMutator.mutate(bytes, &values.random).0
        }
        return fields.flatMap { varint($0.tag) + $0.raw }
    }

    private static func parse(_ bytes: [UInt8]) -> [Field]? {
        var fields: [Field] = []
        var i = 0
        while i < bytes.count {
            guard let (tag, used) = readVarint(bytes, i) else { return nil }
            let start = i + used
            var end = start
            switch tag & 7 {
            case 0: guard let (_, n) = readVarint(bytes, start) else { return nil }; end = start + n
            case 1: end = start + 8
            case 2:
                guard let (length, n) = readVarint(bytes, start), length <= UInt64(bytes.count) else { return nil }
                end = start + n + Int(length)
            case 5: end = start + 4
            default: return nil
            }
            guard end <= bytes.count else { return nil }
            fields.append(Field(tag: tag, raw: Array(bytes[start..<end])))
            i = end
        }
        return fields
    }

    private static func readVarint(_ bytes: [UInt8], _ at: Int) -> (UInt64, Int)? {
        var value: UInt64 = 0
        var i = at
        var shift: UInt64 = 0
        while i < bytes.count, shift < 64 {
            let b = bytes[i]
            value |= UInt64(b & 0x7f) << shift
            i += 1
            if b & 0x80 == 0 { return (value, i - at) }
            shift += 7
        }
        return nil
    }

    static func varint(_ v: UInt64) -> [UInt8] {
        var out: [UInt8] = []
        var v = v
        while v >= 0x80 {
            out.append(UInt8(v & 0x7f) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
        return out
    }
}
