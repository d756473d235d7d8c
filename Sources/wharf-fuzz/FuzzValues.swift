/// Where every field of a generated request gets its value: usually a valid one (so the request
/// gets past the decoder and reaches the broker's logic), and with probability `mutationRate`
/// one of the values that break careless code: 0, ±1, the type's min and max, their
/// neighbours, small numbers, random bits. Strings, nullability and array counts are mutated
/// the same way, and arrays sometimes repeat one entry many times.
struct FuzzValues {
    var random: FuzzRandom
    var mutationRate: Double
    /// The field paths mutated in the request being built, for the crash report.
    var mutated: [String] = []

    init(seed: UInt64, mutationRate: Double) {
        random = FuzzRandom(seed: seed)
        self.mutationRate = mutationRate
    }

    mutating func mutate(_ field: String) -> Bool {
        guard random.chance(mutationRate) else { return false }
        mutated.append(field)
        return true
    }

    mutating func interesting<T: FixedWidthInteger>(_: T.Type) -> T {
        switch random.int(0...9) {
        case 0: return 0
        case 1: return 1
        case 2: return T.isSigned ? T(truncatingIfNeeded: -1) : 2
        case 3: return T.min
        case 4: return T.max
        case 5: return T.max &- 1
        case 6: return T.min &+ 1
        case 7: return T(truncatingIfNeeded: random.int(-16...16))
        case 8: return T(truncatingIfNeeded: 1 << random.int(0...(T.bitWidth - 1)))
        default: return T(truncatingIfNeeded: random.next())
        }
    }

    mutating func int8(_ field: String, _ valid: Int8) -> Int8 { mutate(field) ? interesting(Int8.self) : valid }
    mutating func int16(_ field: String, _ valid: Int16) -> Int16 { mutate(field) ? interesting(Int16.self) : valid }
    mutating func int32(_ field: String, _ valid: Int32) -> Int32 { mutate(field) ? interesting(Int32.self) : valid }
    mutating func int64(_ field: String, _ valid: Int64) -> Int64 { mutate(field) ? interesting(Int64.self) : valid }
    mutating func bool(_ field: String, _ valid: Bool) -> Bool { mutate(field) ? !valid : valid }

    /// Strings that have hurt brokers: empty, at and past Kafka's 249-byte topic limit, path
    /// tricks, internal names, the topic-deletion tombstone, terminal escapes, NUL, non-ASCII.
    static let hostileStrings: [String] = [
        "", ".", "..", "../x", "a/b", "__consumer_offsets", "__wharf-requeue.fz0", "__wharf-x",
        "fz.deleted-1", "crm.account.deleted-v1", "\u{1b}[2J\u{1b}]0;pwned\u{07}", "nul\u{0}byte", "ü-топик-🙂",
        String(repeating: "a", count: 249), String(repeating: "b", count: 250), String(repeating: "c", count: 255),
        String(repeating: "d", count: 4096), "0-9223372036854775806", "|fz0/0@0+9223372036854775807",
    ]

    mutating func string(_ field: String, _ valid: String) -> String {
        guard mutate(field) else { return valid }
        return random.chance(0.8) ? random.pick(Self.hostileStrings) : randomString()
    }

    mutating func nullableString(_ field: String, _ valid: String?) -> String? {
        guard mutate(field) else { return valid }
        return random.chance(0.3) ? nil : (random.chance(0.8) ? random.pick(Self.hostileStrings) : randomString())
    }

    mutating func randomString() -> String {
        String(decoding: (0..<random.int(0...40)).map { _ in UInt8.random(in: 0...255, using: &random) }, as: UTF8.self)
    }

    mutating func bytes(_ field: String, _ valid: [UInt8]) -> [UInt8] {
        guard mutate(field) else { return valid }
        return (0..<random.int(0...64)).map { _ in UInt8.random(in: 0...255, using: &random) }
    }

    /// An array of `validCount` elements, or (mutated) none, or one element repeated up to
    /// 2,000 times: the duplicate entries a broker must not answer (or allocate for) each time.
    mutating func array<T>(_ field: String, validCount: ClosedRange<Int>, _ element: (inout FuzzValues) -> T) -> [T] {
        if mutate(field) {
            if random.chance(0.3) { return [] }
            let one = element(&self)
            return Array(repeating: one, count: random.pick([2, 3, 50, 500, 2000]))
        }
        return (0..<random.int(validCount)).map { _ in element(&self) }
    }

    mutating func nullableArray<T>(_ field: String, validCount: ClosedRange<Int>, _ element: (inout FuzzValues) -> T) -> [T]? {
        if mutate(field + "(null)") { return nil }
        return array(field, validCount: validCount, element)
    }
}
