import Foundation
import KafkaProtocol
import Testing
import WharfCore
import WharfEngine
import WharfTestSupport
@testable import WharfKafkaServer

/// Long-poll fetches wait on the partitions' append notifiers instead of polling.
/// The tests time a fetch against its max wait, so the test and the fetch's task run on threads
/// of their own (`.ownThread`, `Task(executorPreference:)`): on the cooperative pool, which the
/// parallel suite keeps hundreds of jobs deep at its start, a woken fetch was seen resuming
/// 17 s after its append, and a 600 ms wait returning after 122 s.
@Suite(.ownThread) struct FetchWakeOnAppendTests {
    static func fetch(_ partitions: [Int32], maxWaitMs: Int32, topic: String = "t") -> KafkaRequestBody {
        .fetch(FetchRequest(maxWaitMs: maxWaitMs, minBytes: 1, maxBytes: 1 << 20, topics: [
            .init(topic: topic, partitions: partitions.map { .init(partition: $0, fetchOffset: 0, partitionMaxBytes: 1 << 20) })]))
    }

    /// Polls a condition (no fixed sleep); fails after 60 s (generous: the suite runs in parallel on loaded CI).
    static func eventually(_ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while !condition() {
            guard ContinuousClock.now < deadline else { throw WharfError.io("condition not met within 60 s") }
            try await Task.sleep(for: .milliseconds(2))
        }
    }

    @Test func aWaitingFetchReturnsPromptlyWhenAnyOfItsPartitionsIsAppendedTo() async throws {
        let f = try KafkaBrokerTests.Fixture()
        let engine = f.engine
        try engine.createTopic("t", .init(partitions: 3))
        let notifier = try engine.appendNotifier(topic: "t", partition: 2)
        let waiting = Task(executorPreference: QueueTaskExecutor()) { try await f.response(Self.fetch([0, 1, 2], maxWaitMs: 30_000), version: 11) }
        // The fetch is parked on the notifiers (not spinning), then an append on partition 2 wakes it.
        try await Self.eventually { notifier.waitingCount == 1 }
        let appended = ContinuousClock.now
        try engine.produce(topic: "t", records: [Record(key: nil, value: "wake")], partition: 2)
        guard case .fetch(let response) = try await waiting.value else { Issue.record("not a fetch response"); return }
        let latency = ContinuousClock.now - appended
        // Far below the 30 s max wait, so the append woke it (the bound is loose because the
        // whole test suite runs in parallel on two cores and may starve this task for seconds).
        #expect(latency < .seconds(15), "woke \(latency) after the append")
        let p2 = response.responses[0].partitions.first { $0.partitionIndex == 2 }
        let records = try RecordBatchReader.records(in: p2?.records ?? [])
        #expect(records.map { String(decoding: $0.value ?? [], as: UTF8.self) } == ["wake"])
        // Woken and answered: it left every partition's waiter list.
        for p: Int32 in 0..<3 { #expect(try engine.appendNotifier(topic: "t", partition: p).waitingCount == 0) }
    }

    @Test func appendsElsewhereDoNotAnswerAFetchEarly() async throws {
        let f = try KafkaBrokerTests.Fixture()
        try f.engine.createTopic("t", .init(partitions: 2))
        try f.engine.createTopic("other", .init(partitions: 1))
        let engine = f.engine
        let notifier = try engine.appendNotifier(topic: "t", partition: 0)
        let start = ContinuousClock.now
        let waiting = Task(executorPreference: QueueTaskExecutor()) { try await f.response(Self.fetch([0], maxWaitMs: 600), version: 11) }
        try await Self.eventually { notifier.waitingCount == 1 }
        try engine.produce(topic: "t", records: [Record(key: nil, value: "p1")], partition: 1)
        try engine.produce(topic: "other", records: [Record(key: nil, value: "o")])
        guard case .fetch(let response) = try await waiting.value else { Issue.record("not a fetch response"); return }
        let elapsed = ContinuousClock.now - start
        #expect(elapsed >= .milliseconds(600), "answered after \(elapsed), before its max wait")
        #expect(elapsed < .seconds(60))
        #expect(response.responses[0].partitions[0].records?.isEmpty ?? true)
        #expect(notifier.waitingCount == 0)
    }

    @Test func aZeroMaxWaitAnswersAtOnce() async throws {
        let f = try KafkaBrokerTests.Fixture()
        try f.engine.createTopic("t", .init(partitions: 1))
        let start = ContinuousClock.now
        _ = try await f.response(Self.fetch([0], maxWaitMs: 0), version: 11)
        #expect(ContinuousClock.now - start < .seconds(15))
    }
}
