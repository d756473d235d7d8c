import Foundation
import GRDB
import Logging
import Testing
import WharfCore
import WharfEngine
import WharfEvents
@testable import WharfProjections
import WharfStorage
import WharfTestSupport

/// Power-loss consistency of a projection's checkpoint, explored with `CrashDisk`: events are
/// appended under `interval` (the engine's default, which `EventStore.open(alongside:)` takes)
/// and a projection folds them into SQLite batch by batch, its checkpoint in the same
/// transaction. The engine's file changes are journaled; after each batch the checkpoint SQLite
/// committed is read back. For a power cut at any engine operation, the checkpoint committed by
/// then must not point past what is left of `$all`: otherwise the events appended there after
/// the restart would never be applied. (A SQLite commit a power cut rolls back only moves the
/// checkpoint back, so the committed one is the strictest to check.)
@Suite(.heavy) struct ProjectionCheckpointCrashTests {
    static let seeds: [UInt64] = [1, 2, 3]
    static let quiet = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    func config(_ path: String, faults: FaultInjector? = nil) -> EngineConfig {
        var config = EngineConfig(dataDirectory: path, fsync: .interval(milliseconds: 1000))
        config.faults = faults
        return config
    }

    @Test(arguments: seeds)
    func aCheckpointNeverPassesTheLogEndAfterAPowerCut(seed: UInt64) throws {
        var random = SeededRandom(seed: seed)
        let base = NSTemporaryDirectory() + "wharf-projection-crash-\(UUID().uuidString)"
        let root = base + "/data"
        defer { try? FileManager.default.removeItem(atPath: base) }
        let clock = ManualClock(1_800_000_000_000)
        do {
            let engine = try Engine.open(config: config(root), clock: clock, logger: Self.quiet)
            try EventStore.open(alongside: engine, logger: Self.quiet).close()
            try engine.close()
        }
        let initial = try CrashDisk.snapshot(root)

        let journal = FileJournal()
        let engine = try Engine.open(config: config(root, faults: FaultInjector(journal: journal)), clock: clock, logger: Self.quiet)
        let events = try EventStore.open(alongside: engine, logger: Self.quiet)
        let projection = try Projection.open(Balances.definition(), databasePath: base + "/balances.sqlite", store: events,
                                             options: ProjectionOptions(batchSize: 2))
        var checkpoints: [(position: Int, checkpoint: UInt64?)] = [(0, nil)]
        for _ in 0..<25 {
            let account = "account-\(Int.random(in: 0..<3, using: &random))"
            let batch = (0..<Int.random(in: 1...3, using: &random)).map { _ in EventData(type: "Deposited", data: Array("5".utf8)) }
            _ = try events.append(stream: account, events: batch)
            for _ in 0..<Int.random(in: 0...2, using: &random) {
                guard try projection.step() else { break }
                let committed = try projection.read { db in try ProjectionCheckpointTable.load(db, projection: "balances")?.cursor.position }
                checkpoints.append((journal.count, committed))
            }
            clock.advance(byMillis: Int64.random(in: 0...600, using: &random))
            if Bool.random(using: &random) { events.runMaintenance() }
        }
        try events.close()
        try engine.close()

        let operations = journal.operations
        let points = CrashDisk.points(60, of: operations.count, random: &random)
        var violations: [String] = []
        try CrashDisk.explore(operations, root: root, initial: initial, at: points) { k, dir in
            let at = "cut after operation \(k) of \(operations.count)"
            do {
                let engine = try Engine.open(config: config(dir), clock: clock, logger: Self.quiet)
                defer { try? engine.close() }
                let events = try EventStore.open(alongside: engine, logger: Self.quiet)
                defer { try? events.close() }
                let end = try events.readAll(from: 0, maxCount: 100_000).count
                if let checkpoint = checkpoints.last(where: { $0.position <= k })!.checkpoint, checkpoint >= UInt64(end) {
                    violations.append("\(at): checkpoint \(checkpoint) is beyond the end of $all (\(end) events)")
                }
            } catch {
                violations.append("\(at): reopen failed: \(error)")
            }
        }
        #expect(checkpoints.count > 10)
        #expect(violations.isEmpty, "seed \(seed): \(violations.count) violations in \(points.count) crash points: \(violations.prefix(3))")
    }
}
