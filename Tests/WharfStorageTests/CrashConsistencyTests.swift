import Foundation
import Synchronization
import Testing
import WharfCore
@testable import WharfStorage
import WharfTestSupport

/// Power-loss consistency of `PartitionLog`, explored with `CrashDisk`: a seeded random run is
/// recorded through the `FileJournal` seam, then the disk "after a power cut at operation k" is
/// rebuilt for a few hundred k and reopened, and the invariants are checked there:
/// - recovery succeeds, and every record left is one that was appended, at its own offset;
/// - under `always`, every acknowledged append survives, and so does everything a reader saw;
/// - under `interval`, everything covered by a completed `flush`/`ensureDurable` survives.
/// A failure names the seed; rerun with it to replay the exact run.
@Suite(.heavy) struct CrashConsistencyTests {
    /// What the run promised: offsets below `end` must survive a cut at or after journal `position`.
    struct Promise {
        var position: Int
        var end: Int64
    }

    struct Run {
        let root: TempDir
        let journal = FileJournal()
        let faults: FaultInjector
        var promises: [Promise] = []
        var config: LogConfig

        init(config: LogConfig) {
            root = TempDir("wharf-crash-run")
            faults = FaultInjector(journal: journal)
            self.config = config
        }

        var partition: String { root.partition }

        mutating func promise(_ end: Int64) { promises.append(Promise(position: journal.count, end: end)) }

        /// The end every promise made before `position` requires.
        func required(at position: Int) -> Int64 {
            promises.filter { $0.position <= position }.map(\.end).max() ?? 0
        }
    }

    static let seeds: [UInt64] = [1, 2, 3]

    /// Checks the log reopened from a crashed disk; returns the violations found.
    func violations(in directory: String, relativePartition: String, config: LogConfig, required: Int64) -> [String] {
        let log: PartitionLog
        do {
            log = try PartitionLog.open(directory + "/" + relativePartition, config)
        } catch {
            return ["recovery failed: \(error)"]
        }
        defer { try? log.close() }
        var found: [String] = []
        if log.logEndOffset < required {
            found.append("log end \(log.logEndOffset) < \(required) promised durable")
        }
        do {
            // Values are "v<offset>" padded with "a" (`makeBatch`).
            for r in try log.readAll() where Array((r.value ?? []).reversed().drop { $0 == 0x61 }.reversed()) != Array("v\(r.offset)".utf8) {
                found.append("offset \(r.offset) holds \(String(decoding: r.value ?? [], as: UTF8.self))")
                break
            }
        } catch {
            found.append("read after recovery failed: \(error)")
        }
        return found
    }

    /// Replays `run` at `points` crash points and collects every violation (with its point).
    func explore(_ run: Run, points count: Int, seed: UInt64) throws -> (points: Int, violations: [String]) {
        var random = SeededRandom(seed: seed &* 7919)
        let operations = run.journal.operations
        let points = CrashDisk.points(count, of: operations.count, random: &random)
        var found: [String] = []
        try CrashDisk.explore(operations, root: run.root.path, at: points) { k, dir in
            for v in violations(in: dir, relativePartition: "orders-0", config: run.config, required: run.required(at: k)) {
                found.append("cut after operation \(k) of \(operations.count): \(v)")
            }
        }
        return (points.count, found)
    }

    /// Appends batches of 1-20 records (values "v<offset>") with occasional flushes; rolls often.
    func appendRun(seed: UInt64, fsync: FsyncPolicy, appends: Int = 120, retention: Bool = false, compaction: Bool = false) throws -> Run {
        var random = SeededRandom(seed: seed)
        var config = smallConfig(segmentBytes: 2048, indexIntervalBytes: 128, fsync: fsync)
        if retention { config.retentionBytes = 8192 }
        var run = Run(config: config)
        let clock = ManualClock()
        let log = try PartitionLog.open(directory: run.partition, config: run.config, clock: clock, logger: testLogger(), faults: run.faults)
        var next = 0
        for _ in 0..<appends {
            let count = Int.random(in: 1...20, using: &random)
            let result = try log.append(batch: makeBatch(count: count, firstValue: next, keys: compaction ? 7 : nil,
                                                         valueSize: Int.random(in: 0...40, using: &random)))
            next += count
            if fsync == .always { run.promise(result.lastOffset + 1) }
            clock.advance(byMillis: Int64.random(in: 0...400, using: &random))
            switch Int.random(in: 0..<10, using: &random) {
            case 0:
                try log.flush()
                run.promise(Int64(next))
            case 1:
                try log.ensureDurable()
                run.promise(Int64(next))
            case 2:
                try log.flushIfDue()
            case 3 where retention:
                _ = try log.deleteRecords(before: max(0, Int64(next) - Int64.random(in: 0...60, using: &random)))
            case 4 where retention:
                try log.applyRetention()
            case 5 where compaction, 6 where compaction:
                _ = try log.compact()
            default:
                break
            }
        }
        try log.close()
        run.promise(Int64(next))
        return run
    }

    @Test(arguments: seeds)
    func acknowledgedAppendsSurviveUnderAlways(seed: UInt64) throws {
        let run = try appendRun(seed: seed, fsync: .always)
        defer { run.root.remove() }
        let result = try explore(run, points: 300, seed: seed)
        #expect(result.points >= 300)
        #expect(result.violations.count == 0, "seed \(seed): \(result.violations.count) violations in \(result.points) crash points: \(result.violations.prefix(3))")
    }

    @Test(arguments: seeds)
    func flushedAppendsSurviveUnderInterval(seed: UInt64) throws {
        let run = try appendRun(seed: seed, fsync: .interval(milliseconds: 1000))
        defer { run.root.remove() }
        let result = try explore(run, points: 300, seed: seed)
        #expect(result.violations.count == 0, "seed \(seed): \(result.violations.count) violations in \(result.points) crash points: \(result.violations.prefix(3))")
    }

    @Test(arguments: seeds)
    func retentionAndDeleteRecordsKeepTheLogConsistent(seed: UInt64) throws {
        let run = try appendRun(seed: seed, fsync: .always, retention: true)
        defer { run.root.remove() }
        let result = try explore(run, points: 300, seed: seed)
        #expect(result.violations.count == 0, "seed \(seed): \(result.violations.count) violations in \(result.points) crash points: \(result.violations.prefix(3))")
    }

    @Test(arguments: seeds)
    func compactionKeepsTheLogConsistent(seed: UInt64) throws {
        let run = try appendRun(seed: seed, fsync: .always, compaction: true)
        defer { run.root.remove() }
        let result = try explore(run, points: 300, seed: seed)
        #expect(result.violations.count == 0, "seed \(seed): \(result.violations.count) violations in \(result.points) crash points: \(result.violations.prefix(3))")
    }

    /// Under `always`, a reader (a consumer fetching, or computing lag) never sees an offset that
    /// a power cut right after it looked could still erase: a concurrent reader records each end
    /// it observed with the journal position, and the disk cut there must hold that end.
    @Test(arguments: seeds)
    func readersNeverSeePastTheDurableEndUnderAlways(seed: UInt64) async throws {
        var random = SeededRandom(seed: seed)
        var run = Run(config: smallConfig(segmentBytes: 4096, indexIntervalBytes: 128, fsync: .always))
        defer { run.root.remove() }
        let log = try PartitionLog.open(directory: run.partition, config: run.config, clock: ManualClock(), logger: testLogger(), faults: run.faults)
        let observed = Mutex<[Promise]>([])
        let done = Atomic<Bool>(false)
        let journal = run.journal
        let reader = Task.detached {
            while !done.load(ordering: .acquiring) {
                let end = log.logEndOffset
                if end > 0, let fetched = try? log.read(from: end - 1, maxBytes: 1 << 16),
                   let last = try? fetched.bytes.withUnsafeBytes({ try RecordBatchReader.batchHeaders(in: $0) }).last {
                    // Whatever the fetch returned (it may run past `end` if reads were not capped).
                    observed.withLock { $0.append(Promise(position: journal.count, end: max(end, last.nextOffset))) }
                }
            }
        }
        var next = 0
        for _ in 0..<150 {
            let count = Int.random(in: 1...10, using: &random)
            try log.append(batch: makeBatch(count: count, firstValue: next))
            next += count
        }
        done.store(true, ordering: .releasing)
        await reader.value
        try log.close()
        run.promises += observed.withLock { $0 }
        let result = try explore(run, points: 300, seed: seed)
        #expect(result.violations.count == 0, "seed \(seed): \(result.violations.count) violations in \(result.points) crash points: \(result.violations.prefix(3))")
    }
}
