import Foundation
import Logging
import Testing
import WharfCore
@testable import WharfEngine
import WharfStorage
import WharfTestSupport

/// Power-loss consistency of the engine's multi-log protocols, explored with `CrashDisk`: the
/// engine runs on a data directory prepared and closed cleanly beforehand, with
/// `EngineConfig.faults` journaling every file change; then the disk "after a power cut at
/// operation k" is rebuilt for many k, reopened, and checked. A failure names the seed.
@Suite(.heavy) struct EngineCrashConsistencyTests {
    static let seeds: [UInt64] = [1, 2, 3]

    func config(_ path: String, faults: FaultInjector? = nil) -> EngineConfig {
        var config = EngineConfig(dataDirectory: path, fsync: .interval(milliseconds: 1000))
        config.faults = faults
        return config
    }

    /// Queue moves (dead-lettering) under `interval`, interleaved with completes, abandons and
    /// maintenance ticks: after any power cut, every message that was not completed is in exactly
    /// one place (the queue or its dead-letter queue), never in neither, never in both.
    @Test(arguments: seeds)
    func queueMoveNeverLosesAMessageInAPowerCut(seed: UInt64) throws {
        var random = SeededRandom(seed: seed)
        let root = NSTemporaryDirectory() + "wharf-engine-crash-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let clock = ManualClock(1_800_000_000_000)
        let ids = (0..<40).map { "m\($0)" }
        do {
            let engine = try Engine.open(config: config(root), clock: clock, logger: Logger(label: "test"))
            let queues = try engine.openQueues()
            _ = try queues.createQueue("orders")
            for id in ids { _ = try queues.send("orders", OutgoingMessage(messageId: id, body: Array(id.utf8))) }
            try queues.close()
            try engine.close()
        }
        let initial = try CrashDisk.snapshot(root)

        let journal = FileJournal()
        let engine = try Engine.open(config: config(root, faults: FaultInjector(journal: journal)), clock: clock, logger: Logger(label: "test"))
        let queues = try engine.openQueues()
        var completed = Set<String>()
        for _ in 0..<60 {
            for m in try queues.receive("orders", max: Int.random(in: 1...3, using: &random)) {
                switch Int.random(in: 0..<4, using: &random) {
                case 0:
                    try queues.complete(m)
                    completed.insert(m.messageId)
                case 1: try queues.abandon(m)
                default: _ = try queues.deadLetter(m, reason: "crash test")
                }
            }
            clock.advance(byMillis: Int64.random(in: 0...700, using: &random))
            if Bool.random(using: &random) { _ = try queues.tick() }
        }
        try queues.close()
        try engine.close()

        let operations = journal.operations
        let points = CrashDisk.points(150, of: operations.count, random: &random)
        var violations: [String] = []
        try CrashDisk.explore(operations, root: root, initial: initial, at: points) { k, dir in
            do {
                let engine = try Engine.open(config: config(dir), clock: clock, logger: Logger(label: "test"))
                defer { try? engine.close() }
                let queues = try engine.openQueues()
                defer { try? queues.close() }
                let live = try queues.peek("orders", max: 1000).map(\.messageId)
                let dead = try queues.peek(QueueNames.deadLetter(of: "orders"), max: 1000).map(\.messageId)
                for id in ids {
                    let places = live.filter { $0 == id }.count + dead.filter { $0 == id }.count
                    if places > 1 || (places == 0 && !completed.contains(id)) {
                        violations.append("cut after operation \(k) of \(operations.count): \(id) is in \(places) places")
                    }
                }
            } catch {
                violations.append("cut after operation \(k): reopen failed: \(error)")
            }
        }
        #expect(points.count >= 150)
        #expect(violations.count == 0, "seed \(seed): \(violations.count) violations in \(points.count) crash points: \(violations.prefix(3))")
    }

    /// The dead-letter-topic requeue under `interval`, in rounds (new dead letters, then a
    /// requeue): after any power cut and a rerun of the requeue (which recovers from its
    /// intents), every dead-letter record still there has exactly one requeued copy.
    @Test(arguments: seeds)
    func deadLetterRequeueIsExactlyOnceAcrossAPowerCut(seed: UInt64) async throws {
        var random = SeededRandom(seed: seed)
        let root = NSTemporaryDirectory() + "wharf-engine-crash-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let clock = ManualClock(1_800_000_000_000)
        do {
            let engine = try Engine.open(config: config(root), clock: clock, logger: Logger(label: "test"))
            try engine.createTopic("orders", .init(partitions: 1))
            try engine.createTopic("orders.DLT", .init(partitions: 1))
            try engine.close()
        }
        let initial = try CrashDisk.snapshot(root)
        let journal = FileJournal()
        let engine = try Engine.open(config: config(root, faults: FaultInjector(journal: journal)), clock: clock, logger: Logger(label: "test"))
        var next = 0
        for _ in 0..<6 {
            let records = (0..<Int.random(in: 1...8, using: &random)).map { i -> Record in
                next += 1
                return Record(key: Array("k\(next)".utf8), value: Array("dead-\(next)".utf8), headers: [
                    RecordHeader("kafka_dlt-original-topic", "orders"),
                    RecordHeader(key: "kafka_dlt-original-partition", value: [0, 0, 0, 0]),
                    RecordHeader(key: "kafka_dlt-original-offset", value: withUnsafeBytes(of: Int64(i).bigEndian, Array.init)),
                ])
            }
            _ = try engine.produce(topic: "orders.DLT", records: records)
            clock.advance(byMillis: Int64.random(in: 0...900, using: &random))
            _ = try await engine.requeueDeadLetters(topic: "orders.DLT", selection: .all)
            clock.advance(byMillis: Int64.random(in: 0...900, using: &random))
            if Bool.random(using: &random) { await engine.runMaintenance() }
        }
        try engine.close()

        let operations = journal.operations
        let points = CrashDisk.points(120, of: operations.count, random: &random)
        var violations: [String] = []
        for (k, dir) in try CrashDisk.materialise(operations, root: root, initial: initial, at: points) {
            defer { try? FileManager.default.removeItem(atPath: dir) }
            do {
                let reopened = try Engine.open(config: config(dir), clock: clock, logger: Logger(label: "test"))
                defer { try? reopened.close() }
                _ = try await reopened.requeueDeadLetters(topic: "orders.DLT", selection: .all)
                let dead = try reopened.readRecords(topic: "orders.DLT", partition: 0, from: 0, maxRecords: 10_000).map(\.offset)
                let copies = try reopened.readRecords(topic: "orders", partition: 0, from: 0, maxRecords: 10_000)
                    .compactMap { RequeueProvenance.offset(in: $0.headers, from: "orders.DLT", partition: 0) }
                for offset in dead where copies.filter({ $0 == offset }).count != 1 {
                    violations.append("cut after operation \(k) of \(operations.count): dead letter \(offset) has \(copies.filter { $0 == offset }.count) copies")
                }
            } catch {
                violations.append("cut after operation \(k): \(error)")
            }
        }
        #expect(violations.count == 0, "seed \(seed): \(violations.count) violations in \(points.count) crash points: \(violations.prefix(3))")
    }
}
