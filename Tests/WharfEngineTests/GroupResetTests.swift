import Testing
import WharfCore
@testable import WharfEngine

/// The fenced reset: new committed offsets for a group with live members.
@Suite struct GroupResetTests {
    let t0 = TopicPartition("t", 0)
    let t1 = TopicPartition("t", 1)

    @Test func resetOfAnEmptyOrUnknownGroupFencesNobody() async throws {
        let h = try GroupHarness()
        let outcome = try await h.coordinator.resetOffsets(groupId: "fresh", offsets: [t0: 5])
        #expect(outcome == ResetOutcome(fencedMembers: [], fencedGeneration: nil, generationId: 0))
        #expect(!outcome.membersFenced)
        #expect(await h.coordinator.fetchOffsets(groupId: "fresh", partitions: nil) == [t0: CommittedOffset(offset: 5, commitTimestamp: 1_000_000)])
        #expect(try ConsumerOffsetsRecord.decode(h.log.readAll().last!) == .offsetCommit(group: "fresh", t0, CommittedOffset(offset: 5, commitTimestamp: 1_000_000)))
        #expect(await h.coordinator.listGroups() == [GroupOverview(groupId: "fresh", protocolType: "", state: .empty)])
    }

    @Test func resetWhileMembersAreLiveFencesTheGenerationUntilTheyRejoin() async throws {
        let h = try GroupHarness()
        let (a, b) = try await h.stablePair()
        try await h.coordinator.commit(groupId: "g", generationId: 2, memberId: a.memberId, offsets: [t0: (100, "")])
        try await h.coordinator.commit(groupId: "g", generationId: 2, memberId: b.memberId, offsets: [t1: (200, "")])

        let outcome = try await h.coordinator.resetOffsets(groupId: "g", offsets: [t0: 10, t1: 20])
        #expect(outcome.membersFenced)
        #expect(Set(outcome.fencedMembers) == [a.memberId, b.memberId])
        #expect(outcome.fencedGeneration == 2)
        #expect(outcome.generationId == 3)
        #expect(await h.coordinator.state("g") == .preparingRebalance)
        #expect(await h.coordinator.fetchOffsets(groupId: "g", partitions: nil).mapValues(\.offset) == [t0: 10, t1: 20])

        // The old generation: heartbeats say "illegal generation" (rejoin, assignment lost, so
        // positions are re-fetched from the reset commits), commits in flight are refused.
        await expectError(.illegalGeneration(group: "g", generation: 2, current: 3)) { () throws(WharfError) in
            try await h.coordinator.heartbeat(groupId: "g", generationId: 2, memberId: a.memberId)
        }
        await expectError(.illegalGeneration(group: "g", generation: 2, current: 3)) { () throws(WharfError) in
            try await h.coordinator.commit(groupId: "g", generationId: 2, memberId: b.memberId, offsets: [t1: (201, "")])
        }
        await expectError(.rebalanceInProgress("g")) { () throws(WharfError) in
            try await h.coordinator.sync(groupId: "g", generationId: 2, memberId: a.memberId, assignments: [:])
        }
        #expect(await h.coordinator.fetchOffsets(groupId: "g", partitions: nil).mapValues(\.offset) == [t0: 10, t1: 20])

        // Both rejoin with their ids and land in the generation the outcome announced.
        let bTask = await h.startJoin(consumerJoin(memberId: b.memberId, clientId: "b"))
        let a3 = try await h.coordinator.join(consumerJoin(memberId: a.memberId, clientId: "a"))
        let b3 = try await bTask.value
        #expect(a3.generationId == outcome.generationId && b3.generationId == outcome.generationId)
        #expect(a3.leaderId == a.memberId)
        let bSync = await h.startSync(generationId: 3, memberId: b.memberId)
        _ = try await h.coordinator.sync(groupId: "g", generationId: 3, memberId: a.memberId, assignments: [
            a.memberId: ConsumerAssignment(partitions: [t0]).encode(), b.memberId: ConsumerAssignment(partitions: [t1]).encode(),
        ])
        #expect(try ConsumerAssignment.decode(try await bSync.value).partitions == [t1])
        // After the sync they fetch the reset positions.
        #expect(await h.coordinator.fetchOffsets(groupId: "g", partitions: [t0])[t0]?.offset == 10)
        #expect(await h.coordinator.fetchOffsets(groupId: "g", partitions: [t1])[t1]?.offset == 20)
        // A straggling commit of the fenced generation still cannot overwrite the reset.
        await expectError(.illegalGeneration(group: "g", generation: 2, current: 3)) { () throws(WharfError) in
            try await h.coordinator.commit(groupId: "g", generationId: 2, memberId: a.memberId, offsets: [t0: (101, "")])
        }
        try await h.coordinator.commit(groupId: "g", generationId: 3, memberId: a.memberId, offsets: [t0: (11, "")])
        #expect(await h.coordinator.fetchOffsets(groupId: "g", partitions: nil).mapValues(\.offset) == [t0: 11, t1: 20])
    }

    @Test func resetDuringARebalanceFencesTheGenerationMembersStillHold() async throws {
        let h = try GroupHarness()
        let a = try await h.stableSingleMember()
        let bTask = await h.startJoin(consumerJoin(clientId: "b"))   // PreparingRebalance, a still at gen 1
        let outcome = try await h.coordinator.resetOffsets(groupId: "g", offsets: [t0: 0])
        #expect(outcome.fencedGeneration == 1 && outcome.generationId == 2)
        // Kafka would accept a gen-1 commit in PreparingRebalance; after a reset it must not.
        await expectError(.illegalGeneration(group: "g", generation: 1, current: 2)) { () throws(WharfError) in
            try await h.coordinator.commit(groupId: "g", generationId: 1, memberId: a.memberId, offsets: [t0: (50, "")])
        }
        // A second reset in the same round fences nothing new.
        let again = try await h.coordinator.resetOffsets(groupId: "g", offsets: [t0: 1])
        #expect(again.fencedGeneration == 1 && again.generationId == 2)
        let a2 = try await h.coordinator.join(consumerJoin(memberId: a.memberId, clientId: "a"))
        let b2 = try await bTask.value
        #expect(a2.generationId == 2 && b2.generationId == 2)   // not advanced twice
        #expect(await h.coordinator.fetchOffsets(groupId: "g", partitions: nil)[t0]?.offset == 1)
    }

    @Test func resetDuringCompletingRebalanceFailsWaitingSyncs() async throws {
        let h = try GroupHarness()
        let (a, b) = try await h.stablePair()
        let cTask = await h.startJoin(consumerJoin(clientId: "c"))
        let bTask = await h.startJoin(consumerJoin(memberId: b.memberId, clientId: "b"))
        _ = try await h.coordinator.join(consumerJoin(memberId: a.memberId, clientId: "a"))
        let (b3, c3) = try await (bTask.value, cTask.value)
        let waiting = await h.startSync(generationId: 3, memberId: b3.memberId)
        let outcome = try await h.coordinator.resetOffsets(groupId: "g", offsets: [t0: 7])
        #expect(outcome.fencedGeneration == 3 && outcome.generationId == 4 && outcome.fencedMembers.count == 3)
        await #expect(throws: WharfError.rebalanceInProgress("g")) { try await waiting.value }
        // The leader's late assignment for the fenced generation is refused too.
        await expectError(.rebalanceInProgress("g")) { () throws(WharfError) in
            try await h.coordinator.sync(groupId: "g", generationId: 3, memberId: a.memberId, assignments: [c3.memberId: [1]])
        }
    }

    @Test func resetThatCannotBePersistedChangesNothing() async throws {
        let h = try GroupHarness()
        let a = try await h.stableSingleMember()
        try await h.coordinator.commit(groupId: "g", generationId: 1, memberId: a.memberId, offsets: [t0: (9, "")])
        h.log.failAppends(with: .io("disk full"))
        await expectError(.io("disk full")) { () throws(WharfError) in
            try await h.coordinator.resetOffsets(groupId: "g", offsets: [t0: 0])
        }
        #expect(await h.coordinator.state("g") == .stable)
        #expect(await h.coordinator.generation("g") == 1)
        #expect(await h.coordinator.fetchOffsets(groupId: "g", partitions: nil)[t0]?.offset == 9)
        try await h.coordinator.heartbeat(groupId: "g", generationId: 1, memberId: a.memberId)
    }

    @Test func resetRefusesNegativeOffsets() async throws {
        let h = try GroupHarness()
        do {
            _ = try await h.coordinator.resetOffsets(groupId: "g", offsets: [t0: -1])
            Issue.record("negative reset should fail")
        } catch {
            guard case .invalidArgument = error else { Issue.record("unexpected \(error)"); return }
        }
        #expect(h.log.count == 0)
    }

    @Test func resetOffsetsSurviveRestart() async throws {
        let h = try GroupHarness()
        _ = try await h.stablePair()
        _ = try await h.coordinator.resetOffsets(groupId: "g", offsets: [t0: 42])
        let r = try h.restarted()
        #expect(await r.coordinator.fetchOffsets(groupId: "g", partitions: nil)[t0]?.offset == 42)
        #expect(await r.coordinator.describe(groupId: "g")?.state == .empty)
    }
}
