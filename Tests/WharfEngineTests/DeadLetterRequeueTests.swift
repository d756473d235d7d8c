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
        #expect(requeued.first?.headers == [RecordHeader("trace", "t-a")])

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

    @Test func progressMetadataRoundTrips() {
        var p = RequeueProgress(prefix: 3, done: [5, 6, 7, 9, 12])
        #expect(p.metadata == "5-7,9,12")
        #expect(RequeueProgress(prefix: 3, metadata: p.metadata) == p)
        p.done.insert(3)
        p.done.insert(4)
        p.compact()
        #expect(p.prefix == 8 && p.metadata == "9,12")
    }

    /// The crash lands between the appends and the progress commit, the one point where the
    /// two disagree: nothing is lost (the dead-letter records stay, the progress still says
    /// "not requeued"), and the next run requeues the same records again: at-least-once, a
    /// duplicate on the original topic, never a gap.
    @Test func aCrashBetweenAppendAndCommitRequeuesAgainAndLosesNothing() async throws {
        let f = try Fixture()
        try f.deadLetter("a", reason: "price missing")
        try f.deadLetter("b", reason: "price missing")
        await #expect(throws: WharfError.self) {
            try await f.engine.requeueDeadLetters(topic: "orders.DLT", selection: .all, to: nil, dryRun: false,
                                                  beforeCommit: { _ throws(WharfError) in throw .io("injected crash") })
        }
        #expect(try f.values("orders").sorted() == ["a", "b"], "appended before the crash")
        #expect(try f.values("orders.DLT") == ["a", "b"], "the dead-letter records stay")
        let again = try await f.engine.requeueDeadLetters(topic: "orders.DLT", selection: .all)
        #expect(again.moves.map(\.offset) == [0, 1], "not marked done, so requeued again")
        #expect(try f.values("orders").sorted() == ["a", "a", "b", "b"])
        let third = try await f.engine.requeueDeadLetters(topic: "orders.DLT", selection: .all)
        #expect(third.moves.isEmpty, "committed now: a third run finds nothing")
    }
}
