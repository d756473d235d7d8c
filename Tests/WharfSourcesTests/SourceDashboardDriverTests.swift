import Foundation
import Logging
import Testing
import WharfAdmin
import WharfCore
import WharfDashboard
import WharfEngine
import WharfSources

/// The one dashboard driver's effects, over a real engine (`EngineSource`) in a temporary data
/// directory: what each effect changes, what the status line says, the undo, and the refusals
/// of a read-only source.
@Suite struct SourceDashboardDriverTests {
    final class Fixture {
        let dir = NSTemporaryDirectory() + "wharf-driver-\(UUID().uuidString)"
        let clock = ManualClock()
        let engine: Engine

        /// "orders": 10 records in one partition; group "billing" committed at 8.
        init() async throws {
            engine = try Engine.open(config: EngineConfig(dataDirectory: dir, fsync: .never), clock: clock, logger: Logger(label: "test"))
            try engine.createTopic("orders", .init(partitions: 1))
            _ = try engine.produce(topic: "orders", records: (0..<10).map { Record(key: nil, value: "order \($0)") }, partition: 0)
            try await engine.coordinator.commit(groupId: "billing", generationId: -1, memberId: "", offsets: [TopicPartition("orders", 0): (8, "")])
        }

        func driver(readOnly: Bool = false) -> SourceDashboardDriver<EngineSource> {
            SourceDashboardDriver(source: EngineSource(engine: engine), label: "test", readOnly: readOnly)
        }

        func committed() async throws -> Int64? {
            try await engine.groupLag("billing").partitions.first { $0.partition == 0 }?.committedOffset
        }

        deinit {
            try? engine.close()
            try? FileManager.default.removeItem(atPath: dir)
        }
    }

    @Test func aResetIsPreviewedExecutedAndUndoneOnce() async throws {
        let f = try await Fixture()
        let driver = f.driver()
        let preview = await driver.perform(.previewReset(group: "billing", topic: "orders", partitions: [], spec: .earliest))
        let row = WharfDashboard.ResetPlanRow(topic: "orders", partition: 0, current: 8, new: 0, recordsToReread: 8)
        #expect(preview == .resetPreviewed(group: "billing", rows: [row]))
        // The preview changed nothing.
        #expect(try await f.committed() == 8)

        #expect(await driver.perform(.executeReset(group: "billing", plan: [row]))
                    == .operationSucceeded("reset billing on 1 partition(s): 8 records to re-read"))
        #expect(try await f.committed() == 0)

        #expect(await driver.perform(.undoLastReset) == .operationSucceeded("undid the last reset of billing (1 partition(s) restored)"))
        #expect(try await f.committed() == 8)
        #expect(await driver.perform(.undoLastReset) == .operationFailed(DriverMessages.noResetToUndo))
    }

    @Test func purgeRecordsTopicsAndTheRecordsBrowser() async throws {
        let f = try await Fixture()
        let driver = f.driver()
        #expect(await driver.perform(.purge(topic: "orders", partition: 0, beforeOffset: 4))
                    == .operationSucceeded("purged 4 records from orders/0; log start is now 4"))
        #expect(try f.engine.offsets(topic: "orders", partition: 0).logStart == 4)

        // An offset below the log start is clamped to it.
        guard case .recordsLoaded(let rows)? = await driver.perform(.loadRecords(topic: "orders", partition: 0, from: .offset(0), max: 2)) else {
            Issue.record("no records")
            return
        }
        #expect(rows.map(\.offset) == [4, 5])
        #expect(rows.first?.value == Array("order 4".utf8))

        #expect(await driver.perform(.createTopic(name: "audit", partitions: 3)) == .operationSucceeded("created topic audit with 3 partitions"))
        #expect(try f.engine.describeTopic("audit").partitions.count == 3)
        #expect(await driver.perform(.deleteTopic(name: "audit")) == .operationSucceeded("deleted topic audit"))
        #expect(!f.engine.listTopics().contains("audit"))
    }

    @Test func aReadOnlySourceRefusesEveryChangeAndStillBrowses() async throws {
        let f = try await Fixture()
        let driver = f.driver(readOnly: true)
        let row = WharfDashboard.ResetPlanRow(topic: "orders", partition: 0, current: 8, new: 0, recordsToReread: 8)
        #expect(await driver.perform(.executeReset(group: "billing", plan: [row])) == .operationFailed(DriverMessages.resetsDisabled))
        #expect(await driver.perform(.undoLastReset) == .operationFailed(DriverMessages.resetsDisabled))
        #expect(await driver.perform(.purge(topic: "orders", partition: 0, beforeOffset: 4)) == .operationFailed(DriverMessages.purgeDisabled))
        #expect(await driver.perform(.createTopic(name: "audit", partitions: 1)) == .operationFailed(DriverMessages.topicCreationDisabled))
        #expect(await driver.perform(.deleteTopic(name: "orders")) == .operationFailed(DriverMessages.topicDeletionDisabled))
        #expect(try await f.committed() == 8)
        #expect(try f.engine.offsets(topic: "orders", partition: 0).logStart == 0)
        #expect(f.engine.listTopics() == ["orders"])
        guard case .recordsLoaded(let rows)? = await driver.perform(.loadRecords(topic: "orders", partition: 0, from: .offset(8), max: 5)) else {
            Issue.record("no records")
            return
        }
        #expect(rows.map(\.offset) == [8, 9])
    }

    @Test func aDeadLetterTopicIsShownBrowsedRequeuedAndPurged() async throws {
        let f = try await Fixture()
        try f.engine.createTopic("orders.DLT", .init(partitions: 1))
        let dead = (0..<3).map { i in
            Record(key: nil, value: "dead \(i)", headers: [RecordHeader("__connect.errors.topic", "orders"),
                                                           RecordHeader("__connect.errors.exception.message", i == 2 ? "timeout" : "bad amount")])
        }
        _ = try f.engine.produce(topic: "orders.DLT", records: dead, partition: 0)
        let driver = f.driver()

        let snapshot = await driver.snapshot()
        let entry = try #require(snapshot.deadLetters?.first { $0.entity == "orders.DLT" })
        #expect(entry.count == 3)
        #expect(entry.topReasons.first == DeadLetterReasonCount("bad amount", 2))
        #expect(snapshot.groups.map(\.name) == ["billing"])
        #expect(snapshot.groups.first?.partitions.first?.lag == 2)
        #expect(snapshot.topics.map(\.name).contains("orders"))

        guard case .deadLettersLoaded(let entity, let rows)? = await driver.perform(.loadDeadLetters(entity: "orders.DLT", max: 2)) else {
            Issue.record("no dead letters")
            return
        }
        #expect(entity == "orders.DLT" && rows.map(\.sequenceNumber) == [0, 1])
        #expect(rows.first?.reason == "bad amount")

        let request = RequeueRequest(entity: "orders.DLT", selection: .reason("bad amount"))
        guard case .requeuePreviewed(let preview)? = await driver.perform(.previewRequeue(request)) else {
            Issue.record("no preview")
            return
        }
        #expect(preview.sequenceNumbers == [0, 1] && preview.target == "orders")
        #expect(try f.engine.offsets(topic: "orders", partition: 0).logEnd == 10)

        #expect(await driver.perform(.requeue(request))
                    == .queueEntityChanged(entity: "orders.DLT", message: "requeued 2 record(s) from orders.DLT (2 to orders)"))
        #expect(try f.engine.offsets(topic: "orders", partition: 0).logEnd == 12)
        // The bookmark is no group of the dashboard's.
        #expect(await driver.snapshot().groups.map(\.name) == ["billing"])

        #expect(await driver.perform(.purgeQueue(entity: "orders.DLT"))
                    == .queueEntityChanged(entity: "orders.DLT", message: "purged 3 record(s) from dead-letter topic orders.DLT (deleted for good)"))
        #expect(await driver.perform(.undoQueuePurge(entity: "orders.DLT"))
                    == .operationFailed("orders.DLT is a topic: its purge deleted records, which cannot be restored"))
    }
}
