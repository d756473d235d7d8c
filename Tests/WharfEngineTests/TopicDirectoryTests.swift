import Foundation
import Logging
import Testing
import WharfCore
@testable import WharfEngine

/// The directories behind topics and queues, on real files: names never decide what start-up
/// deletes (finding 7), creation is whole or nothing and deletion works for every legal name
/// (findings 11 and 19), and one client cannot create unbounded partitions (finding 11).
@Suite struct TopicDirectoryTests {
    func produce(_ f: EngineFixture, _ topic: String, _ values: [String]) throws {
        try f.engine.produce(topic: topic, records: values.map { Record(key: nil, value: Array($0.utf8)) }, partition: 0)
    }

    func read(_ f: EngineFixture, _ topic: String) throws -> [String] {
        values(try f.engine.readRecords(topic: topic, partition: 0, from: 0, maxRecords: 100))
    }

    @Test func topicsWhoseNamesLookLikeOldTombstonesSurviveARestart() throws {
        let f = try EngineFixture()
        for name in ["crm.account.deleted-v1", "user.deleted-events", "x.deleted-1700000000000"] {
            try f.engine.createTopic(name, .init(partitions: 1))
            try produce(f, name, ["kept"])
        }
        try f.reopen()
        for name in ["crm.account.deleted-v1", "user.deleted-events", "x.deleted-1700000000000"] {
            #expect(try read(f, name) == ["kept"], "\(name)")
        }
    }

    @Test func queuesWhoseNamesLookLikeOldTombstonesSurviveARestart() throws {
        let f = try QueueFixture()
        _ = try f.store.createQueue("orders.deleted-v1")
        _ = try f.store.send("orders.deleted-v1", OutgoingMessage("kept"))
        _ = try f.store.createQueue("gone")
        try f.store.deleteQueue("gone")
        try f.reopen()
        #expect(f.store.listQueues() == ["orders.deleted-v1"])
        #expect(try f.store.runtimeCounts("orders.deleted-v1").activeCount == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: f.path + "/queues/@scratch").isEmpty)
    }

    /// A directory an older Wharf left as `<name>.deleted-<ms>` (its topic.json names `<name>`)
    /// is neither deleted nor allowed to shadow the live topic of that name.
    @Test func anOldTombstoneIsKeptButNotLoaded() throws {
        let f = try EngineFixture()
        try f.engine.createTopic("orders", .init(partitions: 1))
        try produce(f, "orders", ["old"])
        try f.engine.close()
        let topics = f.path + "/topics"
        try FileManager.default.copyItem(atPath: topics + "/orders", toPath: topics + "/orders.deleted-1700000000000")
        f.engine = try f.open()
        try produce(f, "orders", ["new"])
        try f.reopen()
        #expect(try read(f, "orders") == ["old", "new"])
        #expect(f.engine.listTopics() == ["orders"])
        #expect(FileManager.default.fileExists(atPath: topics + "/orders.deleted-1700000000000/topic.json"), "left for the operator")
    }

    /// 249 bytes is legal; a tombstone suffix on it would not fit in 255. Deleted, it is gone
    /// for good (after a restart too); created again, it starts empty with its new partitions.
    @Test func aLongestLegalNameDeletesAndIsCreatedAgainCleanly() throws {
        let f = try EngineFixture()
        let name = String(repeating: "n", count: Names.maxTopicLength)
        try f.engine.createTopic(name, .init(partitions: 3))
        try produce(f, name, ["a", "b"])
        try f.engine.deleteTopic(name)
        #expect(f.engine.listTopics().isEmpty)
        try f.reopen()
        #expect(f.engine.listTopics().isEmpty, "the delete is not undone by a restart")
        try f.engine.createTopic(name, .init(partitions: 1))
        #expect(try read(f, name).isEmpty, "no old data resurfaces")
        try f.reopen()
        #expect(try f.engine.describeTopic(name).partitions.count == 1)
        #expect(try read(f, name).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: f.path + "/topics/\(name)/1"), "no orphaned partition directories")
    }

    /// What a crash leaves mid-create (a staging directory in scratch) or mid-delete (a topic
    /// moved to scratch) is cleaned up by the next start, which starts.
    @Test func anInterruptedCreateOrDeleteLeavesAStartableEngine() throws {
        let f = try EngineFixture()
        try f.engine.createTopic("kept", .init(partitions: 1))
        try f.engine.close()
        let scratch = f.path + "/topics/@scratch"
        let fm = FileManager.default
        // Mid-create: topic.json written, partitions half made, not yet renamed into place.
        try fm.createDirectory(atPath: scratch + "/staging-1/0", withIntermediateDirectories: true)
        try fm.copyItem(atPath: f.path + "/topics/kept/topic.json", toPath: scratch + "/staging-1/topic.json")
        // Mid-delete: moved here, files not yet removed.
        try fm.copyItem(atPath: f.path + "/topics/kept", toPath: scratch + "/tomb-2")
        f.engine = try f.open()
        #expect(f.engine.listTopics() == ["kept"])
        #expect(try fm.contentsOfDirectory(atPath: scratch).isEmpty)
        // A topic directory from before the staging step, with topic.json but no partitions.
        try f.engine.close()
        try fm.createDirectory(atPath: f.path + "/topics/half", withIntermediateDirectories: true)
        var meta = try TopicMetadata.load(from: f.path + "/topics/kept")
        meta.name = "half"
        meta.partitions = 2
        try meta.save(to: f.path + "/topics/half", files: DurableFile(faults: nil))
        f.engine = try f.open()
        #expect(try f.engine.describeTopic("half").partitions.count == 2)
    }

    @Test func partitionCountsAndSegmentSizesAreBounded() throws {
        let f = try EngineFixture()
        #expect(throws: WharfError.self) { try f.engine.createTopic("huge", .init(partitions: 1_001)) }
        #expect(throws: WharfError.self) { try f.engine.createTopic("tiny", .init(partitions: 1, segmentBytes: 100)) }
        try f.engine.createTopic("t", .init(partitions: 1_000))
        #expect(throws: WharfError.self) { try f.engine.addPartitions("t", totalCount: 1_001) }
        #expect(f.engine.listTopics() == ["t"], "a refused create leaves nothing behind")
        #expect(try FileManager.default.contentsOfDirectory(atPath: f.path + "/topics/@scratch").isEmpty)
    }

    @Test func thePartitionTotalIsBounded() throws {
        let path = NSTemporaryDirectory() + "wharf-limits-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        var config = EngineConfig(dataDirectory: path, fsync: .never)
        config.maxPartitions = 10  // __consumer_offsets holds one
        let engine = try Engine.open(config: config, logger: Logger(label: "test"))
        defer { try? engine.close() }
        try engine.createTopic("a", .init(partitions: 5))
        #expect(throws: WharfError.policyViolation("the broker may hold at most 10 partitions; it has 6, asked for 5 more")) {
            try engine.createTopic("b", .init(partitions: 5))
        }
        try engine.createTopic("b", .init(partitions: 4))
        #expect(throws: WharfError.self) { try engine.addPartitions("b", totalCount: 5) }
    }

    @Test func autoCreationIsRateLimitedOnTheEngineClock() throws {
        let path = NSTemporaryDirectory() + "wharf-autocreate-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        var config = EngineConfig(dataDirectory: path, fsync: .never)
        config.autoCreateBurst = 3
        config.autoCreatePerMinute = 2
        let clock = ManualClock(1_800_000_000_000)
        let engine = try Engine.open(config: config, clock: clock, logger: Logger(label: "test"))
        defer { try? engine.close() }
        engine.autoCreateTopics(["a", "b", "a", "__x", "bad name", "c", "d", "e"], partitions: 1)
        #expect(engine.listTopics() == ["a", "b", "c"], "invalid and internal names cost nothing; the fourth is over budget")
        clock.advance(byMillis: 30_000)
        engine.autoCreateTopics(["d", "e"], partitions: 1)
        #expect(engine.listTopics() == ["a", "b", "c", "d"], "one more every 30 s")
        clock.advance(byMillis: 600_000)
        engine.autoCreateTopics(["e", "f", "g", "h"], partitions: 1)
        #expect(engine.listTopics() == ["a", "b", "c", "d", "e", "f", "g"], "refilled to the burst, not beyond")
    }

    /// Finding 8 on the engine: nobody truncates or deletes an internal topic, and the commits
    /// in `__consumer_offsets` survive the attempt and a restart.
    @Test func internalTopicsCannotBeTruncatedOrDeleted() async throws {
        let f = try EngineFixture()
        try f.engine.createTopic("t", .init(partitions: 1))
        try await f.engine.coordinator.commit(groupId: "g", generationId: -1, memberId: "", offsets: [TopicPartition("t", 0): (offset: 0, metadata: "")])
        #expect(throws: WharfError.self) { try f.engine.deleteRecords(topic: Engine.offsetsTopic, partition: 0, before: -1) }
        #expect(throws: WharfError.self) { try f.engine.deleteTopic(Engine.offsetsTopic) }
        try f.reopen()
        #expect(await f.engine.coordinator.fetchOffsets(groupId: "g", partitions: nil)[TopicPartition("t", 0)]?.offset == 0)
    }

    /// Finding 5 on the engine: any int64 commit leaves lag and totals defined.
    @Test func extremeCommittedOffsetsGiveDefinedLag() async throws {
        let f = try EngineFixture()
        try f.engine.createTopic("t", .init(partitions: 3))
        try produce(f, "t", ["a", "b"])
        try await f.engine.coordinator.commit(groupId: "g", generationId: -1, memberId: "", offsets: [
            TopicPartition("t", 0): (offset: .min, metadata: ""), TopicPartition("t", 1): (offset: .max, metadata: ""),
            TopicPartition("t", 2): (offset: .max, metadata: ""),
        ])
        let lag = try await f.engine.groupLag("g")
        #expect(lag.partitions.map(\.lag) == [2, 0, 0], "a negative commit counts from the log start; past the end, nothing to read")
        #expect(lag.totalLag == 2)
        let plan = try await f.engine.planReset(group: "g", topic: "t", to: .shiftBy(.min))
        #expect(plan.map(\.newOffset) == [0, 0, 0])
        #expect(plan[1].recordsToReread == .max)
    }
}
