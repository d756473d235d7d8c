import Foundation
import Logging
import Testing
import WharfCore
@testable import WharfEngine

/// A topic declared the dead-letter topic of another (`wharf dlq mark`): recognised without any
/// dead-letter headers, requeued to the declared original, and the declaration survives restarts.
@Suite struct DeclaredDeadLetterTopicTests {
    @Test func declaredTopicIsADeadLetterTopicAndRequeuesToItsOriginal() async throws {
        let dir = NSTemporaryDirectory() + "wharf-declared-dlt-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var engine = try Engine.open(config: EngineConfig(dataDirectory: dir, fsync: .never), logger: Logger(label: "t"))
        try engine.createTopic("orders", .init(partitions: 1))
        try engine.createTopic("orders.dlq", .init(partitions: 1))
        try engine.produce(topic: "orders.dlq", records: [Record(key: Array("k".utf8), value: Array("plain".utf8), headers: [RecordHeader("trace", "t1")])])
        #expect(engine.deadLetterTopics().isEmpty, "no headers, not declared: an ordinary topic")

        #expect(throws: WharfError.self) { try engine.setDeadLetterFor("orders.dlq", original: "nope") }
        #expect(throws: WharfError.self) { try engine.setDeadLetterFor("orders.dlq", original: "orders.dlq") }
        try engine.setDeadLetterFor("orders.dlq", original: "orders")
        try engine.close()

        // Declared, and still so after a restart.
        engine = try Engine.open(config: EngineConfig(dataDirectory: dir, fsync: .never), logger: Logger(label: "t"))
        defer { try? engine.close() }
        let summary = try #require(engine.deadLetterTopics().first)
        #expect(summary.topic == "orders.dlq" && summary.convention == .configured && summary.count == 1)
        #expect(summary.originalTopics == ["orders"])

        let r = try await engine.requeueDeadLetters(topic: "orders.dlq", selection: .all)
        #expect(r.byTarget == ["orders": 1] && r.withoutTarget.isEmpty)
        let back = try engine.readRecords(topic: "orders", partition: 0, from: 0, maxRecords: 10)
        #expect(back.map { String(decoding: $0.value ?? [], as: UTF8.self) } == ["plain"])
        #expect(back.first?.headers == [RecordHeader("trace", "t1"), RecordHeader(RequeueProvenance.header, "orders.dlq/0/0")])

        // Cleared: an ordinary topic again (its records have no dead-letter headers).
        try engine.setDeadLetterFor("orders.dlq", original: nil)
        #expect(engine.deadLetterTopics().isEmpty)
    }

    @Test func verdictsOfALargeClusterAreReadWithinABudgetDeadLetterNamesFirst() {
        let candidates: [(name: String, partitions: Int)] = [("orders", 1_200), ("payments", 600), ("orders.DLT", 3),
                                                             ("clicks", 300), ("emails-dlq", 12), ("huge", 5_000)]
        let first = DeadLetterTopicSummary.verdictBatch(candidates, partitionBudget: 2_000)
        #expect(first.map { candidates[$0].name } == ["orders.DLT", "emails-dlq", "orders", "payments"])
        // What is left fits next time; a topic larger than the budget is read alone.
        let rest = [candidates[3], candidates[5]]
        #expect(DeadLetterTopicSummary.verdictBatch(rest, partitionBudget: 2_000).map { rest[$0].name } == ["clicks"])
        #expect(DeadLetterTopicSummary.verdictBatch([candidates[5]], partitionBudget: 2_000) == [0])
        #expect(DeadLetterTopicSummary.verdictBatch([], partitionBudget: 2_000).isEmpty)
    }
}
