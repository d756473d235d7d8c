import Foundation
import Logging
import Testing
import WharfCore
@testable import WharfEngine
import WharfStorage
import WharfTestSupport

/// Power-loss consistency of offset commits on their own (OffsetCommit into
/// `__consumer_offsets`), explored with `CrashDisk`: a consumer reads what was produced and
/// commits its position, `__consumer_offsets` rolls small segments and is compacted now and
/// then. After a power cut at any operation and a reopen, no commit lies beyond its partition's
/// log end (under `interval` too, where the two logs are synced independently: a commit makes
/// the records below it durable first) nor past the last one started, and under `always` every
/// acknowledged commit survives.
@Suite(.heavy) struct GroupCommitCrashTests {
    static let seeds: [UInt64] = [1, 2, 3]
    static let policies: [FsyncPolicy] = [.always, .interval(milliseconds: 1000)]
    static let partitions = [TopicPartition("t", 0), TopicPartition("t", 1)]

    /// A commit of `offset` for `partition`: the journal's length before it started and after it returned.
    struct Commit {
        var partition: TopicPartition
        var offset: Int64
        var start: Int
        var end: Int
    }

    @Test(arguments: seeds, policies)
    func acknowledgedCommitsSurviveAPowerCutAndNeverPassTheLogEnd(seed: UInt64, fsync: FsyncPolicy) async throws {
        func config(_ path: String, faults: FaultInjector? = nil) -> EngineConfig {
            var config = EngineConfig(dataDirectory: path, fsync: fsync)
            config.offsetsSegmentBytes = 1024  // rolls every few commits, so compaction has work
            config.faults = faults
            return config
        }
        var random = SeededRandom(seed: seed)
        let root = NSTemporaryDirectory() + "wharf-commit-crash-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let clock = ManualClock(1_800_000_000_000)
        do {
            let engine = try Engine.open(config: config(root), clock: clock, logger: Logger(label: "test"))
            try engine.createTopic("t", .init(partitions: 2))
            try engine.close()
        }
        let initial = try CrashDisk.snapshot(root)

        let journal = FileJournal()
        let engine = try Engine.open(config: config(root, faults: FaultInjector(journal: journal)), clock: clock, logger: Logger(label: "test"))
        var commits: [Commit] = []
        var position: [TopicPartition: Int64] = [:]
        for round in 0..<40 {
            for _ in 0..<Int.random(in: 0...3, using: &random) {
                let p = Int32.random(in: 0...1, using: &random)
                _ = try engine.produce(topic: "t", records: [Record(value: Array("r\(round)".utf8))], partition: p)
            }
            // The consumer reads what it may see (the durable end, under `always`) and commits it.
            let tp = Self.partitions.randomElement(using: &random)!
            let read = try engine.readRecords(topic: tp.topic, partition: tp.partition, from: position[tp] ?? 0, maxRecords: 3)
            guard let last = read.last else { continue }
            position[tp] = last.offset + 1
            let start = journal.count
            try await engine.coordinator.commit(groupId: "g", generationId: -1, memberId: "", offsets: [tp: (last.offset + 1, "")])
            commits.append(Commit(partition: tp, offset: last.offset + 1, start: start, end: journal.count))
            clock.advance(byMillis: Int64.random(in: 0...40_000, using: &random))
            if Int.random(in: 0..<4, using: &random) == 0 { await engine.runMaintenance() }
        }
        try engine.close()

        let operations = journal.operations
        let points = CrashDisk.points(60, of: operations.count, random: &random)
        var violations: [String] = []
        for (k, dir) in try CrashDisk.materialise(operations, root: root, initial: initial, at: points) {
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let at = "cut after operation \(k) of \(operations.count)"
            do {
                let reopened = try Engine.open(config: config(dir), clock: clock, logger: Logger(label: "test"))
                defer { try? reopened.close() }
                let committed = await reopened.coordinator.fetchOffsets(groupId: "g", partitions: nil)
                for tp in Self.partitions {
                    let mine = commits.filter { $0.partition == tp }
                    let acknowledged = mine.last { $0.end <= k }?.offset
                    let highest = mine.last { $0.start < k }?.offset
                    let found = committed[tp]?.offset
                    if fsync == .always, let acknowledged, (found ?? -1) < acknowledged {
                        violations.append("\(at): \(tp) committed \(found.map(String.init) ?? "nothing"), acknowledged \(acknowledged)")
                    }
                    if let found, found > (highest ?? -1) {
                        violations.append("\(at): \(tp) committed \(found), but no commit past \(highest.map(String.init) ?? "none") had started")
                    }
                    let logEnd = try reopened.offsets(topic: tp.topic, partition: tp.partition).logEnd
                    if let found, found > logEnd {
                        violations.append("\(at): \(tp) committed \(found), beyond its log end \(logEnd)")
                    }
                }
            } catch {
                violations.append("\(at): reopen failed: \(error)")
            }
        }
        #expect(commits.count >= 20)
        #expect(violations.isEmpty, "seed \(seed), \(fsync): \(violations.count) violations in \(points.count) crash points: \(violations.prefix(3))")
    }
}
