import Testing
import WharfCore
@testable import WharfStorage

@Suite struct PartitionLogTests {
    @Test func appendAssignsConsecutiveOffsetsAndReadsBack() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let clock = ManualClock()
        let log = try PartitionLog.open(dir.partition, smallConfig(), clock: clock)
        #expect(log.logStartOffset == 0 && log.logEndOffset == 0)
        let first = try log.append(batch: makeBatch(count: 3))
        #expect(first == AppendResult(baseOffset: 0, lastOffset: 2, recordCount: 3, appendTime: clock.nowMillis()))
        // Two batches in one call, written with one write.
        var two = makeBatch(count: 2, firstValue: 3) + makeBatch(count: 4, firstValue: 5)
        let second = try log.append(&two)
        #expect(second.baseOffset == 3 && second.lastOffset == 8 && second.recordCount == 6)
        #expect(try RecordBatchReader.records(in: two).map(\.offset) == Array(3...8), "offsets rewritten in place")
        #expect(log.logEndOffset == 9)
        let records = try log.readAll()
        #expect(records.map(\.offset) == Array(0...8))
        #expect(records.map { String(decoding: $0.value!, as: UTF8.self) } == values(0..<9))
        #expect(try log.read(from: 9, maxBytes: 100).bytes.isEmpty)
        #expect(try log.read(from: 9, maxBytes: 100).highWatermark == 9)
    }

    @Test func storedBytesAreServedVerbatim() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let log = try PartitionLog.open(dir.partition, smallConfig())
        var batch = makeBatch(count: 5)
        _ = try log.append(&batch)
        #expect(try log.read(from: 0, maxBytes: 1 << 20).bytes == batch)
        batch.withUnsafeBytes { #expect((try? RecordBatchBytes.validate($0)) != nil) }
    }

    @Test func rejectsBadBatchesWithoutWritingAnything() throws {
        let dir = TempDir()
        defer { dir.remove() }
        var config = smallConfig()
        config.maxBatchBytes = 500
        let log = try PartitionLog.open(dir.partition, config)
        try log.append(batch: makeBatch(count: 1))
        var corrupt = makeBatch(count: 2)
        corrupt[corrupt.count - 1] ^= 0xff
        var mixed = makeBatch(count: 2) + corrupt
        #expect(throws: WharfError.self) { try log.append(&mixed) }
        var truncated = makeBatch(count: 2) + Array(makeBatch(count: 2).dropLast(5))
        #expect(throws: WharfError.self) { try log.append(&truncated) }
        var badMagic = makeBatch(count: 1)
        badMagic[16] = 1
        #expect(throws: WharfError.self) { try log.append(&badMagic) }
        var big = makeBatch(count: 1, valueSize: 600)
        #expect(throws: WharfError.recordTooLarge(big.count)) { try log.append(&big) }
        var empty: [UInt8] = []
        #expect(throws: WharfError.self) { try log.append(&empty) }
        #expect(log.logEndOffset == 1)
        #expect(try log.allValues == ["v0"])
    }

    @Test func roundTripAcrossManySegments() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let log = try PartitionLog.open(dir.partition, smallConfig(segmentBytes: 1000, indexIntervalBytes: 100))
        var next = 0
        var rng = SeededRandom(seed: 42)
        for _ in 0..<200 {
            let n = Int.random(in: 1...6, using: &rng)
            try log.append(batch: makeBatch(count: n, firstValue: next, valueSize: Int.random(in: 0...40, using: &rng)))
            next += n
        }
        #expect(log.segmentCount > 10)
        #expect(log.logEndOffset == Int64(next))
        for maxBytes in [1, 300, 5000] {
            #expect(try log.readAll(maxBytes: maxBytes).map(\.offset) == (0..<Int64(next)).map { $0 })
        }
        let files = files(in: dir.partition, suffix: ".log")
        #expect(files.count == log.segmentCount)
        #expect(files.first == "00000000000000000000.log")
        #expect(files == log.segmentBaseOffsets.map { LogSegment.name($0) + ".log" })
        try log.close()
        let reopened = try PartitionLog.open(dir.partition, smallConfig(segmentBytes: 1000, indexIntervalBytes: 100))
        #expect(reopened.recoveryReport.isClean)
        #expect(reopened.logEndOffset == Int64(next))
        #expect(try reopened.readAll().map(\.offset) == (0..<Int64(next)).map { $0 })
        #expect(try reopened.append(batch: makeBatch(count: 1, firstValue: next)).baseOffset == Int64(next))
    }

    @Test func readFromMiddleOfBatchReturnsWholeBatch() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let log = try PartitionLog.open(dir.partition, smallConfig(indexIntervalBytes: 1))
        var batches: [[UInt8]] = []
        for i in 0..<5 {
            var b = makeBatch(count: 10, firstValue: i * 10)
            _ = try log.append(&b)
            batches.append(b)
        }
        for offset in 0..<50 {
            let fetched = try log.read(from: Int64(offset), maxBytes: 1)
            #expect(fetched.bytes == batches[offset / 10], "offset \(offset)")
        }
    }

    @Test func maxBytesIsRespectedButAtLeastOneBatch() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let log = try PartitionLog.open(dir.partition, smallConfig())
        var sizes: [Int] = []
        for i in 0..<6 {
            let b = makeBatch(count: 4, firstValue: i * 4, valueSize: 20)
            sizes.append(b.count)
            try log.append(batch: b)
        }
        #expect(try log.read(from: 0, maxBytes: 0).bytes.count == sizes[0])
        #expect(try log.read(from: 0, maxBytes: sizes[0] - 1).bytes.count == sizes[0])
        #expect(try log.read(from: 0, maxBytes: sizes[0] + sizes[1] - 1).bytes.count == sizes[0])
        #expect(try log.read(from: 0, maxBytes: sizes[0] + sizes[1]).bytes.count == sizes[0] + sizes[1])
        #expect(try log.read(from: 5, maxBytes: 1 << 20).bytes.count == sizes[1...].reduce(0, +))
    }

    @Test func outOfRangeOffsetsThrow() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let log = try PartitionLog.open(dir.partition, smallConfig())
        try log.append(batch: makeBatch(count: 5))
        #expect(throws: WharfError.offsetOutOfRange(topic: "orders", partition: 0, offset: 6, logStart: 0, logEnd: 5)) {
            try log.read(from: 6, maxBytes: 100)
        }
        #expect(throws: WharfError.self) { try log.read(from: -1, maxBytes: 100) }
        _ = try log.deleteRecords(before: 3)
        #expect(throws: WharfError.offsetOutOfRange(topic: "orders", partition: 0, offset: 2, logStart: 3, logEnd: 5)) {
            try log.read(from: 2, maxBytes: 100)
        }
        #expect(try log.read(from: 3, maxBytes: 100).logStartOffset == 3)
    }

    @Test func readerKeepsReadingASegmentDeletedAfterItsSnapshot() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let log = try PartitionLog.open(dir.partition, smallConfig(segmentBytes: 200))
        var first = makeBatch(count: 5)
        _ = try log.append(&first)
        for i in 1..<4 { try log.append(batch: makeBatch(count: 5, firstValue: i * 5)) }
        #expect(log.segmentCount == 4)
        let plan = try #require(try log.plan(at: 2, throwOutOfRange: true))
        _ = try log.deleteRecords(before: 15)
        #expect(!FileSystem.exists(dir.partition + "/00000000000000000000.log"), "unlinked")
        let (header, position) = try #require(try plan.views[0].findBatch(containing: 2))
        #expect(try plan.views[0].readBatches(at: position, firstSize: header.totalSize, maxBytes: 1) == first)
    }

    @Test func errorsNameTopicAndPartitionFromTheDirectory() {
        #expect(PartitionLog.topicPartition(fromDirectory: "/data/orders-eu-12") == TopicPartition("orders-eu", 12))
        #expect(PartitionLog.topicPartition(fromDirectory: "/data/orders/3") == TopicPartition("orders", 3))
        #expect(PartitionLog.topicPartition(fromDirectory: "/data/plain") == TopicPartition("plain", -1))
    }

    @Test func closedLogRejectsCalls() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let log = try PartitionLog.open(dir.partition, smallConfig())
        try log.append(batch: makeBatch(count: 1))
        try log.close()
        #expect(log.isClosed)
        #expect(log.logEndOffset == 1, "bounds stay readable after close")
        #expect(throws: WharfError.self) { try log.close() }
        #expect(throws: WharfError.self) { try log.append(batch: makeBatch(count: 1)) }
        #expect(throws: WharfError.self) { try log.read(from: 0, maxBytes: 10) }
        #expect(FileSystem.exists(dir.partition + "/clean-shutdown"))
        let reopened = try PartitionLog.open(dir.partition, smallConfig())
        #expect(!FileSystem.exists(dir.partition + "/clean-shutdown"), "open removes the marker")
        try reopened.deleteFromDisk()
        #expect(!FileSystem.exists(dir.partition))
        #expect(throws: WharfError.self) { try reopened.append(batch: makeBatch(count: 1)) }
    }

    @Test func concurrentAppendsAndReadsStayConsistent() async throws {
        let dir = TempDir()
        defer { dir.remove() }
        let log = try PartitionLog.open(dir.partition, smallConfig(segmentBytes: 4000, indexIntervalBytes: 200))
        await withTaskGroup(of: Void.self) { group in
            for w in 0..<4 {
                group.addTask {
                    for i in 0..<50 { _ = try? log.append(batch: makeBatch(count: 3, firstValue: (w * 50 + i) * 3)) }
                }
            }
            group.addTask {
                for _ in 0..<100 {
                    let end = log.logEndOffset
                    if end > 0, let fetched = try? log.read(from: end - 1, maxBytes: 1000) {
                        #expect(!fetched.bytes.isEmpty)
                    }
                }
            }
        }
        #expect(log.logEndOffset == 600)
        let records = try log.readAll()
        #expect(records.map(\.offset) == (0..<600).map { Int64($0) })
        #expect(Set(records.map { String(decoding: $0.value!, as: UTF8.self) }) == Set(values(0..<600)))
    }
}
