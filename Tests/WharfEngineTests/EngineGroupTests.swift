import Foundation
import Testing
import WharfCore
@testable import WharfEngine

@Suite struct EngineGroupTests {
    func seed(_ f: EngineFixture, partitions: Int32 = 2, records: Int = 20) throws {
        try f.engine.createTopic("orders", .init(partitions: partitions))
        try f.engine.produce(topic: "orders", records: (0..<records).map { Record(key: nil, value: "o\($0)", timestamp: f.clock.nowMillis()) })
    }

    @Test func lagIsHighWatermarkMinusCommittedAndTimeLagComesFromTheFirstUnconsumedRecord() async throws {
        let f = try EngineFixture()
        try seed(f)
        let consumer = EmbeddedConsumer(engine: f.engine, group: "g", topics: ["orders"])
        let got = try await consumer.poll(maxRecords: 5)
        #expect(got.count == 5)
        try await consumer.commit()
        f.clock.advance(byMillis: 7_000)
        let lag = try await f.engine.groupLag("g")
        #expect(lag.totalLag == 15)
        #expect(lag.state == "Stable")
        #expect(lag.members == 1)
        #expect(lag.partitions.allSatisfy { $0.owner != nil })
        #expect(lag.partitions.contains { $0.lag > 0 && $0.timeLagMs == 7_000 })
        await consumer.close()
    }

    @Test func noCommitMeansLagFromLogStartAndItSaysSo() async throws {
        let f = try EngineFixture()
        try seed(f, partitions: 2, records: 10)
        let plan = try await f.engine.planReset(group: "fresh", topic: "orders", partitions: [0], to: .offset(3))
        _ = try await f.engine.executeReset(group: "fresh", plan: plan)
        let lag = try await f.engine.groupLag("fresh")
        let p0 = lag.partitions.first { $0.partition == 0 }!
        let p1 = lag.partitions.first { $0.partition == 1 }!
        #expect(p0.hasCommit && p0.lag == 2)       // 5 records, committed at 3
        #expect(!p1.hasCommit && p1.lag == 5)      // no commit: counted from the log start
    }

    @Test func resetPlansEveryModeAndIsADryRunUntilExecuted() async throws {
        let f = try EngineFixture()
        try f.engine.createTopic("t", .init(partitions: 1))
        for i in 0..<10 {
            try f.engine.produce(topic: "t", records: [Record(key: nil, value: "r\(i)", timestamp: 1_000_000 + Int64(i) * 1000)])
        }
        let seedPlan = try await f.engine.planReset(group: "g", topic: "t", to: .offset(8))
        _ = try await f.engine.executeReset(group: "g", plan: seedPlan)
        func plan(_ s: OffsetResetSpec) async throws -> ResetPlanRow { try await f.engine.planReset(group: "g", topic: "t", to: s)[0] }
        #expect(try await plan(.earliest) == ResetPlanRow(topic: "t", partition: 0, currentOffset: 8, newOffset: 0, recordsToReread: 8))
        #expect(try await plan(.latest).newOffset == 10)
        #expect(try await plan(.offset(99)).newOffset == 10)  // clamped into the valid range
        #expect(try await plan(.shiftBy(-3)).newOffset == 5)
        #expect(try await plan(.shiftBy(-30)).newOffset == 0)
        #expect(try await plan(.datetime(1_004_500)).newOffset == 5)
        f.clock.set(1_009_500)
        #expect(try await plan(.byDuration(3000)).newOffset == 7)
        // Nothing above changed the commit.
        #expect(await f.engine.coordinator.fetchOffsets(groupId: "g", partitions: nil)[TopicPartition("t", 0)]?.offset == 8)
    }

    @Test func resetOfALiveGroupFencesTheOldGenerationAndMembersResumeFromTheNewOffsets() async throws {
        let f = try EngineFixture()
        try seed(f, partitions: 2, records: 20)
        let consumer = EmbeddedConsumer(engine: f.engine, group: "live", topics: ["orders"])
        var seen = try await consumer.poll(maxRecords: 100)
        #expect(seen.count == 20)
        try await consumer.commit()
        #expect(try await f.engine.groupLag("live").totalLag == 0)

        let plan = try await f.engine.planReset(group: "live", topic: "orders", to: .earliest)
        #expect(plan.map(\.recordsToReread).reduce(0, +) == 20)
        let result = try await f.engine.executeReset(group: "live", plan: plan)
        #expect(result.fencedLiveMembers)
        #expect(try await f.engine.groupLag("live").totalLag == 20)

        // A commit from the fenced generation cannot overwrite the reset...
        await #expect(throws: WharfError.self) { try await consumer.commit([TopicPartition("orders", 0): 10]) }
        #expect(try await f.engine.groupLag("live").totalLag == 20)
        // ...and the member rejoins and reads everything again from the new offsets.
        seen = try await consumer.poll(maxRecords: 100)
        #expect(seen.count == 20)
        await consumer.close()
    }

    @Test func committedOffsetsSurviveRestartAndLiveInConsumerOffsets() async throws {
        let f = try EngineFixture()
        try seed(f)
        let consumer = EmbeddedConsumer(engine: f.engine, group: "durable", topics: ["orders"])
        _ = try await consumer.poll(maxRecords: 7)
        try await consumer.commit()
        await consumer.close()
        let before = try await f.engine.groupLag("durable")
        try f.reopen()
        let after = try await f.engine.groupLag("durable")
        #expect(after.partitions.map(\.committedOffset) == before.partitions.map(\.committedOffset))
        #expect(after.totalLag == 13)
        // The commits are records of __consumer_offsets in Kafka's key v1 / value v3 layout.
        let raw = try f.engine.readRecords(topic: "__consumer_offsets", partition: 0, from: 0, maxRecords: 1000)
        let commits = raw.compactMap { r -> (String, Int32, Int64)? in
            guard let key = r.key, let value = r.value,
                  case .offsetCommit(let group, let tp, let c)? = try? ConsumerOffsetsRecord.decode(key: key, value: value) else { return nil }
            return group == "durable" ? (tp.topic, tp.partition, c.offset) : nil
        }
        #expect(!commits.isEmpty)
        #expect(raw.contains { $0.key?.prefix(2) == [0, 1] && $0.value?.prefix(2) == [0, 3] })
    }

    @Test func groupDeletionNeedsAnEmptyGroup() async throws {
        let f = try EngineFixture()
        try seed(f)
        let consumer = EmbeddedConsumer(engine: f.engine, group: "del", topics: ["orders"])
        _ = try await consumer.poll()
        try await consumer.commit()
        await #expect(throws: WharfError.groupNotEmpty("del")) { try await f.engine.deleteGroup("del") }
        await consumer.close()
        try await f.engine.deleteGroup("del")
        await #expect(throws: WharfError.unknownGroup("del")) { try await f.engine.groupLag("del") }
        try f.reopen()
        await #expect(throws: WharfError.unknownGroup("del")) { try await f.engine.groupLag("del") }
    }

    @Test func maintenanceCompactsConsumerOffsetsKeepingTheLatestCommits() async throws {
        let f = try EngineFixture(offsetsSegmentBytes: 2048)
        try seed(f, partitions: 2, records: 10)
        for round in 0..<200 {
            let plan = [ResetPlanRow(topic: "orders", partition: Int32(round % 2), currentOffset: nil, newOffset: Int64(round % 5), recordsToReread: 0)]
            _ = try await f.engine.executeReset(group: "busy", plan: plan)
        }
        let before = try f.engine.readRecords(topic: "__consumer_offsets", partition: 0, from: 0, maxRecords: 10_000).count
        f.clock.advance(byMillis: 61_000)
        await f.engine.runMaintenance()
        let start = try f.engine.listOffset(topic: "__consumer_offsets", partition: 0, .earliest)
        let after = try f.engine.readRecords(topic: "__consumer_offsets", partition: 0, from: start, maxRecords: 10_000).count
        #expect(before >= 200)
        #expect(after < before / 4, "compaction kept \(after) of \(before) records")
        try f.reopen()
        let committed = await f.engine.coordinator.fetchOffsets(groupId: "busy", partitions: nil)
        #expect(committed[TopicPartition("orders", 0)]?.offset == Int64(198 % 5))
        #expect(committed[TopicPartition("orders", 1)]?.offset == Int64(199 % 5))
    }
}
