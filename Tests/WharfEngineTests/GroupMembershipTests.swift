import Testing
import WharfCore
@testable import WharfEngine

@Suite struct GroupMembershipTests {
    @Test func firstMemberLeadsGenerationOneAndGetsItsAssignment() async throws {
        let h = try GroupHarness()
        let joined = try await h.coordinator.join(consumerJoin(clientId: "alpha", topics: ["t"]))
        #expect(joined.memberId.hasPrefix("alpha-"))
        #expect(joined.memberId.count > "alpha-".count + 30)
        #expect(joined.generationId == 1)
        #expect(joined.protocolType == "consumer")
        #expect(joined.protocolName == "range")
        #expect(joined.isLeader)
        #expect(joined.members == [JoinGroupMember(memberId: joined.memberId, metadata: ConsumerSubscription(topics: ["t"]).encode())])
        #expect(await h.coordinator.state("g") == .completingRebalance)

        let assignment = ConsumerAssignment(partitions: [TopicPartition("t", 0), TopicPartition("t", 1)]).encode()
        let got = try await h.coordinator.sync(groupId: "g", generationId: 1, memberId: joined.memberId, assignments: [joined.memberId: assignment])
        #expect(got == assignment)
        let description = try #require(await h.coordinator.describe(groupId: "g"))
        #expect(description.state == .stable)
        #expect(description.protocolName == "range")
        #expect(description.leaderId == joined.memberId)
        #expect(description.members.map(\.assignedPartitions) == [[TopicPartition("t", 0), TopicPartition("t", 1)]])
        #expect(description.members.map(\.subscribedTopics) == [["t"]])
        #expect(description.members.map(\.clientHost) == ["/127.0.0.1"])
        #expect(await h.coordinator.listGroups() == [GroupOverview(groupId: "g", protocolType: "consumer", state: .stable)])
    }

    @Test func secondMemberTriggersRebalanceAndBothGetAssignments() async throws {
        let h = try GroupHarness()
        let first = try await h.stableSingleMember()
        let bTask = await h.startJoin(consumerJoin(clientId: "b"))
        #expect(await h.coordinator.state("g") == .preparingRebalance)
        // The first member learns of the rebalance from its heartbeat, then rejoins.
        await expectError(.rebalanceInProgress("g")) { () throws(WharfError) in
            try await h.coordinator.heartbeat(groupId: "g", generationId: 1, memberId: first.memberId)
        }
        let a = try await h.coordinator.join(consumerJoin(memberId: first.memberId, clientId: "a"))
        let b = try await bTask.value
        #expect(a.generationId == 2 && b.generationId == 2)
        #expect(a.leaderId == first.memberId && b.leaderId == first.memberId)
        #expect(Set(a.members.map(\.memberId)) == [a.memberId, b.memberId])
        #expect(b.members.isEmpty)

        let bSync = await h.startSync(generationId: 2, memberId: b.memberId)
        #expect(await h.coordinator.state("g") == .completingRebalance)
        let aBytes = ConsumerAssignment(partitions: [TopicPartition("t", 0)]).encode()
        let bBytes = ConsumerAssignment(partitions: [TopicPartition("t", 1)]).encode()
        let aGot = try await h.coordinator.sync(groupId: "g", generationId: 2, memberId: a.memberId, assignments: [a.memberId: aBytes, b.memberId: bBytes])
        #expect(aGot == aBytes)
        #expect(try await bSync.value == bBytes)
        #expect(await h.coordinator.state("g") == .stable)
        try await h.coordinator.heartbeat(groupId: "g", generationId: 2, memberId: b.memberId)
        // A follower rejoining with unchanged metadata in Stable gets the current generation at once.
        let again = try await h.coordinator.join(consumerJoin(memberId: b.memberId, clientId: "b"))
        #expect(again.generationId == 2)
        #expect(await h.coordinator.state("g") == .stable)
    }

    @Test func leaveRebalancesTheRestAndLeadershipMovesOn() async throws {
        let h = try GroupHarness()
        let (a, b) = try await h.stablePair()
        try await h.coordinator.leave(groupId: "g", memberIds: [a.memberId])
        #expect(await h.coordinator.state("g") == .preparingRebalance)
        await expectError(.rebalanceInProgress("g")) { () throws(WharfError) in
            try await h.coordinator.heartbeat(groupId: "g", generationId: 2, memberId: b.memberId)
        }
        let rejoined = try await h.coordinator.join(consumerJoin(memberId: b.memberId, clientId: "b"))
        #expect(rejoined.generationId == 3)
        #expect(rejoined.leaderId == b.memberId)
        #expect(rejoined.members.map(\.memberId) == [b.memberId])
        await expectError(.unknownMember(group: "g", member: a.memberId)) { () throws(WharfError) in
            try await h.coordinator.heartbeat(groupId: "g", generationId: 2, memberId: a.memberId)
        }
        // The last member leaving empties the group and bumps the generation, as Kafka does.
        try await h.coordinator.leave(groupId: "g", memberIds: [b.memberId])
        #expect(await h.coordinator.describe(groupId: "g")?.state == .empty)
        #expect(await h.coordinator.generation("g") == 4)
        await expectError(.unknownMember(group: "g", member: "nobody")) { () throws(WharfError) in
            try await h.coordinator.leave(groupId: "g", memberIds: ["nobody"])
        }
    }

    @Test func sessionTimeoutRemovesSilentMemberOnlyAfterItPasses() async throws {
        let h = try GroupHarness()
        let (a, b) = try await h.stablePair()
        await h.advance(6_000)
        try await h.coordinator.heartbeat(groupId: "g", generationId: 2, memberId: a.memberId)
        await h.advance(4_000)  // b silent for exactly its 10 s session: still a member
        #expect(await h.coordinator.describe(groupId: "g")?.members.count == 2)
        #expect(await h.coordinator.state("g") == .stable)
        await h.advance(1)
        #expect(await h.coordinator.describe(groupId: "g")?.members.map(\.memberId) == [a.memberId])
        #expect(await h.coordinator.state("g") == .preparingRebalance)
        await expectError(.unknownMember(group: "g", member: b.memberId)) { () throws(WharfError) in
            try await h.coordinator.heartbeat(groupId: "g", generationId: 2, memberId: b.memberId)
        }
        let rejoined = try await h.coordinator.join(consumerJoin(memberId: a.memberId, clientId: "a"))
        #expect(rejoined.generationId == 3)
    }

    @Test func rebalanceTimeoutDropsMembersThatDidNotRejoin() async throws {
        let h = try GroupHarness()
        let first = try await h.coordinator.join(consumerJoin(clientId: "a", sessionTimeoutMs: 60_000, rebalanceTimeoutMs: 20_000))
        _ = try await h.coordinator.sync(groupId: "g", generationId: 1, memberId: first.memberId, assignments: [:])
        let cTask = await h.startJoin(consumerJoin(clientId: "c", sessionTimeoutMs: 60_000, rebalanceTimeoutMs: 20_000))
        // `a` never rejoins. Its session (60 s) outlasts the rebalance timeout (20 s).
        await h.advance(19_999)
        #expect(await h.coordinator.waitingJoins("g") == 1)
        await h.advance(1)
        let c = try await cTask.value
        #expect(c.generationId == 2)
        #expect(c.leaderId == c.memberId)
        #expect(c.members.map(\.memberId) == [c.memberId])
        await expectError(.unknownMember(group: "g", member: first.memberId)) { () throws(WharfError) in
            try await h.coordinator.heartbeat(groupId: "g", generationId: 1, memberId: first.memberId)
        }
    }

    @Test func initialRebalanceDelayGathersMembersIntoOneGeneration() async throws {
        let h = try GroupHarness(initialRebalanceDelayMs: 3_000)
        let aTask = await h.startJoin(consumerJoin(clientId: "a", protocols: ["range", "roundrobin"]))
        let bTask = await h.startJoin(consumerJoin(clientId: "b", protocols: ["roundrobin", "range"]))
        let cTask = await h.startJoin(consumerJoin(clientId: "c", protocols: ["roundrobin", "range", "sticky"]))
        await h.advance(2_999)
        #expect(await h.coordinator.waitingJoins("g") == 3)
        await h.advance(1)      // new members arrived during the delay: it is extended once more
        #expect(await h.coordinator.waitingJoins("g") == 3)
        await h.advance(3_000)
        let (a, b, c) = try await (aTask.value, bTask.value, cTask.value)
        #expect([a.generationId, b.generationId, c.generationId] == [1, 1, 1])
        #expect(a.isLeader && !b.isLeader && !c.isLeader)
        #expect(a.members.count == 3)
        #expect(a.protocolName == "roundrobin")  // two votes to the leader's one
        #expect(a.members.map(\.metadata) == Array(repeating: ConsumerSubscription(topics: ["t"]).encode(), count: 3))
    }

    @Test func syncErrors() async throws {
        let h = try GroupHarness()
        let (a, b) = try await h.stablePair()
        await expectError(.illegalGeneration(group: "g", generation: 1, current: 2)) { () throws(WharfError) in
            try await h.coordinator.sync(groupId: "g", generationId: 1, memberId: a.memberId, assignments: [:])
        }
        await expectError(.unknownMember(group: "g", member: "x")) { () throws(WharfError) in
            try await h.coordinator.sync(groupId: "g", generationId: 2, memberId: "x", assignments: [:])
        }
        await expectError(.unknownMember(group: "nope", member: "x")) { () throws(WharfError) in
            try await h.coordinator.sync(groupId: "nope", generationId: 2, memberId: "x", assignments: [:])
        }
        // New rebalance: a waiting follower is told, and a late sync is refused.
        let cTask = await h.startJoin(consumerJoin(clientId: "c"))
        await expectError(.rebalanceInProgress("g")) { () throws(WharfError) in
            try await h.coordinator.sync(groupId: "g", generationId: 2, memberId: b.memberId, assignments: [:])
        }
        let a3Task = await h.startJoin(consumerJoin(memberId: a.memberId, clientId: "a"))
        let b3 = try await h.coordinator.join(consumerJoin(memberId: b.memberId, clientId: "b"))
        let (a3, c3) = try await (a3Task.value, cTask.value)
        #expect(Set([a3.generationId, b3.generationId, c3.generationId]) == [3])
        let waiting = await h.startSync(generationId: 3, memberId: b.memberId)
        try await h.coordinator.leave(groupId: "g", memberIds: [c3.memberId])  // before the leader syncs
        await expectError(.rebalanceInProgress("g")) { () throws(WharfError) in
            do { return try await waiting.value } catch let e as WharfError { throw e } catch { throw .io("\(error)") }
        }
    }

    @Test func heartbeatAndJoinErrors() async throws {
        let h = try GroupHarness()
        let a = try await h.stableSingleMember()
        await expectError(.unknownMember(group: "other", member: a.memberId)) { () throws(WharfError) in
            try await h.coordinator.heartbeat(groupId: "other", generationId: 1, memberId: a.memberId)
        }
        await expectError(.illegalGeneration(group: "g", generation: 0, current: 1)) { () throws(WharfError) in
            try await h.coordinator.heartbeat(groupId: "g", generationId: 0, memberId: a.memberId)
        }
        await expectError(.unknownMember(group: "g", member: "ghost")) { () throws(WharfError) in
            try await h.coordinator.join(consumerJoin(memberId: "ghost"))
        }
        await expectError(.unknownMember(group: "new", member: "ghost")) { () throws(WharfError) in
            try await h.coordinator.join(consumerJoin("new", memberId: "ghost"))
        }
        for bad in [consumerJoin(protocolType: "connect"), consumerJoin(protocols: ["sticky"]), consumerJoin("", clientId: "x"),
                    consumerJoin("e", protocols: []), consumerJoin("e", sessionTimeoutMs: 0),
                    consumerJoin("e", clientId: String(repeating: "c", count: 32_750))] {
            do {
                _ = try await h.coordinator.join(bad)
                Issue.record("join \(bad.groupId)/\(bad.protocolType)/\(bad.protocols.map(\.name)) should fail")
            } catch {
                #expect(error != .rebalanceInProgress("g"))
            }
        }
        #expect(await h.coordinator.state("g") == .stable)
        #expect(await h.coordinator.describe(groupId: "e") == nil)
    }

    @Test func cancelledJoinAnswersWithoutHanging() async throws {
        let h = try GroupHarness()
        let a = try await h.stableSingleMember()
        let bTask = await h.startJoin(consumerJoin(clientId: "b"))
        bTask.cancel()
        await #expect(throws: WharfError.rebalanceInProgress("g")) { try await bTask.value }
        // b still counts as joined (like a dropped connection); a's rejoin completes the round.
        let a2 = try await h.coordinator.join(consumerJoin(memberId: a.memberId, clientId: "a"))
        #expect(a2.generationId == 2)
        #expect(a2.members.count == 2)
    }
}
