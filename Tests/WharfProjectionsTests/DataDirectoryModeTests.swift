import Foundation
import GRDB
import Logging
import Testing
import WharfCore
import WharfEngine
import WharfEvents
import WharfProjections

/// Every file and directory Wharf creates is owner-only (`OwnerOnly`: 0600 / 0700), whatever
/// store wrote it: topics, indexes, producer snapshots and the producer-id block, committed
/// offsets, queues, the event log, persistent subscriptions, projections (SQLite and the
/// registry) and the lock.
@Suite struct DataDirectoryModeTests {
    @Test func everythingWharfCreatesHasNoGroupOrOtherPermissionBits() async throws {
        let path = NSTemporaryDirectory() + "wharf-modes-\(UUID().uuidString)/data"
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let clock = ManualClock(1_800_000_000_000)
        let quiet = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

        let engine = try Engine.open(config: EngineConfig(dataDirectory: path, fsync: .always), clock: clock, logger: quiet)
        try engine.createTopic("orders", Engine.TopicSettings(partitions: 2))
        try engine.produce(topic: "orders", records: [Record(key: Array("k".utf8), value: Array("v".utf8))])
        let pid = try engine.allocateProducerId()
        var idempotent = RecordBatchBuilder.encode([Record(value: Array("i".utf8))], defaultTimestamp: clock.nowMillis(),
                                                   producerId: pid, producerEpoch: 0, baseSequence: 0)
        _ = try engine.append(topic: "orders", partition: 1, batches: &idempotent)
        try await engine.coordinator.commit(groupId: "g", generationId: -1, memberId: "",
                                            offsets: [TopicPartition("orders", 0): (offset: 1, metadata: "")])
        let queues = try engine.openQueues()
        try queues.createQueue("jobs", QueueOptions())
        _ = try queues.send("jobs", OutgoingMessage("work"))

        let events = try EventStore.open(alongside: engine, logger: quiet)
        _ = try events.append(stream: "account-1", events: [EventData(type: "Deposited", data: "5")])
        try events.createPersistentSubscription("billing", on: .all)
        let projection = try Projection.open(
            ProjectionDefinition(name: "noop", source: .category("account"),
                                 setUp: { db in try db.execute(sql: "CREATE TABLE IF NOT EXISTS seen (n INTEGER)") },
                                 reset: { _ in }, apply: { _, _ in }),
            databasePath: path + "/noop.sqlite", store: events, registry: ProjectionRegistry(dataDirectory: path))
        projection.start()
        await projection.stop()
        try events.close()
        try queues.close()
        try engine.close()

        var checked = (files: 0, directories: 0)
        var loose: [String] = []
        for (entry, mode, isDirectory) in try Self.walk(path) {
            if isDirectory { checked.directories += 1 } else { checked.files += 1 }
            if mode & 0o077 != 0 { loose.append("\(entry) \(String(mode & 0o777, radix: 8))") }
        }
        #expect(loose == [])
        // The walk saw the stores it is meant to check (a test that walked nothing would pass).
        #expect(checked.files >= 12 && checked.directories >= 8)
    }

    /// Every entry under `root`, and `root` itself, with its permission bits.
    static func walk(_ root: String) throws -> [(String, mode_t, Bool)] {
        var out: [(String, mode_t, Bool)] = []
        var pending = [root]
        while let dir = pending.popLast() {
            var st = stat()
            #expect(lstat(dir, &st) == 0)
            out.append((dir, st.st_mode, true))
            for name in try FileManager.default.contentsOfDirectory(atPath: dir) {
                let entry = dir + "/" + name
                #expect(lstat(entry, &st) == 0)
                if st.st_mode & S_IFMT == S_IFDIR { pending.append(entry) } else { out.append((entry, st.st_mode, false)) }
            }
        }
        return out
    }
}
