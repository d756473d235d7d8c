import Testing
import WharfCore
@testable import WharfEngine

/// What the simulated consumers report, and how the test tells them to stop.
private actor ConsumerBoard {
    struct Seen: Equatable {
        var memberId: String
        var generation: Int32
        var partitions: [TopicPartition]
    }

    private(set) var seen: [String: Seen] = [:]
    private var stopping: Set<String> = []

    func record(_ clientId: String, _ s: Seen) { seen[clientId] = s }
    func stop(_ clientId: String) { stopping.insert(clientId) }
    func shouldStop(_ clientId: String) -> Bool { stopping.contains(clientId) }
    func clients(atGeneration generation: Int32) -> Set<String> { Set(seen.filter { $0.value.generation == generation }.keys) }
}

/// A consumer as a Kafka client drives the classic protocol: join, run the assignor if leader,
/// sync, resume from committed offsets, "consume" 10 records per partition and commit, then
/// heartbeat until told to rejoin (rebalance) or to stop (leave).
private struct SimulatedConsumer: Sendable {
    let clientId: String
    let groupId: String
    let topics: [String]
    let partitionCounts: [String: Int32]
    let coordinator: GroupCoordinator
    let board: ConsumerBoard

    func run() async throws(WharfError) {
        var memberId = ""
        rejoin: while true {
            let joined = try await coordinator.join(consumerJoin(groupId, memberId: memberId, clientId: clientId, topics: topics))
            memberId = joined.memberId
            var plan: [String: [UInt8]] = [:]
            if joined.isLeader {
                var subscriptions: [String: [String]] = [:]
                for m in joined.members { subscriptions[m.memberId] = try ConsumerSubscription.decode(m.metadata).topics }
                plan = RangeAssignor.assign(subscriptions: subscriptions, partitionCounts: partitionCounts)
                    .mapValues { ConsumerAssignment(partitions: $0).encode() }
            }
            let mine: [TopicPartition]
            do throws(WharfError) {
                let bytes = try await coordinator.sync(groupId: groupId, generationId: joined.generationId, memberId: memberId, assignments: plan)
                mine = try ConsumerAssignment.decode(bytes).partitions
                let committed = await coordinator.fetchOffsets(groupId: groupId, partitions: mine)
                var positions: [TopicPartition: (offset: Int64, metadata: String)] = [:]
                for tp in mine { positions[tp] = ((committed[tp]?.offset ?? 0) + 10, clientId) }
                try await coordinator.commit(groupId: groupId, generationId: joined.generationId, memberId: memberId, offsets: positions)
            } catch .rebalanceInProgress, .illegalGeneration {
                continue rejoin
            }
            await board.record(clientId, .init(memberId: memberId, generation: joined.generationId, partitions: mine))
            for _ in 0..<1_000_000 {
                if await board.shouldStop(clientId) {
                    try await coordinator.leave(groupId: groupId, memberIds: [memberId])
                    return
                }
                do throws(WharfError) {
                    try await coordinator.heartbeat(groupId: groupId, generationId: joined.generationId, memberId: memberId)
                } catch .rebalanceInProgress, .illegalGeneration {
                    continue rejoin
                }
                await Task.yield()
            }
            throw .invalidArgument("\(clientId): heartbeat loop ran out")
        }
    }
}

@Suite struct GroupConsumersEndToEndTests {
    @Test func threeConsumersShareTopicsTwoTakeOverAndAllResumeFromAReset() async throws {
        let h = try GroupHarness(initialRebalanceDelayMs: 3_000)
        let board = ConsumerBoard()
        let counts: [String: Int32] = ["orders": 3, "payments": 2]
        let all = [TopicPartition("orders", 0), TopicPartition("orders", 1), TopicPartition("orders", 2),
                   TopicPartition("payments", 0), TopicPartition("payments", 1)]
        let tasks = ["c1", "c2", "c3"].map { id in
            let consumer = SimulatedConsumer(clientId: id, groupId: "app", topics: ["orders", "payments"],
                                             partitionCounts: counts, coordinator: h.coordinator, board: board)
            return Task { try await consumer.run() }
        }

        // All three join inside the initial delay and land in one generation.
        #expect(await eventually { await h.coordinator.waitingJoins("app") == 3 })
        await h.advance(3_000)
        await h.advance(3_000)
        #expect(await eventually(tries: 200_000) { await board.clients(atGeneration: 1).count == 3 })
        let gen1 = await board.seen
        let subscriptions = Dictionary(uniqueKeysWithValues: gen1.values.map { ($0.memberId, ["orders", "payments"]) })
        let expected = RangeAssignor.assign(subscriptions: subscriptions, partitionCounts: counts)
        for s in gen1.values { #expect(s.partitions == expected[s.memberId]) }
        #expect(await h.coordinator.describe(groupId: "app")?.state == .stable)
        #expect(await h.coordinator.fetchOffsets(groupId: "app", partitions: nil).mapValues(\.offset) == Dictionary(uniqueKeysWithValues: all.map { ($0, 10) }))

        // c3 leaves: the others hear of it through heartbeats, rejoin and split everything.
        await board.stop("c3")
        #expect(await eventually(tries: 200_000) { await board.clients(atGeneration: 2) == ["c1", "c2"] })
        let gen2 = await board.seen
        let taken = (gen2["c1"]?.partitions ?? []) + (gen2["c2"]?.partitions ?? [])
        #expect(taken.sorted() == all)
        // Each resumed from the committed offsets (10) and committed 10 more.
        #expect(await h.coordinator.fetchOffsets(groupId: "app", partitions: nil).mapValues(\.offset) == Dictionary(uniqueKeysWithValues: all.map { ($0, 20) }))
        let description = try #require(await h.coordinator.describe(groupId: "app"))
        #expect(description.generationId == 2)
        #expect(Set(description.members.map(\.clientId)) == ["c1", "c2"])

        // An operator resets everything to 0 while both run: they are fenced, rejoin, and
        // resume from the reset offsets (0 + 10), not from their own positions (20 + 10).
        let outcome = try await h.coordinator.resetOffsets(groupId: "app", offsets: Dictionary(uniqueKeysWithValues: all.map { ($0, 0) }))
        #expect(outcome.fencedGeneration == 2 && outcome.generationId == 3)
        #expect(Set(outcome.fencedMembers) == Set([gen2["c1"]?.memberId, gen2["c2"]?.memberId].compactMap { $0 }))
        #expect(await eventually(tries: 200_000) { await board.clients(atGeneration: 3) == ["c1", "c2"] })
        #expect(await h.coordinator.fetchOffsets(groupId: "app", partitions: nil).mapValues(\.offset) == Dictionary(uniqueKeysWithValues: all.map { ($0, 10) }))

        await board.stop("c1")
        await board.stop("c2")
        for task in tasks { try await task.value }
        #expect(await h.coordinator.describe(groupId: "app")?.state == .empty)
    }
}
