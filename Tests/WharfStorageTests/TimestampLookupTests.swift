import Testing
import WharfCore
@testable import WharfStorage

/// `offset(forTimestamp:)` and `timestamp(ofOffset:)` against a brute-force oracle, with
/// out-of-order timestamps, many segments and a dense index.
@Suite struct TimestampLookupTests {
    struct Oracle {
        var timestamps: [Int64] = []   // index = offset
        func firstOffset(atOrAfter ts: Int64, from start: Int) -> Int64? {
            (start..<timestamps.count).first { timestamps[$0] >= ts }.map(Int64.init)
        }
    }

    func build(_ dir: TempDir, seed: UInt64, monotonic: Bool) throws -> (PartitionLog, Oracle, LogConfig) {
        var rng = SeededRandom(seed: seed)
        let config = smallConfig(segmentBytes: 1200, indexIntervalBytes: 150)
        let log = try PartitionLog.open(dir.partition, config)
        var oracle = Oracle()
        var clock: Int64 = 1_000_000
        for _ in 0..<120 {
            let n = Int.random(in: 1...5, using: &rng)
            var ts: [Int64] = []
            for _ in 0..<n {
                clock += Int64.random(in: 0...20, using: &rng)
                ts.append(monotonic ? clock : clock + Int64.random(in: -200...200, using: &rng))
            }
            try log.append(batch: makeBatch(count: n, firstValue: oracle.timestamps.count, timestamps: ts))
            oracle.timestamps += ts
        }
        #expect(log.segmentCount > 5)
        return (log, oracle, config)
    }

    func check(_ log: PartitionLog, _ oracle: Oracle) throws {
        let start = Int(log.logStartOffset)
        let lo = oracle.timestamps.min()! - 3, hi = oracle.timestamps.max()! + 3
        for ts in lo...hi {
            #expect(try log.offset(forTimestamp: ts) == oracle.firstOffset(atOrAfter: ts, from: start), "timestamp \(ts)")
        }
        for offset in 0..<oracle.timestamps.count {
            let expected: Int64? = offset >= start ? oracle.timestamps[offset] : nil
            #expect(try log.timestamp(ofOffset: Int64(offset)) == expected, "offset \(offset)")
        }
        #expect(try log.timestamp(ofOffset: Int64(oracle.timestamps.count)) == nil)
        #expect(try log.timestamp(ofOffset: -1) == nil)
    }

    @Test(arguments: [(1, true), (2, false), (3, false)] as [(UInt64, Bool)])
    func lookupsMatchOracle(seed: UInt64, monotonic: Bool) throws {
        let dir = TempDir()
        defer { dir.remove() }
        let (log, oracle, config) = try build(dir, seed: seed, monotonic: monotonic)
        try check(log, oracle)
        _ = try log.deleteRecords(before: 37)
        try check(log, oracle)
        try log.close()
        let reopened = try PartitionLog.open(dir.partition, config)
        try check(reopened, oracle)
    }

    @Test func lookupsSurviveRebuiltIndexes() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let (log, oracle, config) = try build(dir, seed: 9, monotonic: false)
        try log.close()
        for name in files(in: dir.partition, suffix: ".timeindex") { try FileSystem.remove(dir.partition + "/" + name) }
        let reopened = try PartitionLog.open(dir.partition, config)
        #expect(reopened.recoveryReport.indexesRebuilt.count == 2 * reopened.segmentCount)
        try check(reopened, oracle)
    }
}
