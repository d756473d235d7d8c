import Testing
import WharfCore
@testable import WharfStorage

/// Under `--fsync always` the active segment keeps written zeros ahead of its data
/// (`LogSegment.zeroFillAhead`). These pin what that must not change: recovery finds the data's
/// end in front of the zeros (Kafka's `preallocate` rule: the first invalid batch ends the log)
/// without reporting damage, a torn batch before zeros is still cut at that batch, and a roll or
/// close leaves files holding only their data.
@Suite struct ZeroFillTests {
    /// Runs each syncer round on the appending thread, so the zero fill that follows a round's
    /// acknowledgements has happened when `append` returns.
    func openAlways(_ dir: TempDir, segmentBytes: Int = 1 << 20, logs: CapturedLogs = CapturedLogs()) throws -> PartitionLog {
        try PartitionLog.open(directory: dir.partition, config: smallConfig(segmentBytes: segmentBytes, fsync: .always),
                              clock: ManualClock(), logger: testLogger(logs), syncer: LogSyncer(start: { $0() }))
    }

    func activeLogPath(_ dir: TempDir) -> String { dir.partition + "/" + files(in: dir.partition, suffix: ".log").last! }

    /// Appends 20 batches under `always`, then drops the log without `close()`, as a kill
    /// would leave it: no clean-shutdown marker, zeros still after the data. Returns the data's size.
    func fillAndDropWithoutClose(_ dir: TempDir) throws -> Int64 {
        let log = try openAlways(dir)
        try fill(log, batches: 20)
        return log.sizeInBytes
    }

    /// Appends `batches` batches of 5 records (values v0...) and returns the log, not closed.
    func fill(_ log: PartitionLog, batches: Int, from first: Int = 0) throws {
        for i in 0..<batches { try log.append(batch: makeBatch(count: 5, firstValue: first + i * 5)) }
    }

    @Test func alwaysKeepsWrittenZerosAheadOfTheDataAndReportsDataSizes() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let log = try openAlways(dir)
        try fill(log, batches: 20)
        let path = activeLogPath(dir)
        let data = log.sizeInBytes
        #expect(data > 0)
        // One piece per round until `zeroFillAhead` bytes are ahead: a small log gets the least.
        let ahead = PartitionLog.zeroFillAhead(dataSize: data)
        #expect(ahead == 2 * PartitionLog.zeroFillPiece)
        #expect(fileSize(path) > data + ahead - PartitionLog.zeroFillPiece && fileSize(path) <= data + ahead)
        #expect(readBytes(path)[Int(data)...].allSatisfy { $0 == 0 })
        #expect(log.state.withLock { $0.active.size } == data)
        #expect(try log.allValues == values(0..<100))
    }

    @Test func zerosAfterTheDataReadAsTheEndAfterAKill() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let data = try fillAndDropWithoutClose(dir)
        let path = activeLogPath(dir)
        #expect(fileSize(path) > data)
        let logs = CapturedLogs()
        let log = try openAlways(dir, logs: logs)
        let report = log.recoveryReport
        #expect(!report.wasCleanShutdown)
        #expect(report.bytesTruncated == 0 && report.truncatedAtOffset == nil && report.truncatedSegment == nil)
        #expect(!logs.warnings.contains { $0.contains("truncated") })
        #expect(fileSize(path) == data)
        #expect(try log.allValues == values(0..<100))
        #expect(try log.append(batch: makeBatch(count: 1, firstValue: 100)).baseOffset == 100)
        #expect(try log.allValues == values(0..<101))
    }

    @Test func aTornBatchFollowedByZerosIsCutAtThatBatch() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let data = try fillAndDropWithoutClose(dir)
        let path = activeLogPath(dir)
        // A batch whose first half reached the disk: written over the zeros, zeros after it.
        var file = readBytes(path)
        let torn = makeBatch(count: 5, firstValue: 100)
        let half = torn.count / 2
        file.replaceSubrange(Int(data)..<(Int(data) + half), with: torn[0..<half])
        writeBytes(file, to: path)
        let logs = CapturedLogs()
        let log = try openAlways(dir, logs: logs)
        let report = log.recoveryReport
        #expect(report.truncatedAtPosition == data)
        #expect(report.truncatedAtOffset == 100)
        #expect(logs.warnings.contains { $0.contains("truncated") && $0.contains("position=\(data)") })
        #expect(fileSize(path) == data)
        #expect(try log.allValues == values(0..<100))
        #expect(try log.append(batch: makeBatch(count: 2, firstValue: 100)).baseOffset == 100)
    }

    @Test func aRollAndACloseLeaveOnlyTheData() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let segmentBytes = 8192
        let log = try openAlways(dir, segmentBytes: segmentBytes)
        try fill(log, batches: 150)
        #expect(log.segmentCount >= 2)
        let sealed = log.state.withLock { s in s.segments.dropLast().map { ($0.logPath, $0.size) } }
        for (path, size) in sealed { #expect(fileSize(path) == size, "\(path)") }
        // The active segment's zeros stop at the segment size the log rolls at.
        #expect(fileSize(activeLogPath(dir)) == Int64(segmentBytes))
        let total = log.sizeInBytes
        try log.close()
        let onDisk = files(in: dir.partition, suffix: ".log").reduce(Int64(0)) { $0 + fileSize(dir.partition + "/" + $1) }
        #expect(onDisk == total)
        let logs = CapturedLogs()
        let reopened = try openAlways(dir, logs: logs)
        #expect(reopened.recoveryReport.wasCleanShutdown)
        #expect(logs.warnings.isEmpty)
        #expect(try reopened.allValues == values(0..<750))
    }

    @Test func aLargerLogKeepsMoreZerosAheadUpToAMebibyte() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let log = try openAlways(dir, segmentBytes: 8 << 20)
        // Batches of ~10 KB: the zeros grow with the data, a piece per round, up to 1 MiB ahead.
        let big = makeBatch(count: 100, firstValue: 0, valueSize: 100)
        while log.sizeInBytes < 3 << 20 { try log.append(batch: big) }
        let data = log.sizeInBytes
        let zeros = fileSize(activeLogPath(dir)) - data
        #expect(PartitionLog.zeroFillAhead(dataSize: data) == 1 << 20)
        #expect(zeros > (1 << 20) - PartitionLog.zeroFillPiece && zeros <= 1 << 20)
    }

    /// Under `interval` Wharf writes no zeros, so a zero tail is what a power cut left where
    /// unsynced records were: recovery reports it as a truncation.
    @Test func aZeroTailUnderIntervalIsReportedAsATruncation() throws {
        let dir = TempDir()
        defer { dir.remove() }
        var data: Int64 = 0
        do {
            let log = try PartitionLog.open(dir.partition, smallConfig(fsync: .interval(milliseconds: 60_000)))
            try fill(log, batches: 4)
            data = log.sizeInBytes
        }
        let path = activeLogPath(dir)
        writeBytes(readBytes(path) + [UInt8](repeating: 0, count: 4096), to: path)
        let log = try PartitionLog.open(dir.partition, smallConfig(fsync: .interval(milliseconds: 60_000)))
        #expect(log.recoveryReport.bytesTruncated == 4096)
        #expect(log.recoveryReport.truncatedAtPosition == data)
        #expect(fileSize(path) == data)
        #expect(try log.allValues == values(0..<20))
    }

    @Test func otherPoliciesWriteNoZeros() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let log = try PartitionLog.open(dir.partition, smallConfig(fsync: .interval(milliseconds: 0)))
        try fill(log, batches: 20)
        try log.flush()
        #expect(fileSize(activeLogPath(dir)) == log.sizeInBytes)
    }
}
