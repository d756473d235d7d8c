import Testing
@testable import WharfEngine
import WharfTestSupport

/// `SequenceTable` against a dictionary: the same keys and values after any mix of inserts,
/// replacements and removals, whether the keys come in order (a queue's index), out of order, or
/// far apart (a log's gaps).
@Suite struct SequenceTableTests {
    static func expectSame(_ table: SequenceTable<String>, _ model: [Int64: String], _ comment: Comment? = nil) {
        #expect(table.count == model.count, comment)
        #expect(Dictionary(uniqueKeysWithValues: table.map { ($0.key, $0.value) }) == model, comment)
        for (k, v) in model { #expect(table[k] == v, comment) }
    }

    @Test func aQueuesPatternKeepsItsValues() {
        var table = SequenceTable<String>()
        for seq in Int64(1)...10_000 { table[seq] = "m\(seq)" }
        // Settled mostly oldest first, one old message left behind.
        for seq in Int64(2)...9_000 { table[seq] = nil }
        #expect(table.count == 1_001 && table[1] == "m1" && table[2] == nil && table[9_001] == "m9001")
        #expect(Set(table.keys) == Set([1] + Array(9_001...10_000)))
        for seq in Int64(10_001)...200_000 {
            table[seq] = "m\(seq)"
            table[seq - 1_000] = nil
        }
        #expect(table.count == 1_001 && table[1] == "m1" && table[199_000] == nil && table[199_001] == "m199001")
        #expect(Set(table.keys) == Set([1] + Array(199_001...200_000)))
        table[1] = nil
        #expect(table.count == 1_000 && table[1] == nil)
    }

    @Test func keysFarApartOrBeforeTheWindowAreKeptToo() {
        var table = SequenceTable<String>()
        table[100] = "a"
        table[Int64.max] = "far"
        table[Int64.min] = "before"
        table[101] = "b"
        table[50] = "behind"
        #expect(table.count == 5 && table[Int64.max] == "far" && table[Int64.min] == "before" && table[50] == "behind")
        table[Int64.max] = "far again"
        #expect(table.count == 5 && table[Int64.max] == "far again")
        for k in [Int64(100), 101, 50, .max, .min] { table[k] = nil }
        #expect(table.isEmpty && Array(table.keys).isEmpty)
        table[7] = "fresh"
        #expect(table.count == 1 && Array(table.keys) == [7])
        // The extremes of the key range, the window starting at the lowest.
        var extremes = SequenceTable<String>()
        extremes[Int64.min] = "min"
        extremes[Int64.max] = "max"
        extremes[Int64.min + 1] = "next"
        #expect(extremes.count == 3 && extremes[Int64.min] == "min" && extremes[Int64.max] == "max" && extremes[Int64.min + 1] == "next")
    }

    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8]) func randomOperationsMatchADictionary(seed: UInt64) {
        var random = SeededRandom(seed: seed)
        var table = SequenceTable<String>()
        var model: [Int64: String] = [:]
        var next: Int64 = 1
        for step in 0..<20_000 {
            let key: Int64
            switch Int.random(in: 0..<10, using: &random) {
            case 0...4: key = next; next += Int64.random(in: 1...3, using: &random)  // the next ones, small gaps
            case 5...7: key = Int64.random(in: max(1, next - 5_000)...next, using: &random)  // recent ones
            case 8: key = next + Int64.random(in: 0...100_000, using: &random)  // far ahead
            default: key = Int64.random(in: Int64.min...Int64.max, using: &random)  // anywhere
            }
            if Bool.random(using: &random) || model[key] == nil {
                table[key] = "v\(step)"
                model[key] = "v\(step)"
            } else {
                table[key] = nil
                model[key] = nil
            }
            if step % 2_000 == 0 { Self.expectSame(table, model, "seed \(seed), step \(step)") }
        }
        Self.expectSame(table, model, "seed \(seed), at the end")
        // Emptied in a random order, it is empty.
        for key in model.keys.shuffled(using: &random) { table[key] = nil }
        #expect(table.isEmpty && table.first { _ in true } == nil)
    }
}
