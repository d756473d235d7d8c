import Foundation
import GRDB
import Logging
import Testing
import WharfCore
import WharfEngine
@testable import WharfOutbox
import WharfStorage
import WharfTestSupport

/// Power-loss consistency of the SQL outbox relay loop (`wharf outbox relay` and the
/// dashboard's `--outbox`: an `OutboxRelay` over a SQLite outbox publishing into an engine under
/// `interval`), explored with `CrashDisk`: rows of two aggregate types are enqueued between polls,
/// the relay creates their topics on first use and marks rows published after each append.
/// The engine's file changes are journaled; after each poll the set of rows marked published is
/// read from SQLite. For a power cut at any engine operation, the rows SQLite had marked by then
/// must all have their record in the reopened engine (at least once: a record without a mark is
/// a re-publish, allowed; a mark without a record is a loss). A SQLite commit that a power cut
/// rolls back only un-marks rows, so the marks as committed are the strictest state to check.
@Suite(.heavy) struct OutboxRelayCrashTests {
    static let seeds: [UInt64] = [1, 2, 3]
    static let topics = ["outbox.event.order", "outbox.event.invoice"]

    func config(_ path: String, faults: FaultInjector? = nil) -> EngineConfig {
        var config = EngineConfig(dataDirectory: path, fsync: .interval(milliseconds: 1000))
        config.defaultPartitions = 2
        config.faults = faults
        return config
    }

    @Test(arguments: seeds)
    func aRowIsMarkedPublishedOnlyOnceItsRecordIsDurable(seed: UInt64) async throws {
        var random = SeededRandom(seed: seed)
        let base = NSTemporaryDirectory() + "wharf-outbox-relay-crash-\(UUID().uuidString)"
        let root = base + "/data"
        defer { try? FileManager.default.removeItem(atPath: base) }
        let clock = ManualClock(1_800_000_000_000)
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        try Engine.open(config: config(root), clock: clock, logger: Logger(label: "test")).close()
        let initial = try CrashDisk.snapshot(root)
        let store = try SQLiteOutboxStore.open(path: base + "/app.sqlite", create: true, clock: clock)
        try await store.migrate()

        let journal = FileJournal()
        let engine = try Engine.open(config: config(root, faults: FaultInjector(journal: journal)), clock: clock, logger: Logger(label: "test"))
        var relayConfig = OutboxRelayConfig()
        relayConfig.batchSize = 5  // several polls per backlog
        let relay = OutboxRelay(store: store, publisher: EngineOutboxPublisher(engine: engine), config: relayConfig,
                                clock: clock, logger: Logger(label: "test"))
        var marks: [(position: Int, published: Set<String>)] = [(0, [])]
        for round in 0..<25 {
            let events = (0..<Int.random(in: 0...4, using: &random)).map { i in
                OutboxEvent(aggregateType: Bool.random(using: &random) ? "order" : "invoice",
                            aggregateId: "a\(Int.random(in: 0..<4, using: &random))", type: "Changed", payload: #"{"n":"\#(round)-\#(i)"}"#)
            }
            try await store.writer.write { db in for e in events { try store.enqueue(e, in: db) } }
            try await relay.pollOnce()
            let published = try await store.writer.read { db in
                try String.fetchSet(db, sql: "SELECT id FROM outbox WHERE published_at IS NOT NULL")
            }
            marks.append((journal.count, published))
            clock.advance(byMillis: Int64.random(in: 0...600, using: &random))
            if Bool.random(using: &random) { await engine.runMaintenance() }
        }
        try engine.close()
        try await store.close()
        #expect(marks.last!.published.count >= 25)

        let operations = journal.operations
        let points = CrashDisk.points(60, of: operations.count, random: &random)
        var violations: [String] = []
        try CrashDisk.explore(operations, root: root, initial: initial, at: points) { k, dir in
            let at = "cut after operation \(k) of \(operations.count)"
            do {
                let reopened = try Engine.open(config: config(dir), clock: clock, logger: Logger(label: "test"))
                defer { try? reopened.close() }
                var stored = Set<String>()
                for topic in Self.topics {
                    guard let description = try? reopened.describeTopic(topic) else { continue }
                    for p in description.partitions {
                        for r in try reopened.readRecords(topic: topic, partition: p.partition, from: 0, maxRecords: 10_000) {
                            if let id = r.headers.first(where: { $0.key == OutboxRecordMapping.idHeader })?.value {
                                stored.insert(String(decoding: id, as: UTF8.self))
                            }
                        }
                    }
                }
                let marked = marks.last { $0.position <= k }!.published
                let lost = marked.subtracting(stored)
                if !lost.isEmpty { violations.append("\(at): \(lost.count) rows marked published have no record") }
            } catch {
                violations.append("\(at): reopen failed: \(error)")
            }
        }
        #expect(violations.isEmpty, "seed \(seed): \(violations.count) violations in \(points.count) crash points: \(violations.prefix(3))")
    }
}
