import WharfCore

/// Byte-level damage to an encoded request payload (the bytes after the size prefix), for
/// what field-level mutation cannot reach: lengths and counts that disagree with the bytes,
/// truncation mid-field, unknown API keys and versions, junk.
enum FrameMutator {
    enum Kind: String, CaseIterable {
        case bitFlips, interestingInt16, interestingInt32, truncate, appendJunk, randomBody, headerKeyVersion
    }

    /// Returns the damaged payload and what was done to it.
    static func mutate(_ payload: [UInt8], _ random: inout FuzzRandom) -> ([UInt8], Kind) {
        var p = payload
        let kind = random.pick(Kind.allCases)
        switch kind {
        case .bitFlips:
            for _ in 0..<random.int(1...8) where !p.isEmpty {
                let i = random.int(0...(p.count - 1))
                p[i] ^= UInt8(1 << random.int(0...7))
            }
        case .interestingInt16:
            // Lands on string lengths and int16 fields when aligned with one.
            if p.count >= 2 {
                let v: Int16 = random.pick([0, -1, 1, .max, .min, 0x7ff0])
                p.setBigEndian(v, at: random.int(0...(p.count - 2)))
            }
        case .interestingInt32:
            // Lands on array counts, byte lengths and int32 fields when aligned with one.
            if p.count >= 4 {
                let v: Int32 = random.pick([0, -1, 1, .max, .min, 0x0100_0000, 0x7fff_fff0])
                p.setBigEndian(v, at: random.int(0...(p.count - 4)))
            }
        case .truncate:
            if !p.isEmpty { p.removeLast(random.int(1...p.count)) }
        case .appendJunk:
            p += (0..<random.int(1...64)).map { _ in UInt8.random(in: 0...255, using: &random) }
        case .randomBody:
            // Keep the 8-byte header (key, version, correlation id) so the junk reaches a decoder.
            p = Array(p.prefix(8)) + (0..<random.int(0...256)).map { _ in UInt8.random(in: 0...255, using: &random) }
        case .headerKeyVersion:
            if p.count >= 4 {
                p.setBigEndian(Int16(truncatingIfNeeded: random.int(-2...80)), at: 0)
                p.setBigEndian(Int16(truncatingIfNeeded: random.int(-2...20)), at: 2)
            }
        }
        return (p, kind)
    }
}
