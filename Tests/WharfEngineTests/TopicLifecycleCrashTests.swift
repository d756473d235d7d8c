import Foundation
import Logging
import Testing
import WharfCore
@testable import WharfEngine
import WharfStorage
import WharfTestSupport

/// Power-loss consistency of topic creation and deletion, explored with `CrashDisk`: topics are
/// created (with records), deleted and re-created under `--fsync always` beside a topic that is
/// never touched, with every file and directory change journaled (the scratch directory's
/// staging, publish and discard go through `DurableFile`). After a power cut at any operation the
/// disk image is checked before the engine touches it (every topic directory is whole:
/// `topic.json` naming it and all its partition directories), then the engine is reopened on it:
/// each name is what its last acknowledged step left, or what the step in flight would have
/// left; a present topic holds only its own generation's records and every acknowledged one.
@Suite(.heavy) struct TopicLifecycleCrashTests {
    static let seeds: [UInt64] = [1, 2, 3]
    static let names = ["a", "b", "c"]

    /// What a topic name is at some moment: absent, or the topic created at `createdAt`.
    enum Version: Equatable, CustomStringConvertible {
        case absent
        case created(at: Int64)
        var description: String {
            switch self {
            case .absent: "absent"
            case .created(let at): "created at \(at)"
            }
        }
    }

    /// One create or delete: the journal's length before it started and after it returned.
    struct Step {
        var name: String
        var start: Int
        var end: Int
        var after: Version
    }

    /// An acknowledged append: the record `value` in `partition` of `name` as created at `createdAt`.
    struct Acknowledged {
        var name: String
        var createdAt: Int64
        var partition: Int32
        var value: String
        var end: Int
    }

    func config(_ path: String, faults: FaultInjector? = nil) -> EngineConfig {
        var config = EngineConfig(dataDirectory: path, fsync: .always)
        config.faults = faults
        return config
    }

    @Test(arguments: seeds)
    func topicCreateAndDeleteAreWholeOrAbsentAfterAPowerCut(seed: UInt64) throws {
        var random = SeededRandom(seed: seed)
        let root = NSTemporaryDirectory() + "wharf-topic-crash-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let clock = ManualClock(1_800_000_000_000)
        let kept = (0..<10).map { "keep#\($0)" }
        do {
            let engine = try Engine.open(config: config(root), clock: clock, logger: Logger(label: "test"))
            try engine.createTopic("keep", .init(partitions: 2))
            for value in kept { _ = try engine.produce(topic: "keep", records: [Record(value: Array(value.utf8))], partition: 0) }
            try engine.close()
        }
        let initial = try CrashDisk.snapshot(root)

        let journal = FileJournal()
        let engine = try Engine.open(config: config(root, faults: FaultInjector(journal: journal)), clock: clock, logger: Logger(label: "test"))
        var current: [String: Version] = Dictionary(uniqueKeysWithValues: Self.names.map { ($0, .absent) })
        var steps: [Step] = []
        var acknowledged: [Acknowledged] = []
        for _ in 0..<14 {
            let name = Self.names.randomElement(using: &random)!
            clock.advance(byMillis: 1000)  // each generation of a name has its own createdAt
            let start = journal.count
            switch current[name]! {
            case .absent:
                let partitions = Int32.random(in: 1...4, using: &random)
                try engine.createTopic(name, .init(partitions: partitions))
                let version = Version.created(at: clock.nowMillis())
                steps.append(Step(name: name, start: start, end: journal.count, after: version))
                current[name] = version
                for i in 0..<Int.random(in: 0...4, using: &random) {
                    let value = "\(name)@\(clock.nowMillis())#\(i)"
                    let partition = Int32.random(in: 0..<partitions, using: &random)
                    _ = try engine.produce(topic: name, records: [Record(value: Array(value.utf8))], partition: partition)
                    acknowledged.append(Acknowledged(name: name, createdAt: clock.nowMillis(), partition: partition, value: value, end: journal.count))
                }
            case .created:
                try engine.deleteTopic(name)
                steps.append(Step(name: name, start: start, end: journal.count, after: .absent))
                current[name] = .absent
            }
        }
        try engine.close()

        let operations = journal.operations
        let points = CrashDisk.points(60, of: operations.count, random: &random)
        var violations: [String] = []
        try CrashDisk.explore(operations, root: root, initial: initial, at: points) { k, dir in
            let at = "cut after operation \(k) of \(operations.count)"
            violations += wholenessViolations(in: dir + "/topics").map { "\(at): \($0)" }
            do {
                let engine = try Engine.open(config: config(dir), clock: clock, logger: Logger(label: "test"))
                defer { try? engine.close() }
                if try values(engine.readRecords(topic: "keep", partition: 0, from: 0, maxRecords: 100)) != kept {
                    violations.append("\(at): the untouched topic changed")
                }
                for name in Self.names {
                    let found: Version = (try? engine.topic(name)).map { .created(at: $0.meta.createdAt) } ?? .absent
                    let allowed = Self.allowed(name, at: k, steps: steps)
                    guard allowed.contains(found) else {
                        violations.append("\(at): \(name) is \(found), expected one of \(allowed)")
                        continue
                    }
                    guard case .created(let createdAt) = found else { continue }
                    let partitions = try engine.topic(name).meta.partitions
                    var stored: [Int32: [String]] = [:]
                    for p in 0..<partitions {
                        stored[p] = try values(engine.readRecords(topic: name, partition: p, from: 0, maxRecords: 100))
                    }
                    for value in stored.values.joined() where !value.hasPrefix("\(name)@\(createdAt)#") {
                        violations.append("\(at): \(name) created at \(createdAt) holds \(value), of another generation")
                    }
                    for ack in acknowledged where ack.name == name && ack.createdAt == createdAt && ack.end <= k
                        && !(stored[ack.partition] ?? []).contains(ack.value) {
                        violations.append("\(at): acknowledged \(ack.value) is lost")
                    }
                }
            } catch {
                violations.append("\(at): reopen failed: \(error)")
            }
        }
        #expect(steps.count == 14)
        #expect(violations.isEmpty, "seed \(seed): \(violations.count) violations in \(points.count) crash points: \(violations.prefix(3))")
    }

    /// A first start on an empty data directory: `topics/` and `queues/` are created durably
    /// (each `mkdir` followed by an fsync of its parent), so the first topic and queue, once
    /// acknowledged, survive a power cut at any later point, and every cut reopens.
    @Test func theFirstTopicAndQueueOfAFreshDataDirectorySurviveAPowerCut() throws {
        let root = NSTemporaryDirectory() + "wharf-topic-crash-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let clock = ManualClock(1_800_000_000_000)
        let journal = FileJournal()
        let engine = try Engine.open(config: config(root, faults: FaultInjector(journal: journal)), clock: clock, logger: Logger(label: "test"))
        try engine.createTopic("first", .init(partitions: 2))
        let topicAcknowledged = journal.count
        let queues = try engine.openQueues()
        try queues.createQueue("jobs")
        let queueAcknowledged = journal.count
        try queues.close()
        try engine.close()

        var random = SeededRandom(seed: 1)
        let operations = journal.operations
        let points = CrashDisk.points(40, of: operations.count, random: &random)
        var violations: [String] = []
        try CrashDisk.explore(operations, root: root, at: points) { k, dir in
            let at = "cut after operation \(k) of \(operations.count)"
            do {
                let engine = try Engine.open(config: config(dir), clock: clock, logger: Logger(label: "test"))
                defer { try? engine.close() }
                let queues = try engine.openQueues()
                defer { try? queues.close() }
                if k >= topicAcknowledged, (try? engine.topic("first")) == nil { violations.append("\(at): the acknowledged topic is gone") }
                if k >= queueAcknowledged, !queues.listQueues().contains("jobs") { violations.append("\(at): the acknowledged queue is gone") }
            } catch {
                violations.append("\(at): reopen failed: \(error)")
            }
        }
        #expect(violations.isEmpty, "\(violations.count) violations in \(points.count) crash points: \(violations.prefix(3))")
    }

    /// The versions `name` may have after a cut at `k`: what its last finished step left (absent
    /// before any), or what the step in flight at `k` would leave.
    static func allowed(_ name: String, at k: Int, steps: [Step]) -> [Version] {
        let mine = steps.filter { $0.name == name }
        var allowed = [mine.last { $0.end <= k }?.after ?? .absent]
        if let inFlight = mine.first(where: { $0.start < k && k < $0.end }) { allowed.append(inFlight.after) }
        return allowed
    }

    /// Every directory under `topics` (but scratch) must be a whole topic: its `topic.json`
    /// names it and each of its partitions has a directory.
    func wholenessViolations(in topics: String) -> [String] {
        let fm = FileManager.default
        var found: [String] = []
        for entry in (try? fm.contentsOfDirectory(atPath: topics)) ?? [] where entry != ScratchDirectory.name {
            let dir = topics + "/" + entry
            guard let meta = try? TopicMetadata.load(from: dir), meta.name == entry else {
                found.append("\(entry) has no topic.json of its own")
                continue
            }
            for p in 0..<meta.partitions where !fm.fileExists(atPath: dir + "/\(p)") {
                found.append("\(entry) lacks partition \(p)")
            }
        }
        return found
    }
}
