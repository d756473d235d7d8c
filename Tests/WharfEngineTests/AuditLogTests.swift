import Foundation
import Testing
import WharfCore
import WharfStorage
@testable import WharfEngine

/// `<data>/audit.log`: every engine change is recorded once, with its actor, before and after,
/// and the log survives a restart and a torn last line.
@Suite struct AuditLogTests {
    static let wire = AuditActor.client(address: "10.0.0.5:51234", principal: "User:alice")

    func entries(_ f: EngineFixture) throws -> [AuditEntry] { try f.engine.audit.read().entries }

    @Test func everyEngineChangeIsRecordedWithItsActorAndSurvivesARestart() async throws {
        let f = try EngineFixture()
        try f.engine.createTopic("orders", .init(partitions: 2), actor: Self.wire)
        try f.engine.produce(topic: "orders", records: (0..<10).map { Record(key: nil, value: "o\($0)", timestamp: f.clock.nowMillis()) },
                             partition: 0)
        let seed = try await f.engine.planReset(group: "billing", topic: "orders", partitions: [0], to: .offset(7))
        _ = try await f.engine.executeReset(group: "billing", plan: seed)
        f.clock.advance(byMillis: 1_000)
        let plan = try await f.engine.planReset(group: "billing", topic: "orders", to: .earliest)
        _ = try await f.engine.executeReset(group: "billing", plan: plan)
        try f.engine.deleteRecords(topic: "orders", partition: 0, before: 3)
        _ = try f.engine.addPartitions("orders", totalCount: 3)
        try await f.engine.deleteGroup("billing", actor: Self.wire)
        #expect(throws: WharfError.self) { try f.engine.deleteTopic("missing") }
        try f.engine.deleteTopic("orders")
        try f.reopen()

        let log = try entries(f)
        #expect(log.map(\.action) == [AuditAction.topicCreate, AuditAction.groupResetOffsets, AuditAction.groupResetOffsets,
                                      AuditAction.recordsDelete, AuditAction.topicAddPartitions, AuditAction.groupDelete,
                                      AuditAction.topicDelete, AuditAction.topicDelete])
        #expect(log[0].actor == Self.wire && log[0].target == "topic:orders" && log[0].after?["partitions"] == "2")
        #expect(log[1].actor == .thisProcess && log[1].actor.pid == getpid())
        // The second reset: each partition's committed offset before (read when applied) and after.
        #expect(log[2].target == "group:billing")
        #expect(log[2].before == ["orders/0": "7", "orders/1": AuditEntry.noOffset])
        #expect(log[2].after == ["orders/0": "0", "orders/1": "0"])
        #expect(log[2].timeMs == 1_800_000_001_000 && log[2].time == "2027-01-15T08:00:01.000Z")
        #expect(log[3].before?["log-start"] == "0" && log[3].after?["log-start"] == "3" && log[3].target == "topic:orders/0")
        #expect(log[4].before == ["partitions": "2"] && log[4].after == ["partitions": "3"])
        #expect(log[5].actor == Self.wire && log[5].before == ["orders/0": "0", "orders/1": "0"])
        #expect(log[6].target == "topic:missing" && !log[6].succeeded && log[6].result.contains("missing"))
        #expect(log[7].succeeded && log[7].before?["partitions"] == "3")
        #expect(Set(log.map(\.id)).count == log.count)
        // Owner-only, like every file Wharf creates.
        let mode = try FileManager.default.attributesOfItem(atPath: f.path + "/audit.log")[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test func undoFromTheLogRestoresTheExactOffsetsAfterARestartAndIsItselfAudited() async throws {
        let f = try EngineFixture()
        try f.engine.createTopic("orders", .init(partitions: 3))
        for p in Int32(0)..<3 {
            try f.engine.produce(topic: "orders", records: (0..<20).map { Record(key: nil, value: "o\($0)", timestamp: 0) }, partition: p)
        }
        var seed: [ResetPlanRow] = []
        for (p, o) in [(Int32(0), Int64(5)), (1, 12)] {
            seed += try await f.engine.planReset(group: "g", topic: "orders", partitions: [p], to: .offset(o))
        }
        _ = try await f.engine.executeReset(group: "g", plan: seed)
        let plan = try await f.engine.planReset(group: "g", topic: "orders", to: .latest)
        _ = try await f.engine.executeReset(group: "g", plan: plan)
        let resetId = try #require(try entries(f).last).id
        try f.reopen()   // the process that reset is gone; the log is all that is left

        let result = try await f.engine.undoReset(auditEntry: resetId)
        #expect(result.rows.map(\.newOffset) == [5, 12])   // partition 2 had no offset: left where the reset put it
        let committed = await f.engine.coordinator.fetchOffsets(groupId: "g", partitions: nil).mapValues(\.offset)
        #expect(committed == [TopicPartition("orders", 0): 5, TopicPartition("orders", 1): 12, TopicPartition("orders", 2): 20])
        let undo = try #require(try entries(f).last)
        #expect(undo.action == AuditAction.groupResetUndo && undo.undoes == resetId)
        #expect(undo.before == ["orders/0": "20", "orders/1": "20"] && undo.after == ["orders/0": "5", "orders/1": "12"])
        // Only resets can be undone.
        let createId = try entries(f)[0].id
        await #expect(throws: WharfError.self) { _ = try await f.engine.undoReset(auditEntry: createId) }
        await #expect(throws: WharfError.self) { _ = try await f.engine.undoReset(auditEntry: "no-such-id") }
    }

    @Test func aTornLastLineIsSkippedAndTheNextEntryStartsOnALineOfItsOwn() throws {
        let f = try EngineFixture()
        try f.engine.createTopic("a", .init(partitions: 1))
        let handle = try #require(FileHandle(forWritingAtPath: f.path + "/audit.log"))
        handle.seekToEndOfFile()
        handle.write(Data(#"{"id":"torn","time":"2027-01-15T08:"#.utf8))   // a crash mid-write
        try handle.close()
        #expect(try f.engine.audit.read().skippedLines == 1)
        try f.reopen()
        try f.engine.createTopic("b", .init(partitions: 1))
        let (log, skipped) = try f.engine.audit.read()
        #expect(log.map(\.target) == ["topic:a", "topic:b"])
        #expect(skipped == 1)
    }

    @Test func queueChangesAreRecorded() throws {
        let f = try EngineFixture()
        let queues = try f.engine.openQueues()
        defer { try? queues.close() }
        try queues.createQueue("jobs", actor: Self.wire)
        _ = try queues.send("jobs", OutgoingMessage(body: Array("x".utf8)))
        _ = try queues.purge("jobs", dryRun: true)      // a dry run changes nothing: not recorded
        _ = try queues.purge("jobs")
        _ = try queues.undoPurge("jobs")
        var options = try queues.options("jobs")
        options.maxDeliveryCount = 3
        try queues.updateQueue("jobs", options)
        try queues.deleteQueue("jobs")
        let log = try queues.audit.read().entries
        #expect(log.map(\.action) == [AuditAction.queueCreate, AuditAction.queuePurge, AuditAction.queuePurgeUndo,
                                      AuditAction.queueUpdate, AuditAction.queueDelete])
        #expect(log[0].actor == Self.wire)
        #expect(log[1].after?["purged"] == "1" && log[2].after?["restored"] == "1")
        #expect(log[3].before?["max-delivery-count"] == "10" && log[3].after?["max-delivery-count"] == "3")
        #expect(log.allSatisfy { $0.target == "queue:jobs" })
    }

    @Test func anAdminToolsCommitIsRecordedAndAMembersIsNot() async throws {
        let f = try EngineFixture()
        try f.engine.createTopic("orders", .init(partitions: 1))
        try f.engine.produce(topic: "orders", records: (0..<10).map { Record(key: nil, value: "o\($0)", timestamp: 0) })
        let tp = TopicPartition("orders", 0)
        try await f.engine.commitFromClient(groupId: "g", generationId: -1, memberId: "", offsets: [tp: (4, "")], actor: Self.wire)
        try await f.engine.commitFromClient(groupId: "g", generationId: -1, memberId: "", offsets: [tp: (4, "")], actor: Self.wire)  // no change
        let consumer = EmbeddedConsumer(engine: f.engine, group: "g", topics: ["orders"])
        _ = try await consumer.poll(maxRecords: 2)
        try await consumer.commit()     // a member's commit: consumer traffic
        await consumer.close()
        let log = try entries(f).filter { $0.target == "group:g" }
        #expect(log.map(\.action) == [AuditAction.groupAdminCommit])
        #expect(log.first?.before == ["orders/0": AuditEntry.noOffset] && log.first?.after == ["orders/0": "4"])
    }
}
