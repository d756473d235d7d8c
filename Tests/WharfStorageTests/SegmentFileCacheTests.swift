import Foundation
import Synchronization
import Testing
import WharfCore
@testable import WharfStorage
import WharfTestSupport

/// Issue 13, "Limits": segments not being read hold no open descriptor. Only the active segment
/// keeps its file open; sealed ones are opened on demand through a bounded `SegmentFileCache`.
/// Descriptors are counted in `/proc/self/fd`, only those pointing into the test's directory
/// (other tests may open files meanwhile).
@Suite(.ownThread) struct SegmentFileCacheTests {
    static let cacheSize = 8
    static let segments = 300

    func openDescriptors(under dir: String) -> [String] { OpenDescriptors.paths(under: dir) }

    /// A log whose every append rolls: `count` one-record segments, record n has value "v<n>",
    /// key "k<n % keys>" and timestamp `t0 + n`.
    func manySegments(_ dir: TempDir, files: SegmentFileCache, count: Int = segments, keys: Int? = nil,
                      config: LogConfig? = nil) throws -> (PartitionLog, LogConfig) {
        let config = config ?? smallConfig(segmentBytes: 100)
        let log = try PartitionLog.open(directory: dir.partition, config: config, clock: ManualClock(), logger: testLogger(), files: files)
        for n in 0..<count {
            try log.append(batch: makeBatch(count: 1, firstValue: n, timestamp: 1_700_000_000_000 + Int64(n), keys: keys))
        }
        #expect(log.segmentCount == count)
        return (log, config)
    }

    @Test func sealedSegmentsHoldNoDescriptorBeyondTheCache() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let cache = SegmentFileCache(capacity: Self.cacheSize)
        let (log, config) = try manySegments(dir, files: cache)
        // The cache plus the active segment, however many segments there are.
        #expect(openDescriptors(under: dir.path).count <= Self.cacheSize + 1)
        // Every segment is still read right, one fetch and one timestamp lookup each.
        for n in 0..<Self.segments {
            let record = try #require(try log.firstRecord(atOrAfter: Int64(n)))
            #expect(record.offset == Int64(n) && record.value == Array("v\(n)".utf8))
            #expect(try log.offset(forTimestamp: 1_700_000_000_000 + Int64(n)) == Int64(n))
            #expect(try log.timestamp(ofOffset: Int64(n)) == 1_700_000_000_000 + Int64(n))
        }
        #expect(try log.allValues == values(0..<Self.segments))
        #expect(openDescriptors(under: dir.path).count <= Self.cacheSize + 1)
        #expect(cache.openFiles == Self.cacheSize)

        try log.close()
        #expect(openDescriptors(under: dir.path).isEmpty, "close releases the cached descriptors too")
        #expect(cache.openFiles == 0)

        // A restart loads every segment but keeps only the active one open.
        do {
            let reopened = try PartitionLog.open(directory: dir.partition, config: config, clock: ManualClock(), logger: testLogger(), files: cache)
            #expect(reopened.segmentCount == Self.segments)
            #expect(openDescriptors(under: dir.path).count == 1)
            #expect(try reopened.allValues == values(0..<Self.segments))
            try reopened.append(batch: makeBatch(count: 1, firstValue: Self.segments))
            #expect(openDescriptors(under: dir.path).count <= Self.cacheSize + 1)
            // Dropped without `close`: a crash, as far as the files are concerned.
        }
        let recovered = try PartitionLog.open(directory: dir.partition, config: config, clock: ManualClock(), logger: testLogger(), files: cache)
        #expect(!recovered.recoveryReport.wasCleanShutdown)
        #expect(try recovered.allValues == values(0..<(Self.segments + 1)))
        try recovered.close()
    }

    /// Re-reading a segment is served by the cached descriptor: with its file removed behind the
    /// log's back, reads still succeed. A segment not cached whose file vanished fails that read
    /// with an error naming the file, and the log keeps serving the others.
    @Test func cachedReadsReuseTheDescriptorAndAVanishedFileFailsOnlyItsRead() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let cache = SegmentFileCache(capacity: Self.cacheSize)
        let (log, _) = try manySegments(dir, files: cache, count: 40)
        defer { try? log.close() }
        #expect(try log.read(from: 5, maxBytes: 1 << 20).bytes.isEmpty == false)
        let five = LogSegment.pathPrefix(directory: dir.partition, base: 5) + LogSegment.logSuffix
        let ten = LogSegment.pathPrefix(directory: dir.partition, base: 10) + LogSegment.logSuffix
        try FileSystem.remove(five)
        try FileSystem.remove(ten)
        for _ in 0..<100 { #expect(try log.firstRecord(atOrAfter: 5)?.value == Array("v5".utf8)) }
        #expect(throws: WharfError.self) { try log.read(from: 10, maxBytes: 1 << 20) }
        do {
            _ = try log.read(from: 10, maxBytes: 1 << 20)
        } catch {
            #expect("\(error)".contains(ten))
        }
        #expect(try log.firstRecord(atOrAfter: 20)?.value == Array("v20".utf8))
        try log.append(batch: makeBatch(count: 1, firstValue: 40))
        #expect(try log.firstRecord(atOrAfter: 40)?.value == Array("v40".utf8))
    }

    /// Retention deletes segments and drops their cached descriptors, so no descriptor keeps an
    /// unlinked file's disk space.
    @Test func retentionReleasesTheDescriptorsOfDeletedSegments() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let cache = SegmentFileCache(capacity: Self.cacheSize)
        var config = smallConfig(segmentBytes: 100)
        config.retentionBytes = 0
        let count = 60
        let (log, _) = try manySegments(dir, files: cache, count: count, config: config)
        defer { try? log.close() }
        for n in stride(from: 0, to: count, by: 3) { _ = try log.read(from: Int64(n), maxBytes: 1 << 20) }
        #expect(cache.openFiles == Self.cacheSize)
        #expect(try log.applyRetention() == count - 1)
        #expect(log.logStartOffset == Int64(count - 1))
        #expect(openDescriptors(under: dir.path).filter { $0.hasSuffix("(deleted)") }.isEmpty)
        #expect(openDescriptors(under: dir.path).count == 1)
        #expect(try log.allValues == ["v\(count - 1)"])
        try log.deleteRecords(before: log.logEndOffset)
        #expect(openDescriptors(under: dir.path).count == 1)
    }

    /// Compaction over hundreds of sealed segments opens each file only while it reads it, and
    /// readers afterwards see the rewritten files (a cached descriptor of the old file is not
    /// served for the new one).
    @Test func compactionReadsEverySegmentWithoutHoldingTheirDescriptors() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let cache = SegmentFileCache(capacity: Self.cacheSize)
        let count = 100
        let (log, config) = try manySegments(dir, files: cache, count: count, keys: 10)
        // Warm the cache with the oldest segments, which compaction then rewrites.
        for n in 0..<Self.cacheSize { _ = try log.read(from: Int64(n), maxBytes: 1 << 20) }
        let removed = try log.compact()
        // Keys k0..k9: the newest of each among the closed segments is in the 10 records before
        // the active segment's (compaction leaves the active segment alone).
        #expect(removed == count - 1 - 10)
        #expect(openDescriptors(under: dir.path).count <= Self.cacheSize + 1)
        // The warmed descriptors of the files compaction removed or replaced were dropped.
        #expect(openDescriptors(under: dir.path).filter { $0.hasSuffix("(deleted)") }.isEmpty)
        let survivors = try log.readAll().map(\.offset)
        #expect(survivors == Array(Int64(count - 11)..<Int64(count)))
        try log.close()
        let reopened = try PartitionLog.open(directory: dir.partition, config: config, clock: ManualClock(), logger: testLogger(), files: cache)
        #expect(try reopened.readAll().map(\.offset) == survivors)
        try reopened.close()
    }

    /// Readers in parallel with appends that roll and DeleteRecords that unlink segments, over
    /// a cache far smaller than the segments read: every read answers the right record or, below
    /// the moving log start, OFFSET_OUT_OF_RANGE; descriptors stay bounded.
    @Test func parallelReadersWithRollsAndDeletionsGetTheRightRecords() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let cache = SegmentFileCache(capacity: 4)
        let (log, _) = try manySegments(dir, files: cache, count: 80)
        defer { try? log.close() }
        let problems = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 5) { worker in
            var random = SeededRandom(seed: UInt64(worker) + 1)
            do {
                if worker == 0 {
                    for n in 80..<160 {
                        try log.append(batch: makeBatch(count: 1, firstValue: n, timestamp: 1_700_000_000_000 + Int64(n)))
                        if n % 10 == 0 { try log.deleteRecords(before: Int64(n - 60)) }
                    }
                    return
                }
                for _ in 0..<300 {
                    let end = log.logEndOffset
                    let offset = Int64(random.next(upperBound: UInt64(end)))
                    do {
                        let record = try log.firstRecord(atOrAfter: offset)
                        if record?.offset != offset || record?.value != Array("v\(offset)".utf8) {
                            problems.withLock { $0.append("offset \(offset): got \(String(describing: record))") }
                        }
                    } catch WharfError.offsetOutOfRange {
                        continue  // below the log start DeleteRecords moved meanwhile
                    }
                }
            } catch {
                problems.withLock { $0.append("worker \(worker): \(error)") }
            }
        }
        #expect(problems.withLock { $0 }.isEmpty, "\(problems.withLock { $0.prefix(5) })")
        #expect(log.logStartOffset == 90)
        #expect(try log.allValues == values(90..<160))
        #expect(openDescriptors(under: dir.path).count <= 4 + 1)
        #expect(openDescriptors(under: dir.path).filter { $0.hasSuffix("(deleted)") }.isEmpty)
    }

    /// Capacity 0: nothing is cached, every read opens and closes its file.
    @Test func aCacheOfZeroKeepsNothingOpen() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let cache = SegmentFileCache(capacity: 0)
        let (log, _) = try manySegments(dir, files: cache, count: 20)
        defer { try? log.close() }
        #expect(try log.allValues == values(0..<20))
        #expect(cache.openFiles == 0)
        #expect(openDescriptors(under: dir.path).count == 1)
    }
}
