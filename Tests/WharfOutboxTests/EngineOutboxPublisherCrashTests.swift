import Foundation
import Logging
import Testing
import WharfCore
import WharfEngine
import WharfOutbox
import WharfStorage
import WharfTestSupport

/// Finding 13: the relay marks rows published as soon as `publish` returns, so the records must
/// be durable by then even on an engine opened with `interval` (the dashboard's `--outbox`).
/// Checked with a simulated power cut (`CrashDisk`) right after each `publish` returned.
@Suite(.heavy) struct EngineOutboxPublisherCrashTests {
    @Test func publishedRecordsSurviveAPowerCutUnderInterval() async throws {
        let root = NSTemporaryDirectory() + "wharf-outbox-crash-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let clock = ManualClock(1_800_000_000_000)
        func config(_ path: String, faults: FaultInjector? = nil) -> EngineConfig {
            var c = EngineConfig(dataDirectory: path, fsync: .interval(milliseconds: 1000))
            c.faults = faults
            return c
        }
        do {
            let engine = try Engine.open(config: config(root), clock: clock, logger: Logger(label: "test"))
            try engine.createTopic("outbox.event.order", Engine.TopicSettings(partitions: 2))
            try engine.close()
        }
        let initial = try CrashDisk.snapshot(root)
        let journal = FileJournal()
        let engine = try Engine.open(config: config(root, faults: FaultInjector(journal: journal)), clock: clock, logger: Logger(label: "test"))
        let publisher = EngineOutboxPublisher(engine: engine)
        var acknowledged: [(position: Int, count: Int)] = []
        var published = 0
        for round in 0..<5 {
            let records = (0..<4).map { Record(key: Array("order-\(round)-\($0)".utf8), value: Array("v\(round)-\($0)".utf8)) }
            try await publisher.publish(topic: "outbox.event.order", records: records)
            published += records.count
            acknowledged.append((journal.count, published))
            clock.advance(byMillis: 100)
        }
        try engine.close()

        var violations: [String] = []
        try CrashDisk.explore(journal.operations, root: root, initial: initial, at: acknowledged.map(\.position)) { k, dir in
            let reopened = try Engine.open(config: config(dir), clock: clock, logger: Logger(label: "test"))
            defer { try? reopened.close() }
            var stored = 0
            for p in 0..<Int32(2) {
                stored += try reopened.readRecords(topic: "outbox.event.order", partition: p, from: 0, maxRecords: 1000).count
            }
            let expected = acknowledged.first { $0.position == k }?.count ?? 0
            if stored < expected { violations.append("cut at operation \(k): \(stored) of \(expected) records left") }
        }
        #expect(violations.count == 0, "\(violations.prefix(5))")
    }
}
