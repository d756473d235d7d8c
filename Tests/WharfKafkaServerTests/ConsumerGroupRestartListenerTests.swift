import Foundation
import KafkaProtocol
import Logging
import Testing
import WharfCore
import WharfEngine
import WharfKafkaClient
@testable import WharfKafkaServer

/// KIP-848 members across a broker restart, through the listener with raw frames: the engine
/// is closed and opened again from the same data directory (a new listener on a new port), and
/// a member that heartbeats with its epoch carries on with its assignment, as against Kafka;
/// one that stays away is removed a session timeout after the restart (the injected clock).
@Suite struct ConsumerGroupRestartListenerTests {
    static func open(_ dir: String, clock: ManualClock) throws -> Engine {
        var config = EngineConfig(dataDirectory: dir, fsync: .never)
        config.consumerGroups = ConsumerGroupSettings(heartbeatIntervalMs: 300, sessionTimeoutMs: 45_000)
        return try Engine.open(config: config, clock: clock, logger: Logger(label: "test"))
    }

    /// Runs `body` against a listener over `engine`, stopping the listener afterwards.
    static func serve(_ engine: Engine, _ body: (RawKafkaSocket) async throws -> Void) async throws {
        let server = KafkaServer(engine: engine, configuration: .forTest(), logger: Logger(label: "test"))
        let port = try await server.start()
        do {
            let client = try await RawKafkaSocket.connect(port: port)
            defer { client.close() }
            try await body(client)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    static func beat(_ member: String, epoch: Int32, owned: [KafkaProtocol.ConsumerGroupHeartbeatRequest.TopicPartitions]?,
                     topics: [String]? = nil) -> KafkaProtocol.ConsumerGroupHeartbeatRequest {
        var r = KafkaProtocol.ConsumerGroupHeartbeatRequest()
        r.groupId = "g"
        r.memberId = member
        r.memberEpoch = epoch
        r.rebalanceTimeoutMs = topics == nil ? -1 : 30_000
        r.subscribedTopicNames = topics
        r.topicPartitions = owned
        return r
    }

    @Test func membersKeepTheirEpochAndAssignmentAcrossARestartAndAbsentOnesExpire() async throws {
        let dir = NSTemporaryDirectory() + "wharf-kip848-restart-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let clock = ManualClock(1_800_000_000_000)
        var engine = try Self.open(dir, clock: clock)
        try engine.createTopic("t", .init(partitions: 4))
        let id = try engine.topicId("t")
        let topicId = KafkaUUID(high: id.high, low: id.low)
        var held: [String: [Int32]] = [:]
        try await Self.serve(engine) { client in
            let a = try await ConsumerGroupProtocolListenerTests.heartbeat(client, Self.beat("a", epoch: 0, owned: [], topics: ["t"]), id: 1)
            #expect(a.memberEpoch == 1)
            let b = try await ConsumerGroupProtocolListenerTests.heartbeat(client, Self.beat("b", epoch: 0, owned: [], topics: ["t"]), id: 2)
            #expect(b.memberEpoch == 2)
            // a gives up half, then both settle at epoch 2.
            let revoke = try await ConsumerGroupProtocolListenerTests.heartbeat(
                client, Self.beat("a", epoch: 1, owned: [.init(topicId: topicId, partitions: [0, 1, 2, 3])]), id: 3)
            let kept = try #require(revoke.assignment?.topicPartitions.first?.partitions)
            let a2 = try await ConsumerGroupProtocolListenerTests.heartbeat(
                client, Self.beat("a", epoch: 1, owned: [.init(topicId: topicId, partitions: kept)]), id: 4)
            #expect(a2.memberEpoch == 2)
            let b2 = try await ConsumerGroupProtocolListenerTests.heartbeat(client, Self.beat("b", epoch: 2, owned: []), id: 5)
            let given = try #require(b2.assignment?.topicPartitions.first?.partitions)
            #expect(Set(kept).isDisjoint(with: given))
            held = ["a": kept, "b": given]
        }
        try engine.close()

        clock.advance(byMillis: 20_000)  // down for 20 s
        engine = try Self.open(dir, clock: clock)
        defer { try? engine.close() }
        try await Self.serve(engine) { client in
            // a heartbeats with its epoch and what it owns: no fencing, no new assignment.
            let a = try await ConsumerGroupProtocolListenerTests.heartbeat(
                client, Self.beat("a", epoch: 2, owned: [.init(topicId: topicId, partitions: held["a"]!)]), id: 6)
            #expect(a.errorCode == 0)
            #expect(a.memberEpoch == 2)
            #expect(a.assignment == nil)
            guard case .consumerGroupDescribe(let described) = try await client.roundTrip(
                .consumerGroupDescribe(ConsumerGroupDescribeRequest(groupIds: ["g"])), version: 0, correlationId: 7) else {
                Issue.record("not a ConsumerGroupDescribe answer")
                return
            }
            let g = try #require(described.groups.first)
            #expect(g.groupEpoch == 2)
            #expect(g.members.map(\.memberId).sorted() == ["a", "b"])
            #expect(g.members.first { $0.memberId == "b" }?.assignment.topicPartitions.first?.partitions.sorted() == held["b"]!.sorted())

            // b never comes back: 45 s after the restart (not after its last heartbeat before
            // it) it is removed, and a gets every partition at a new epoch.
            clock.advance(byMillis: 40_000)
            _ = try await ConsumerGroupProtocolListenerTests.heartbeat(client, Self.beat("a", epoch: 2, owned: nil), id: 8)
            await engine.coordinator.tick()
            #expect(await engine.coordinator.describeConsumerGroup("g")?.members.count == 2)
            clock.advance(byMillis: 6_000)
            await engine.coordinator.tick()
            #expect(await engine.coordinator.describeConsumerGroup("g")?.members.map(\.memberId) == ["a"])
            let all = try await ConsumerGroupProtocolListenerTests.heartbeat(client, Self.beat("a", epoch: 2, owned: nil), id: 9)
            #expect(all.memberEpoch == 3)
            #expect(all.assignment?.topicPartitions == [.init(topicId: topicId, partitions: [0, 1, 2, 3])])
        }
    }
}
