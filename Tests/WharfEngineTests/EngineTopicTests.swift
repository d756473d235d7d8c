import Foundation
import Testing
import WharfCore
@testable import WharfEngine

@Suite struct EngineTopicTests {
    @Test func createListDescribeDeleteAndPersist() throws {
        let f = try EngineFixture()
        try f.engine.createTopic("a", .init(partitions: 2, retentionMs: 60_000))
        try f.engine.createTopic("b")
        #expect(f.engine.listTopics() == ["a", "b"])
        #expect(f.engine.listTopics(includeInternal: true) == ["__consumer_offsets", "a", "b"])
        #expect(throws: WharfError.topicExists("a")) { try f.engine.createTopic("a") }
        #expect(throws: WharfError.self) { try f.engine.createTopic("__mine") }
        try f.reopen()
        let a = try f.engine.describeTopic("a")
        #expect(a.partitions.count == 2 && a.retentionMs == 60_000)
        #expect(try f.engine.describeTopic("b").partitions.count == 3)
        try f.engine.deleteTopic("a")
        #expect(throws: WharfError.unknownTopic("a")) { try f.engine.describeTopic("a") }
        try f.reopen()
        #expect(f.engine.listTopics() == ["b"])
        #expect(throws: WharfError.self) { try f.engine.deleteTopic("__consumer_offsets") }
    }

    @Test func keyedRecordsLandWhereKafkaPutsThemAndUnkeyedSpreadEvenly() throws {
        let f = try EngineFixture()
        try f.engine.createTopic("k", .init(partitions: 4))
        let keys = (0..<40).map { "customer-\($0)" }
        for key in keys { try f.engine.produce(topic: "k", records: [Record(key: key, value: "v")]) }
        for p in Int32(0)..<4 {
            let records = try f.engine.readRecords(topic: "k", partition: p, from: 0, maxRecords: 100)
            for r in records {
                #expect(Murmur2.partition(forKey: r.key!, partitions: 4) == p)
            }
        }
        try f.engine.createTopic("u", .init(partitions: 4))
        try f.engine.produce(topic: "u", records: (0..<400).map { Record(key: nil, value: "x\($0)") })
        for p in Int32(0)..<4 { #expect(try f.engine.offsets(topic: "u", partition: p).logEnd == 100) }
    }

    @Test func fetchListOffsetsAndPurge() throws {
        let f = try EngineFixture()
        try f.engine.createTopic("t", .init(partitions: 1))
        for i in 0..<10 {
            try f.engine.produce(topic: "t", records: [Record(key: nil, value: "r\(i)", timestamp: 1000 + Int64(i) * 10)])
        }
        #expect(try f.engine.listOffset(topic: "t", partition: 0, .earliest) == 0)
        #expect(try f.engine.listOffset(topic: "t", partition: 0, .latest) == 10)
        #expect(try f.engine.listOffset(topic: "t", partition: 0, .timestamp(1035)) == 4)
        #expect(try f.engine.listOffset(topic: "t", partition: 0, .timestamp(99_999)) == 10)
        #expect(values(try f.engine.readRecords(topic: "t", partition: 0, from: 7, maxRecords: 10)) == ["r7", "r8", "r9"])
        #expect(try f.engine.deleteRecords(topic: "t", partition: 0, before: 6) == 6)
        #expect(values(try f.engine.readRecords(topic: "t", partition: 0, from: 6, maxRecords: 10)) == ["r6", "r7", "r8", "r9"])
        #expect(throws: WharfError.self) { try f.engine.fetch(topic: "t", partition: 0, offset: 2) }
        try f.reopen()
        #expect(try f.engine.offsets(topic: "t", partition: 0) == (6, 10))
        #expect(throws: WharfError.unknownPartition(topic: "t", partition: 5)) { try f.engine.fetch(topic: "t", partition: 5, offset: 0) }
    }

    @Test func retentionRunsOnTheInjectedClock() async throws {
        let f = try EngineFixture()
        try f.engine.createTopic("r", .init(partitions: 1, retentionMs: 60_000, segmentBytes: 1024))
        for i in 0..<50 {
            try f.engine.produce(topic: "r", records: [Record(key: nil, value: String(repeating: "x", count: 100) + "\(i)", timestamp: f.clock.nowMillis())])
        }
        let before = try f.engine.describeTopic("r").partitions[0]
        #expect(before.segments > 3)
        await f.engine.runMaintenance()
        #expect(try f.engine.offsets(topic: "r", partition: 0).logStart == 0)
        f.clock.advance(byMillis: 61_000)
        await f.engine.runMaintenance()
        let after = try f.engine.describeTopic("r").partitions[0]
        #expect(after.logStartOffset > 0)
        #expect(after.segments == 1)  // only the active segment is kept
        #expect(after.logEndOffset == 50)
    }
}
