import Foundation
import Logging
import Testing
import WharfCore
@testable import WharfEngine

/// `EngineConfig.groupInitialRebalanceDelayMs` (Kafka's group.initial.rebalance.delay.ms) reaches
/// the engine's coordinator: consumers that start together share the partitions from their
/// first assignment instead of the first one taking everything and then rebalancing.
@Suite struct EngineInitialRebalanceDelayTests {
    @Test func threeConsumersStartedTogetherEachGetOnePartitionInGenerationOne() async throws {
        let path = NSTemporaryDirectory() + "wharf-delay-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let clock = ManualClock(1_800_000_000_000)
        var config = EngineConfig(dataDirectory: path, fsync: .never)
        config.groupInitialRebalanceDelayMs = 3_000
        let engine = try Engine.open(config: config, clock: clock, logger: Logger(label: "test"))
        defer { try? engine.close() }
        try engine.createTopic("t", .init(partitions: 3))
        let consumers = ["a", "b", "c"].map { EmbeddedConsumer(engine: engine, group: "g", topics: ["t"], clientId: $0) }
        let polls = consumers.map { c in Task { try await c.poll() } }
        #expect(await eventually { await engine.coordinator.waitingJoins("g") == 3 })
        clock.advance(byMillis: 2_999)
        await engine.runMaintenance()
        #expect(await engine.coordinator.waitingJoins("g") == 3)  // still gathering members
        // Members joined during the first delay, so it is extended once (Kafka's InitialDelayedJoin).
        clock.advance(byMillis: 1)
        await engine.runMaintenance()
        #expect(await engine.coordinator.waitingJoins("g") == 3)
        clock.advance(byMillis: 3_000)
        await engine.runMaintenance()
        for p in polls { _ = try await p.value }
        var assignments: [[TopicPartition]] = []
        for c in consumers { assignments.append(await c.assignment) }
        for c in consumers { await c.close() }
        #expect(await engine.coordinator.generation("g") ?? 0 >= 1)
        #expect(assignments.map(\.count) == [1, 1, 1], "\(assignments)")
        #expect(Set(assignments.flatMap { $0 }) == Set((0..<3).map { TopicPartition("t", Int32($0)) }))
    }

    @Test func theDelayIsOffByDefaultForAnEmbeddedEngine() async throws {
        let f = try EngineFixture()
        try f.engine.createTopic("t", .init(partitions: 2))
        let consumer = EmbeddedConsumer(engine: f.engine, group: "solo", topics: ["t"])
        _ = try await consumer.poll()  // answers without any clock movement
        #expect(await consumer.assignment.count == 2)
        await consumer.close()
    }
}
