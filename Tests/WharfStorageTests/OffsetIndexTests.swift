import Testing
import WharfCore
@testable import WharfStorage

/// `OffsetIndex` and `TimeIndex` against dictionary oracles (Kafka's `OffsetIndexTest` idea).
@Suite struct OffsetIndexTests {
    @Test(arguments: [1, 2, 3, 4, 5] as [UInt64])
    func offsetIndexLookupsMatchOracle(seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        var index = OffsetIndex()
        var oracle: [UInt32: UInt32] = [:]
        var rel: UInt32 = 0, pos: UInt32 = 0
        for _ in 0..<500 {
            rel += UInt32.random(in: 1...20, using: &rng)
            pos += UInt32.random(in: 1...5000, using: &rng)
            index.append(relativeOffset: rel, position: pos)
            oracle[rel] = pos
        }
        let keys = oracle.keys.sorted()
        for target in 0...(rel + 5) {
            let expected = keys.last(where: { $0 <= target }).map { Int64(oracle[$0]!) } ?? 0
            #expect(index.floorPosition(relativeOffset: target) == expected, "target \(target)")
        }
        let decoded = try OffsetIndex.decode(index.encode(), logSize: Int64(pos) + 1)
        #expect(decoded.relativeOffsets == index.relativeOffsets && decoded.positions == index.positions)
        #expect(decoded.persistedCount == decoded.count)
    }

    @Test func offsetIndexIgnoresNonIncreasingEntries() {
        var index = OffsetIndex()
        index.append(relativeOffset: 10, position: 100)
        index.append(relativeOffset: 10, position: 200)
        index.append(relativeOffset: 11, position: 100)
        #expect(index.count == 1)
        index.truncate(toPosition: 100)
        #expect(index.isEmpty)
    }

    @Test func offsetIndexDecodeRejectsDamage() {
        var index = OffsetIndex()
        index.append(relativeOffset: 5, position: 100)
        index.append(relativeOffset: 9, position: 200)
        let good = index.encode()
        #expect(throws: WharfError.self) { try OffsetIndex.decode(Array(good.dropLast()), logSize: 1000) }
        #expect(throws: WharfError.self) { try OffsetIndex.decode(good, logSize: 200) }
        #expect(throws: WharfError.self) { try OffsetIndex.decode(good, logSize: 1000, maxRelativeOffset: 8) }
        var swapped = Array(good[8...]) + Array(good[..<8])
        #expect(throws: WharfError.self) { try OffsetIndex.decode(swapped, logSize: 1000) }
        swapped = good + good[8...]
        #expect(throws: WharfError.self) { try OffsetIndex.decode(swapped, logSize: 1000) }
        #expect(throws: Never.self) { try OffsetIndex.decode([], logSize: 0) }
    }

    @Test(arguments: [7, 8, 9] as [UInt64])
    func timeIndexLookupsMatchOracle(seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        var index = TimeIndex()
        var entries: [(ts: Int64, rel: UInt32)] = []
        var ts: Int64 = 1000, rel: UInt32 = 0
        for _ in 0..<300 {
            ts += Int64.random(in: 0...3, using: &rng)   // equal timestamps allowed
            rel += UInt32.random(in: 1...10, using: &rng)
            index.maybeAppend(timestamp: ts, relativeOffset: rel)
            entries.append((ts, rel))
        }
        index.maybeAppend(timestamp: ts - 1, relativeOffset: rel + 1)   // older: ignored
        index.maybeAppend(timestamp: ts + 1, relativeOffset: rel)       // same offset: ignored
        #expect(index.count == entries.count)
        for target in 990...(ts + 2) {
            let expected = entries.last(where: { $0.ts < target })?.rel
            #expect(index.lastRelativeOffset(olderThan: target) == expected, "target \(target)")
        }
        let decoded = try TimeIndex.decode(index.encode(), maxRelativeOffset: rel)
        #expect(decoded.timestamps == index.timestamps && decoded.relativeOffsets == index.relativeOffsets)
        #expect(throws: WharfError.self) { try TimeIndex.decode(index.encode(), maxRelativeOffset: rel - 1) }
        #expect(throws: WharfError.self) { try TimeIndex.decode(Array(index.encode().dropLast(3)), maxRelativeOffset: nil) }
        let bytes = index.encode()
        #expect(throws: WharfError.self) { try TimeIndex.decode(Array(bytes[12...]) + Array(bytes[..<12]), maxRelativeOffset: nil) }
    }
}
