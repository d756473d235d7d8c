import Testing
import WharfCore
@testable import WharfStorage

/// Reopen without the clean-shutdown marker after damage, and assert exactly which records
/// survive and where appends continue (Kafka's `LogLoaderTest.testCorruptLog` idea).
@Suite struct RecoveryTests {
    let config = smallConfig(segmentBytes: 1000, indexIntervalBytes: 100)

    /// Batches of 5 records: offsets 5i..5i+4 carry values v5i...; returns the log, never closed.
    func crashedLog(_ dir: TempDir, batches: Int) throws -> [[UInt8]] {
        let log = try PartitionLog.open(dir.partition, config)
        var written: [[UInt8]] = []
        for i in 0..<batches {
            var b = makeBatch(count: 5, firstValue: i * 5)
            _ = try log.append(&b)
            written.append(b)
        }
        return written   // `log` is dropped without close(): no marker, active index never written
    }

    func activeLogPath(_ dir: TempDir) -> String { dir.partition + "/" + files(in: dir.partition, suffix: ".log").last! }

    @Test func uncleanShutdownWithIntactDataKeepsEverything() throws {
        let dir = TempDir()
        defer { dir.remove() }
        _ = try crashedLog(dir, batches: 20)
        let logs = CapturedLogs()
        let log = try PartitionLog.open(dir.partition, config, logs: logs)
        let report = log.recoveryReport
        #expect(!report.wasCleanShutdown)
        #expect(report.bytesTruncated == 0 && report.truncatedAtOffset == nil)
        #expect(report.batchesValidated > 0)
        #expect(report.indexesRebuilt.contains(files(in: dir.partition, suffix: ".index").last!))
        #expect(try log.allValues == values(0..<100))
        #expect(logs.warnings.contains { $0.contains("no clean-shutdown marker") })
        #expect(try log.append(batch: makeBatch(count: 1, firstValue: 100)).baseOffset == 100)
    }

    @Test func garbageAfterTheLastBatchIsTruncated() throws {
        let dir = TempDir()
        defer { dir.remove() }
        _ = try crashedLog(dir, batches: 20)
        let path = activeLogPath(dir)
        let goodSize = fileSize(path)
        var rng = SeededRandom(seed: 5)
        let garbage = (0..<333).map { _ in UInt8.random(in: 0...255, using: &rng) }
        appendBytes(garbage, to: path)
        let logs = CapturedLogs()
        let log = try PartitionLog.open(dir.partition, config, logs: logs)
        let report = log.recoveryReport
        #expect(report.bytesTruncated == 333)
        #expect(report.truncatedAtPosition == goodSize)
        #expect(report.truncatedAtOffset == 100)
        #expect(report.description.contains("truncated 333 byte(s)"))
        #expect(fileSize(path) == goodSize)
        #expect(logs.warnings.contains { $0.contains("truncated") && $0.contains("position=\(goodSize)") })
        #expect(log.logEndOffset == 100)
        #expect(try log.allValues == values(0..<100))
        try log.append(batch: makeBatch(count: 2, firstValue: 100))
        #expect(try log.allValues == values(0..<102))
    }

    /// Kafka's `testCorruptLog`: repeatedly append records, crash, add random garbage to the
    /// active segment, reopen; every record written survives and appends go on at the log end.
    @Test(arguments: [41, 42, 43] as [UInt64])
    func randomGarbageAfterRandomAppends(seed: UInt64) throws {
        let dir = TempDir()
        defer { dir.remove() }
        var rng = SeededRandom(seed: seed)
        var next = 0
        for round in 0..<8 {
            let log = try PartitionLog.open(dir.partition, config)
            #expect(log.logEndOffset == Int64(next), "round \(round)")
            for _ in 0..<Int.random(in: 1...15, using: &rng) {
                let n = Int.random(in: 1...7, using: &rng)
                try log.append(batch: makeBatch(count: n, firstValue: next))
                next += n
            }
            let garbage = (0..<Int.random(in: 1...300, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            appendBytes(garbage, to: activeLogPath(dir))
            let recovered = try PartitionLog.open(dir.partition, config)
            #expect(recovered.recoveryReport.bytesTruncated == Int64(garbage.count), "round \(round)")
            #expect(recovered.recoveryReport.truncatedAtOffset == Int64(next))
            #expect(try recovered.allValues == values(0..<next), "round \(round)")
        }
    }

    @Test func batchCutInHalfIsDropped() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let written = try crashedLog(dir, batches: 20)
        let path = activeLogPath(dir)
        let size = fileSize(path)
        let last = written.last!
        truncateFile(path, to: size - Int64(last.count / 2))
        let log = try PartitionLog.open(dir.partition, config)
        #expect(log.recoveryReport.bytesTruncated == Int64(last.count - last.count / 2))
        #expect(log.recoveryReport.truncatedAtOffset == 95)
        #expect(log.logEndOffset == 95)
        #expect(try log.allValues == values(0..<95))
        #expect(try log.append(batch: makeBatch(count: 3, firstValue: 95)).baseOffset == 95)
        #expect(try log.allValues == values(0..<98))
    }

    @Test func corruptByteInsideABatchTruncatesFromThatBatch() throws {
        let dir = TempDir()
        defer { dir.remove() }
        _ = try crashedLog(dir, batches: 24)
        let path = activeLogPath(dir)
        var bytes = readBytes(path)
        let headers = try bytes.withUnsafeBytes { try RecordBatchReader.batchHeaders(in: $0) }
        #expect(headers.count >= 3)
        // Flip one payload byte of the second batch of the active segment: its CRC fails.
        let second = headers[0].totalSize
        bytes[second + headers[1].totalSize - 3] ^= 0x40
        writeBytes(bytes, to: path)
        let log = try PartitionLog.open(dir.partition, config)
        let survivors = Int(headers[1].baseOffset)
        #expect(log.recoveryReport.truncatedAtOffset == Int64(survivors))
        #expect(log.recoveryReport.truncatedAtPosition == Int64(second))
        #expect(log.recoveryReport.bytesTruncated == Int64(bytes.count - second))
        #expect(try log.allValues == values(0..<survivors))
        #expect(try log.append(batch: makeBatch(count: 1, firstValue: survivors)).baseOffset == Int64(survivors))
    }

    @Test func deletedIndexesAreRebuilt() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let log = try PartitionLog.open(dir.partition, config)
        for i in 0..<20 { try log.append(batch: makeBatch(count: 5, firstValue: i * 5)) }
        try log.close()
        let indexes = files(in: dir.partition, suffix: ".index")
        #expect(indexes.count >= 3)
        let original = readBytes(dir.partition + "/" + indexes[0])
        #expect(!original.isEmpty)
        try FileSystem.remove(dir.partition + "/" + indexes[0])
        try FileSystem.remove(dir.partition + "/" + indexes.last!)
        let reopened = try PartitionLog.open(dir.partition, config)
        #expect(reopened.recoveryReport.wasCleanShutdown)
        #expect(Set(reopened.recoveryReport.indexesRebuilt).isSuperset(of: [indexes[0], indexes.last!]))
        #expect(readBytes(dir.partition + "/" + indexes[0]) == original, "rebuilt index equals the one written on roll")
        #expect(try reopened.allValues == values(0..<100))
        for offset in 0..<100 {
            #expect(try RecordBatchReader.records(in: reopened.read(from: Int64(offset), maxBytes: 1).bytes).contains { $0.offset == Int64(offset) })
        }
        #expect(try reopened.append(batch: makeBatch(count: 1, firstValue: 100)).baseOffset == 100)
    }

    @Test(arguments: ["odd size", "beyond file", "not increasing", "empty time index"])
    func corruptedIndexesAreRebuilt(damage: String) throws {
        let dir = TempDir()
        defer { dir.remove() }
        let log = try PartitionLog.open(dir.partition, config)
        for i in 0..<20 { try log.append(batch: makeBatch(count: 5, firstValue: i * 5)) }
        try log.close()
        let name = files(in: dir.partition, suffix: ".index")[0]
        let path = dir.partition + "/" + name
        var index = readBytes(path)
        #expect(index.count >= 16)
        switch damage {
        case "odd size": index += [1, 2, 3]
        case "beyond file": index += [0, 0, 0, 200, 0, 1, 0, 0]
        case "not increasing": index = Array(index[8..<16]) + Array(index[0..<8]) + index[16...]
        default: writeBytes([], to: dir.partition + "/" + name.replacingOccurrences(of: ".index", with: ".timeindex"))
        }
        if damage != "empty time index" { writeBytes(index, to: path) }
        let logs = CapturedLogs()
        let reopened = try PartitionLog.open(dir.partition, config, logs: logs)
        #expect(reopened.recoveryReport.indexesRebuilt.contains(name))
        #expect(logs.warnings.contains { $0.contains("unusable") || $0.contains("lacks the final entry") })
        #expect(try reopened.allValues == values(0..<100))
        for offset in stride(from: 0, to: 100, by: 3) {
            let batch = try RecordBatchReader.records(in: reopened.read(from: Int64(offset), maxBytes: 1).bytes)
            #expect(batch.contains { $0.offset == Int64(offset) })
        }
        #expect(try reopened.append(batch: makeBatch(count: 1, firstValue: 100)).baseOffset == 100)
    }

    @Test func corruptBatchInAClosedSegmentIsReportedAndSkipped() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let written = try crashedLog(dir, batches: 20)
        let first = dir.partition + "/00000000000000000000.log"
        var bytes = readBytes(first)
        let batchSize = written[0].count      // offsets 0-4 (values v0-v4); offsets 5-9 follow it
        #expect(bytes.count >= 3 * batchSize)
        bytes[batchSize + 70] ^= 0x01          // second batch (offsets 5-9) of the first segment
        writeBytes(bytes, to: first)
        try FileSystem.remove(dir.partition + "/00000000000000000000.index")
        let logs = CapturedLogs()
        let log = try PartitionLog.open(dir.partition, config, logs: logs)
        let firstSegmentCount = Int(log.segmentBaseOffsets[1])
        #expect(log.recoveryReport.notes.contains { $0.contains("unreadable from position \(batchSize)") })
        #expect(log.recoveryReport.indexesRebuilt.contains("00000000000000000000.index"))
        #expect(fileSize(first) == Int64(bytes.count), "a closed segment is not truncated")
        #expect(try log.allValues == values(0..<5) + values(firstSegmentCount..<100))
        // Reading inside the lost range returns the next batch that exists.
        let records = try RecordBatchReader.records(in: log.read(from: 7, maxBytes: 1).bytes)
        #expect(records.first?.offset == Int64(firstSegmentCount))
        #expect(log.logEndOffset == 100)
    }

    @Test func tornTailOfAClosedSegmentIsFoundByTheTailWalk() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let log = try PartitionLog.open(dir.partition, config)
        for i in 0..<20 { try log.append(batch: makeBatch(count: 5, firstValue: i * 5)) }
        try log.close()
        let first = dir.partition + "/00000000000000000000.log"
        let size = fileSize(first)
        truncateFile(first, to: size - 10)   // cuts the last batch of a closed segment; its index is still sane
        let reopened = try PartitionLog.open(dir.partition, config)
        let secondBase = Int(reopened.segmentBaseOffsets[1])
        #expect(reopened.recoveryReport.notes.contains { $0.contains("torn at position") })
        #expect(reopened.recoveryReport.notes.contains { $0.contains("unreadable from position") })
        #expect(try reopened.allValues == values(0..<(secondBase - 5)) + values(secondBase..<100))
        #expect(try reopened.timestamp(ofOffset: Int64(secondBase - 3)) == 1_700_000_000_000, "the next record's timestamp")
    }

    @Test func tornTailDespiteCleanMarkerIsRecovered() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let log = try PartitionLog.open(dir.partition, config)
        for i in 0..<3 { try log.append(batch: makeBatch(count: 5, firstValue: i * 5)) }
        try log.close()
        appendBytes([0, 0, 0, 0, 0, 0, 0, 15, 0, 0, 0, 99], to: dir.partition + "/00000000000000000000.log")
        let reopened = try PartitionLog.open(dir.partition, config)
        #expect(reopened.recoveryReport.wasCleanShutdown)
        #expect(reopened.recoveryReport.bytesTruncated == 12)
        #expect(reopened.logEndOffset == 15)
        #expect(try reopened.allValues == values(0..<15))
    }

    @Test func strayFilesAreRemoved() throws {
        let dir = TempDir()
        defer { dir.remove() }
        _ = try crashedLog(dir, batches: 2)
        writeBytes([1, 2, 3], to: dir.partition + "/log-start-offset.tmp")
        writeBytes([1, 2, 3], to: dir.partition + "/00000000000000000999.index")
        let log = try PartitionLog.open(dir.partition, config)
        #expect(!FileSystem.exists(dir.partition + "/log-start-offset.tmp"))
        #expect(!FileSystem.exists(dir.partition + "/00000000000000000999.index"))
        #expect(log.recoveryReport.notes.count == 2)
        #expect(try log.allValues == values(0..<10))
    }
}
