import Foundation
import Logging
import Testing
import WharfCore
@testable import WharfEngine

/// Requeue from a dead-letter topic to the original topics, recorded so a re-run skips what
/// was already requeued.
@Suite struct DeadLetterRequeueTests {
    final class Fixture {
        let dir = NSTemporaryDirectory() + "wharf-requeue-\(UUID().uuidString)"
        let engine: Engine
        init() throws {
            engine = try Engine.open(config: EngineConfig(dataDirectory: dir, fsync: .never), logger: Logger(label: "t"))
            try engine.createTopic("orders", .init(partitions: 2))
            try engine.createTopic("orders.DLT", .init(partitions: 1))
            try engine.createTopic("parking", .init(partitions: 1))
        }
        deinit {
            try? engine.close()
            try? FileManager.default.removeItem(atPath: dir)
        }

        func deadLetter(_ value: String, reason: String?, partition: Int32 = 1) throws {
            var headers = [RecordHeader("trace", "t-\(value)")]
            if let reason {
                headers += [RecordHeader("__connect.errors.topic", "orders"), RecordHeader("__connect.errors.partition", "\(partition)"),
                            RecordHeader("__connect.errors.offset", "0"), RecordHeader("__connect.errors.exception.message", reason)]
            }
            try engine.produce(topic: "orders.DLT", records: [Record(key: Array("k-\(value)".utf8), value: Array(value.utf8), headers: headers)])
        }

        func values(_ topic: String) throws -> [String] {
            let d = try engine.describeTopic(topic)
            return try d.partitions.flatMap { p in
                try engine.readRecords(topic: topic, partition: p.partition, from: 0, maxRecords: 100).map { String(decoding: $0.value ?? [], as: UTF8.self) }
            }
        }
    }

    @Test func requeueByReasonThenAllSkipsWhatWasAlreadyRequeued() async throws {
        let f = try Fixture()
        try f.deadLetter("a", reason: "price missing")
        try f.deadLetter("b", reason: "bad currency")
        try f.deadLetter("c", reason: "price missing")
        try f.deadLetter("orphan", reason: nil)

        let dry = try await f.engine.requeueDeadLetters(topic: "orders.DLT", selection: .reason("price missing"), dryRun: true)
        #expect(dry.moves.map(\.offset) == [0, 2] && dry.byTarget == ["orders": 2])
        #expect(try f.values("orders").isEmpty, "a dry run changes nothing")

        let first = try await f.engine.requeueDeadLetters(topic: "orders.DLT", selection: .reason("price missing"))
        #expect(first.moves.map(\.offset) == [0, 2])
        // Back on the original partition, with key, value and business headers only.
        let requeued = try f.engine.readRecords(topic: "orders", partition: 1, from: 0, maxRecords: 10)
        #expect(requeued.map { String(decoding: $0.value ?? [], as: UTF8.self) } == ["a", "c"])
        #expect(requeued.first?.key == Array("k-a".utf8))
        #expect(requeued.first?.headers == [RecordHeader("trace", "t-a"), RecordHeader(RequeueProvenance.header, "orders.DLT/0/0")])

        // Re-running does not requeue twice; --all picks up only b (the orphan has no target).
        let again = try await f.engine.requeueDeadLetters(topic: "orders.DLT", selection: .reason("price missing"))
        #expect(again.moves.isEmpty)
        let all = try await f.engine.requeueDeadLetters(topic: "orders.DLT", selection: .all)
        #expect(all.moves.map(\.offset) == [1] && all.withoutTarget == [3])
        #expect(try f.values("orders").sorted() == ["a", "b", "c"])

        // The orphan goes where the operator says; then everything is done.
        let parked = try await f.engine.requeueDeadLetters(topic: "orders.DLT", selection: .contains("orph"), to: "parking")
        #expect(parked.moves.map(\.target) == ["parking"])
        #expect(try f.values("parking") == ["orphan"])
        let progress = await f.engine.coordinator.fetchOffsets(groupId: Engine.requeueGroup(for: "orders.DLT"), partitions: nil)
        #expect(progress[TopicPartition("orders.DLT", 0)]?.offset == 4)
        #expect(try await f.engine.requeueDeadLetters(topic: "orders.DLT", selection: .all, to: "parking").moves.isEmpty)
    }

    /// Parses a bookmark of a partition holding offsets 0..<100.
    static func parse(_ prefix: Int64, _ metadata: String, retained: Range<Int64> = 0..<100) throws -> RequeueProgress {
        try RequeueProgress(prefix: prefix, metadata: metadata, retained: retained, partition: TopicPartition("orders.DLT", 0))
    }

    @Test func progressMetadataRoundTrips() throws {
        var p = RequeueProgress(prefix: 3, done: [5, 6, 7, 9, 12])
        #expect(p.metadata == "5-7,9,12")
        #expect(try Self.parse(3, p.metadata) == p)
        p.done.insert(3)
        p.done.insert(4)
        p.compact()
        #expect(p.prefix == 8 && p.metadata == "9,12")
    }

    /// A requeue stopped at any point of a chunk (intents committed, some or all targets
    /// appended, progress not yet committed) loses nothing and duplicates nothing: the next run
    /// finds the intents, scans those target ranges for its provenance headers, counts what it
    /// finds as done, and requeues only the rest.
    @Test(arguments: ["afterIntent", "afterFirstAppend", "afterLastAppend"])
    func aCrashAnywhereInAChunkRequeuesEachRecordExactlyOnce(point: String) async throws {
        let f = try Fixture()
        // a and b go back to orders/1, c to orders/0: two target partitions in one chunk.
        try f.deadLetter("a", reason: "price missing")
        try f.deadLetter("b", reason: "price missing")
        try f.deadLetter("c", reason: "bad currency", partition: 0)
        // Another producer writes to the target between the runs: the scan must skip it.
        var appends = 0
        await #expect(throws: WharfError.self) {
            try await f.engine.requeueDeadLetters(topic: "orders.DLT", selection: .all, to: nil, dryRun: false,
                                                  crash: { (p: Engine.CrashPoint) throws(WharfError) in
                switch (point, p) {
                case ("afterIntent", .afterIntent): throw .io("injected crash")
                case (_, .afterAppend):
                    appends += 1
                    if point == "afterFirstAppend" || appends == 2 { throw .io("injected crash") }
                default: break
                }
            })
        }
        try f.engine.produce(topic: "orders", records: [Record(key: nil, value: Array("other".utf8))], partition: 1)
        let expectedFirst: [String] = switch point {
        case "afterIntent": []
        case "afterFirstAppend": ["a", "b"]
        default: ["a", "b", "c"]
        }
        #expect(try f.values("orders").filter { $0 != "other" }.sorted() == expectedFirst, "appended before the crash")
        #expect(try f.values("orders.DLT") == ["a", "b", "c"], "the dead-letter records stay")

        let dry = try await f.engine.requeueDeadLetters(topic: "orders.DLT", selection: .all, dryRun: true)
        let again = try await f.engine.requeueDeadLetters(topic: "orders.DLT", selection: .all)
        #expect(dry.moves == again.moves, "a dry run sees the recovered progress too")
        #expect(again.moves.count == 3 - expectedFirst.count, "\(again.moves)")
        #expect(try f.values("orders").filter { $0 != "other" }.sorted() == ["a", "b", "c"], "each exactly once")
        let third = try await f.engine.requeueDeadLetters(topic: "orders.DLT", selection: .all)
        #expect(third.moves.isEmpty, "committed now: a third run finds nothing")
        let progress = await f.engine.coordinator.fetchOffsets(groupId: Engine.requeueGroup(for: "orders.DLT"), partitions: nil)
        let bookmark = progress[TopicPartition("orders.DLT", 0)]
        #expect(bookmark?.offset == 3 && bookmark?.metadata == "", "all done, no intent left behind: \(String(describing: bookmark))")
    }

    @Test func progressWithIntentsRoundTripsAndOldMetadataStillReads() throws {
        let p = RequeueProgress(prefix: 3, done: [5, 9], intents: [.init(destination: TopicPartition("orders.v2", 1), startOffset: 120, count: 37),
                                                                .init(destination: TopicPartition("a-b_c", 0), startOffset: 0, count: 1)])
        #expect(p.metadata == "5,9|orders.v2/1@120+37;a-b_c/0@0+1")
        #expect(try Self.parse(3, p.metadata) == p)
        #expect(try Self.parse(3, "|x/0@4+2") == RequeueProgress(prefix: 3, intents: [.init(destination: TopicPartition("x", 0), startOffset: 4, count: 2)]))
        #expect(try Self.parse(3, "5-7") == RequeueProgress(prefix: 3, done: [5, 6, 7]))
        // Too long to keep the done set: the intents are kept, the done set dropped (the safe prefix stays).
        let scattered = RequeueProgress(prefix: 0, done: Set(stride(from: 1, to: 4000, by: 2)), intents: p.intents)
        #expect(scattered.committableMetadata == "|orders.v2/1@120+37;a-b_c/0@0+1")
    }

    /// Finding 12: a bookmark is anyone's to commit on a cluster, so parsing it is bounded by the
    /// partition it describes: a range past the log end, a negative offset, an intent count that
    /// would overflow or text that is not a bookmark is one clear error, never a 9e18-step loop
    /// or a trap; offsets already below the prefix or the log start are simply dropped.
    @Test func hostileBookmarksAreOneClearErrorNotAHangOrATrap() throws {
        for metadata in ["0-9223372036854775806", "5-200", "|orders/0@0+9223372036854775807", "|orders/0@-5+1",
                         "|orders/-1@0+1", "x", "1-2-3", "7-3", "|junk"] {
            #expect(throws: WharfError.self, "\(metadata)") { try Self.parse(0, metadata) }
        }
        #expect(throws: WharfError.self) { try Self.parse(-1, "") }
        #expect(throws: WharfError.self, "more done offsets than a bookmark may hold") { try Self.parse(0, "1-2000000", retained: 0..<Int64.max) }
        #expect(try Self.parse(40, "0-50,60", retained: 45..<100) == RequeueProgress(prefix: 40, done: Set(45...50).union([60])))
        let error = #expect(throws: WharfError.self) { try Self.parse(0, "0-9223372036854775806") }
        #expect("\(error!)".contains("__wharf-requeue.orders.DLT"), "names the group to fix: \(error!)")
    }

    /// A client commits a hostile bookmark straight to the coordinator (as a cluster would keep
    /// it): the requeue and its dry run (the dashboard's preview) fail fast with that error.
    @Test func aPlantedBookmarkFailsTheRequeueFast() async throws {
        let f = try Fixture()
        try f.deadLetter("a", reason: "price missing")
        try await f.engine.coordinator.commit(groupId: Engine.requeueGroup(for: "orders.DLT"), generationId: -1, memberId: "",
                                              offsets: [TopicPartition("orders.DLT", 0): (offset: 0, metadata: "0-9223372036854775806")])
        await #expect(throws: WharfError.self) { try await f.engine.requeueDeadLetters(topic: "orders.DLT", selection: .all, dryRun: true) }
        await #expect(throws: WharfError.self) { try await f.engine.requeueDeadLetters(topic: "orders.DLT", selection: .all) }
        #expect(try f.values("orders").isEmpty)
    }
}
