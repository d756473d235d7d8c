import Testing
import WharfCore
@testable import WharfStorage

@Suite struct CompactionTests {
    struct Written: Equatable {
        var offset: Int64
        var key: String?
        var value: String?
        var timestamp: Int64
    }

    /// Random keyed records (some tombstones, some without key) in many segments.
    func build(_ dir: TempDir, seed: UInt64) throws -> (PartitionLog, [Written], LogConfig) {
        var rng = SeededRandom(seed: seed)
        let config = smallConfig(segmentBytes: 900, indexIntervalBytes: 120)
        let log = try PartitionLog.open(dir.partition, config)
        var written: [Written] = []
        var ts: Int64 = 5_000
        for _ in 0..<150 {
            var builder = RecordBatchBuilder()
            let n = Int.random(in: 1...4, using: &rng)
            var pending: [Written] = []
            for _ in 0..<n {
                ts += Int64.random(in: 0...9, using: &rng)
                let roll = Int.random(in: 0..<10, using: &rng)
                let key: String? = roll == 0 ? nil : "k\(Int.random(in: 0..<6, using: &rng))"
                let value: String? = roll == 1 ? nil : "v\(written.count + pending.count)"
                builder.append(Record(key: key.map { Array($0.utf8) }, value: value.map { Array($0.utf8) }, timestamp: ts), defaultTimestamp: ts)
                pending.append(Written(offset: Int64(written.count + pending.count), key: key, value: value, timestamp: ts))
            }
            try log.append(batch: builder.finish())
            written += pending
        }
        #expect(log.segmentCount > 5)
        return (log, written, config)
    }

    /// What must survive: in closed segments the newest record per key (among closed segments),
    /// records without a key, tombstones that are newest; everything in the active segment.
    func expected(_ written: [Written], activeBase: Int64) -> [Written] {
        var latest: [String: Int64] = [:]
        for w in written where w.offset < activeBase { if let k = w.key { latest[k] = w.offset } }
        return written.filter { w in
            w.offset >= activeBase || w.key == nil || latest[w.key!] == w.offset
        }
    }

    func stored(_ log: PartitionLog) throws -> [Written] {
        try log.readAll(maxBytes: 200).map {
            Written(offset: $0.offset, key: $0.key.map { String(decoding: $0, as: UTF8.self) },
                    value: $0.value.map { String(decoding: $0, as: UTF8.self) }, timestamp: $0.timestamp)
        }
    }

    func checkLookups(_ log: PartitionLog, _ survivors: [Written]) throws {
        for offset in log.logStartOffset..<log.logEndOffset {
            let next = survivors.first { $0.offset >= offset }
            let first = try log.read(from: offset, maxBytes: 1).bytes.withUnsafeBytes { try RecordBatchReader.batchHeaders(in: $0) }.first
            #expect(first.map { $0.lastOffset >= offset } == true, "read(from: \(offset)) starts with the batch that covers it")
            #expect(try log.firstRecord(atOrAfter: offset)?.offset == next?.offset, "consuming from \(offset)")
            #expect(try log.timestamp(ofOffset: offset) == next?.timestamp, "timestamp(ofOffset: \(offset))")
        }
        for ts in (survivors.first!.timestamp - 2)...(survivors.last!.timestamp + 2) {
            let expected = survivors.filter { $0.timestamp >= ts }.map(\.offset).min()
            #expect(try log.offset(forTimestamp: ts) == expected, "offset(forTimestamp: \(ts))")
        }
    }

    @Test(arguments: [21, 22] as [UInt64])
    func keepsNewestRecordPerKeyAndPreservesOffsets(seed: UInt64) throws {
        let dir = TempDir()
        defer { dir.remove() }
        let (log, written, config) = try build(dir, seed: seed)
        let activeBase = log.segmentBaseOffsets.last!
        let sizeBefore = log.sizeInBytes
        let survivors = expected(written, activeBase: activeBase)
        let removed = try log.compact()
        #expect(removed == written.count - survivors.count)
        #expect(removed > 0)
        #expect(log.sizeInBytes < sizeBefore)
        #expect(try stored(log) == survivors)
        try checkLookups(log, survivors)
        #expect(try log.compact() == 0, "a second run finds nothing to remove")
        // Every stored batch still passes its CRC.
        var offset = log.logStartOffset
        while offset < log.logEndOffset {
            let bytes = try log.read(from: offset, maxBytes: 1).bytes
            let header = try bytes.withUnsafeBytes { try RecordBatchBytes.validate($0) }
            offset = header.nextOffset
        }
        let end = log.logEndOffset
        let lastTs = written.last!.timestamp + 1
        #expect(try log.append(batch: makeBatch(count: 1, firstValue: 999, timestamp: lastTs)).baseOffset == end)
        try log.close()
        let reopened = try PartitionLog.open(dir.partition, config)
        #expect(reopened.recoveryReport.isClean)
        #expect(try stored(reopened).dropLast() == survivors)
        try checkLookups(reopened, survivors + [Written(offset: end, key: nil, value: "v999", timestamp: lastTs)])
    }

    @Test func untouchedBatchesAreCopiedVerbatimAndTombstonesKept() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let config = smallConfig(segmentBytes: 10)   // one batch per segment
        let log = try PartitionLog.open(dir.partition, config)
        func batch(_ records: [(String?, String?)]) -> [UInt8] {
            var b = RecordBatchBuilder()
            for (k, v) in records { b.append(Record(key: k.map { Array($0.utf8) }, value: v.map { Array($0.utf8) }), defaultTimestamp: 7) }
            return b.finish()
        }
        var first = batch([("a", "1"), ("b", "1")])
        _ = try log.append(&first)
        var second = batch([("c", "1"), (nil, "x")])
        _ = try log.append(&second)
        try log.append(batch: batch([("a", "2"), ("b", nil)]))
        try log.append(batch: batch([("a", "3")]))   // active: not compacted
        #expect(log.segmentCount == 4)
        #expect(try log.compact() == 2)
        #expect(log.segmentBaseOffsets == [2, 4, 6], "the emptied first segment is gone")
        #expect(log.logStartOffset == 2, "and the log starts where records remain")
        #expect(try log.read(from: 2, maxBytes: 1).bytes == second, "a batch that keeps all records is unchanged")
        let all = try log.readAll()
        #expect(all.map(\.offset) == [2, 3, 4, 5, 6])
        #expect(all.map { $0.value.map { String(decoding: $0, as: UTF8.self) } } == ["1", "x", "2", nil, "3"])
        #expect(try log.read(from: 3, maxBytes: 1).bytes == second)
        #expect(files(in: dir.partition, suffix: ".cleaned").isEmpty)
    }

    @Test func crashDuringCompactionLeavesAConsistentLog() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let (log, written, config) = try build(dir, seed: 23)
        let activeBase = log.segmentBaseOffsets.last!
        // A compaction that died after writing a cleaned file but before the swap.
        writeBytes([1, 2, 3, 4], to: dir.partition + "/00000000000000000000.log.cleaned")
        // ... and one that died after the rename, before the new index was written.
        _ = try log.compact()
        try FileSystem.remove(dir.partition + "/" + files(in: dir.partition, suffix: ".index")[1])
        let reopened = try PartitionLog.open(dir.partition, config)
        #expect(!FileSystem.exists(dir.partition + "/00000000000000000000.log.cleaned"))
        #expect(reopened.recoveryReport.indexesRebuilt.count == 4, "both indexes of the damaged segment, and of the active one")
        #expect(try stored(reopened) == expected(written, activeBase: activeBase))
    }

    @Test func faultDuringCompactionKeepsTheOldSegments() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let faults = FaultInjector()
        let config = smallConfig(segmentBytes: 300, indexIntervalBytes: 100)
        let log = try PartitionLog.open(directory: dir.partition, config: config, clock: ManualClock(), logger: testLogger(), faults: faults)
        for i in 0..<30 { try log.append(batch: makeBatch(count: 3, firstValue: i * 3, keys: 2)) }
        let before = try log.readAll()
        faults.fail(.sync, pathSuffix: ".cleaned", after: 1)
        #expect(throws: WharfError.self) { try log.compact() }
        #expect(try log.readAll() == before)
        #expect(files(in: dir.partition, suffix: ".cleaned").isEmpty)
        #expect(try log.compact() > 0)
    }
}
