import Foundation
import Logging
import Testing
import WharfCore
import WharfEngine
@testable import WharfEvents
import WharfStorage
import WharfTestSupport

/// Power-loss consistency of event appends, explored with `CrashDisk` under `--fsync always`:
/// appends of one to three events with expected versions to a few streams, and persistent
/// subscription groups created and deleted between them (their files go through the engine's
/// `DurableFile`), with every file change journaled. After a power cut at any operation and a
/// reopen: each stream is a prefix of its appends made of whole appends (no half event, no
/// gap in revisions), holds every acknowledged one, and accepts the next append at the version
/// it reports; a subscription group exists as its last acknowledged step (or the one in flight)
/// left it.
@Suite(.heavy) struct EventAppendCrashTests {
    static let seeds: [UInt64] = [1, 2, 3]
    static let streams = ["order-1", "order-2", "invoice-1"]

    /// One append or subscription change: the journal's length before it started and after it returned.
    struct Step {
        var stream: String?
        var events: [String]
        var group: String?
        var groupExists = false
        var start: Int
        var end: Int
    }

    func config(_ path: String, faults: FaultInjector? = nil) -> EngineConfig {
        var config = EngineConfig(dataDirectory: path, fsync: .always)
        config.faults = faults
        return config
    }

    static let quiet = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    @Test(arguments: seeds)
    func acknowledgedAppendsSurviveAPowerCutWhole(seed: UInt64) throws {
        var random = SeededRandom(seed: seed)
        let root = NSTemporaryDirectory() + "wharf-events-crash-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let clock = ManualClock(1_800_000_000_000)
        do {
            let engine = try Engine.open(config: config(root), clock: clock, logger: Self.quiet)
            let events = try EventStore.open(alongside: engine, logger: Self.quiet)
            try events.close()
            try engine.close()
        }
        let initial = try CrashDisk.snapshot(root)

        let journal = FileJournal()
        let engine = try Engine.open(config: config(root, faults: FaultInjector(journal: journal)), clock: clock, logger: Self.quiet)
        let events = try EventStore.open(alongside: engine, logger: Self.quiet)
        var steps: [Step] = []
        var next = 0
        var groups: Set<String> = []
        for _ in 0..<40 {
            let start = journal.count
            if Int.random(in: 0..<5, using: &random) == 0 {
                let group = ["g1", "g2"].randomElement(using: &random)!
                if groups.remove(group) != nil {
                    try events.deletePersistentSubscription(group, on: .all)
                } else {
                    try events.createPersistentSubscription(group, on: .all)
                    groups.insert(group)
                }
                steps.append(Step(stream: nil, events: [], group: group, groupExists: groups.contains(group), start: start, end: journal.count))
                continue
            }
            let stream = Self.streams.randomElement(using: &random)!
            let data = (0..<Int.random(in: 1...3, using: &random)).map { _ in next += 1; return "e\(next)" }
            let expected: ExpectedVersion = events.lastRevision(of: stream).map { .exact($0) } ?? .noStream
            _ = try events.append(stream: stream, events: data.map { EventData(type: "Happened", data: Array($0.utf8)) }, expected: expected)
            steps.append(Step(stream: stream, events: data, start: start, end: journal.count))
            clock.advance(byMillis: Int64.random(in: 0...500, using: &random))
        }
        try events.close()
        try engine.close()

        let operations = journal.operations
        let points = CrashDisk.points(80, of: operations.count, random: &random)
        var violations: [String] = []
        try CrashDisk.explore(operations, root: root, initial: initial, at: points) { k, dir in
            let at = "cut after operation \(k) of \(operations.count)"
            do {
                let engine = try Engine.open(config: config(dir), clock: clock, logger: Self.quiet)
                defer { try? engine.close() }
                let events = try EventStore.open(alongside: engine, logger: Self.quiet)
                defer { try? events.close() }
                for stream in Self.streams {
                    let appends = steps.filter { $0.stream == stream }
                    let stored = try events.readStream(stream, maxCount: 1000)
                    let data = stored.map { String(decoding: $0.data, as: UTF8.self) }
                    // Whole appends, in order: `data` is the concatenation of the first `whole` appends.
                    let prefixes = (0...appends.count).map { appends.prefix($0).flatMap(\.events) }
                    guard let whole = prefixes.firstIndex(of: data) else {
                        violations.append("\(at): \(stream) holds \(data), not a prefix of whole appends")
                        continue
                    }
                    let acknowledged = appends.filter { $0.end <= k }.count
                    let started = appends.filter { $0.start < k }.count
                    if whole < acknowledged || whole > started {
                        violations.append("\(at): \(stream) holds \(whole) appends; \(acknowledged) were acknowledged, \(started) started")
                    }
                    if stored.map(\.revision) != (0..<UInt64(stored.count)).map({ $0 }) {
                        violations.append("\(at): \(stream) revisions \(stored.map(\.revision)) have a gap")
                    }
                    let expected: ExpectedVersion = events.lastRevision(of: stream).map { .exact($0) } ?? .noStream
                    do {
                        _ = try events.append(stream: stream, events: [EventData(type: "After", data: [])], expected: expected)
                    } catch {
                        violations.append("\(at): \(stream) refused the next append at \(expected): \(error)")
                    }
                }
                let present = Set(events.listPersistentSubscriptions().map(\.group))
                for group in ["g1", "g2"] {
                    let mine = steps.filter { $0.group == group }
                    var allowed = [mine.last { $0.end <= k }?.groupExists ?? false]
                    if let inFlight = mine.first(where: { $0.start < k && k < $0.end }) { allowed.append(inFlight.groupExists) }
                    if !allowed.contains(present.contains(group)) {
                        violations.append("\(at): subscription \(group) \(present.contains(group) ? "exists" : "is missing")")
                    }
                }
            } catch {
                violations.append("\(at): reopen failed: \(error)")
            }
        }
        #expect(steps.contains { $0.group != nil })
        #expect(violations.isEmpty, "seed \(seed): \(violations.count) violations in \(points.count) crash points: \(violations.prefix(3))")
    }

    /// A persistent subscription under `interval`, acking everything it receives with a
    /// checkpoint after every ack: after a power cut its checkpoint never lies beyond the end of
    /// `$all` (else the events appended there after the restart would be skipped).
    @Test(arguments: seeds)
    func aSubscriptionCheckpointNeverPassesTheLogEndAfterAPowerCut(seed: UInt64) throws {
        var random = SeededRandom(seed: seed)
        let root = NSTemporaryDirectory() + "wharf-events-crash-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let clock = ManualClock(1_800_000_000_000)
        func config(_ path: String, faults: FaultInjector? = nil) -> EngineConfig {
            var config = EngineConfig(dataDirectory: path, fsync: .interval(milliseconds: 1000))
            config.faults = faults
            return config
        }
        do {
            let engine = try Engine.open(config: config(root), clock: clock, logger: Self.quiet)
            let events = try EventStore.open(alongside: engine, logger: Self.quiet)
            try events.createPersistentSubscription("reader", on: .all, settings: .init(startFrom: .start, checkpointAfterAcks: 1))
            try events.close()
            try engine.close()
        }
        let initial = try CrashDisk.snapshot(root)

        let journal = FileJournal()
        let engine = try Engine.open(config: config(root, faults: FaultInjector(journal: journal)), clock: clock, logger: Self.quiet)
        let events = try EventStore.open(alongside: engine, logger: Self.quiet)
        let reader = try events.connectToPersistentSubscription("reader", on: .all)
        var acked = 0
        for _ in 0..<30 {
            let stream = Self.streams.randomElement(using: &random)!
            let batch = (0..<Int.random(in: 1...3, using: &random)).map { _ in EventData(type: "Happened", data: []) }
            _ = try events.append(stream: stream, events: batch)
            let received = try reader.receive(max: Int.random(in: 1...3, using: &random))
            try reader.ack(received.map(\.event.id))
            acked += received.count
            clock.advance(byMillis: Int64.random(in: 0...600, using: &random))
            if Bool.random(using: &random) { events.runMaintenance() }
        }
        reader.close()
        try events.close()
        try engine.close()

        let operations = journal.operations
        let points = CrashDisk.points(60, of: operations.count, random: &random)
        let file = "/events/subscriptions/" + PersistentSubscriptionFile.fileName(source: .all, group: "reader")
        var violations: [String] = []
        try CrashDisk.explore(operations, root: root, initial: initial, at: points) { k, dir in
            let at = "cut after operation \(k) of \(operations.count)"
            do {
                let checkpoint = try PersistentSubscriptionFile.load(dir + file).checkpoint
                let engine = try Engine.open(config: config(dir), clock: clock, logger: Self.quiet)
                defer { try? engine.close() }
                let events = try EventStore.open(alongside: engine, logger: Self.quiet)
                defer { try? events.close() }
                let end = try events.readAll(from: 0, maxCount: 100_000).count
                if let checkpoint, checkpoint >= UInt64(end) {
                    violations.append("\(at): checkpoint \(checkpoint) is beyond the end of $all (\(end) events)")
                }
            } catch {
                violations.append("\(at): reopen failed: \(error)")
            }
        }
        #expect(acked > 20)
        #expect(violations.isEmpty, "seed \(seed): \(violations.count) violations in \(points.count) crash points: \(violations.prefix(3))")
    }
}
