import Testing
import WharfCore
@testable import WharfEngine

@Suite struct GroupOffsetTests {
    let t0 = TopicPartition("t", 0)
    let t1 = TopicPartition("t", 1)

    @Test func memberCommitIsPersistedAsKafkaRecordsAndFetched() async throws {
        let h = try GroupHarness()
        let a = try await h.stableSingleMember()
        h.clock.advance(byMillis: 500)
        let before = h.log.count
        try await h.coordinator.commit(groupId: "g", generationId: 1, memberId: a.memberId, offsets: [t0: (10, "meta"), t1: (20, "")])
        let expected0 = CommittedOffset(offset: 10, metadata: "meta", commitTimestamp: 1_000_500)
        #expect(await h.coordinator.fetchOffsets(groupId: "g", partitions: nil) == [t0: expected0, t1: CommittedOffset(offset: 20, commitTimestamp: 1_000_500)])
        #expect(await h.coordinator.fetchOffsets(groupId: "g", partitions: [t0, TopicPartition("t", 9)]) == [t0: expected0])
        #expect(await h.coordinator.fetchOffsets(groupId: "unknown", partitions: nil).isEmpty)
        let written = try h.log.readAll().dropFirst(before).map { try ConsumerOffsetsRecord.decode($0) }
        #expect(written == [.offsetCommit(group: "g", t0, expected0), .offsetCommit(group: "g", t1, CommittedOffset(offset: 20, commitTimestamp: 1_000_500))])
        #expect(try h.log.readAll().last?.key == ConsumerOffsetsRecord.offsetKey(group: "g", t1))
    }

    @Test func commitFromAnOldGenerationIsRejected() async throws {
        let h = try GroupHarness()
        let (a, _) = try await h.stablePair()
        try await h.coordinator.commit(groupId: "g", generationId: 2, memberId: a.memberId, offsets: [t0: (5, "")])
        await expectError(.illegalGeneration(group: "g", generation: 1, current: 2)) { () throws(WharfError) in
            try await h.coordinator.commit(groupId: "g", generationId: 1, memberId: a.memberId, offsets: [t0: (99, "")])
        }
        await expectError(.unknownMember(group: "g", member: "stranger")) { () throws(WharfError) in
            try await h.coordinator.commit(groupId: "g", generationId: 2, memberId: "stranger", offsets: [t0: (99, "")])
        }
        #expect(await h.coordinator.fetchOffsets(groupId: "g", partitions: [t0])[t0]?.offset == 5)
    }

    @Test func commitDuringCompletingRebalanceAsksToRejoinButPreparingAcceptsCurrentGeneration() async throws {
        let h = try GroupHarness()
        let a = try await h.coordinator.join(consumerJoin(clientId: "a"))
        await expectError(.rebalanceInProgress("g")) { () throws(WharfError) in
            try await h.coordinator.commit(groupId: "g", generationId: 1, memberId: a.memberId, offsets: [t0: (1, "")])
        }
        _ = try await h.coordinator.sync(groupId: "g", generationId: 1, memberId: a.memberId, assignments: [:])
        _ = await h.startJoin(consumerJoin(clientId: "b"))
        // Kafka lets members commit in PreparingRebalance (before rejoining) with their generation.
        try await h.coordinator.commit(groupId: "g", generationId: 1, memberId: a.memberId, offsets: [t0: (2, "")])
        #expect(await h.coordinator.fetchOffsets(groupId: "g", partitions: nil)[t0]?.offset == 2)
    }

    @Test func adminCommitOnlyWhileTheGroupHasNoMembers() async throws {
        let h = try GroupHarness()
        // An unknown group is created by an admin commit, Empty, with no protocol type.
        try await h.coordinator.commit(groupId: "tool", generationId: -1, memberId: "", offsets: [t0: (3, "")])
        #expect(await h.coordinator.listGroups() == [GroupOverview(groupId: "tool", protocolType: "", state: .empty)])
        let a = try await h.stableSingleMember()
        await expectError(.unknownMember(group: "g", member: "")) { () throws(WharfError) in
            try await h.coordinator.commit(groupId: "g", generationId: -1, memberId: "", offsets: [t0: (7, "")])
        }
        #expect(await h.coordinator.fetchOffsets(groupId: "g", partitions: nil).isEmpty)
        try await h.coordinator.leave(groupId: "g", memberIds: [a.memberId])
        try await h.coordinator.commit(groupId: "g", generationId: -1, memberId: "", offsets: [t0: (7, "")])
        #expect(await h.coordinator.fetchOffsets(groupId: "g", partitions: nil)[t0]?.offset == 7)
    }

    @Test func nothingIsAcknowledgedWhenTheLogRefuses() async throws {
        let h = try GroupHarness()
        let a = try await h.stableSingleMember()
        try await h.coordinator.commit(groupId: "g", generationId: 1, memberId: a.memberId, offsets: [t0: (1, "")])
        h.log.failAppends(with: .io("disk full"))
        await expectError(.io("disk full")) { () throws(WharfError) in
            try await h.coordinator.commit(groupId: "g", generationId: 1, memberId: a.memberId, offsets: [t0: (2, ""), t1: (2, "")])
        }
        #expect(await h.coordinator.fetchOffsets(groupId: "g", partitions: nil) == [t0: CommittedOffset(offset: 1, commitTimestamp: 1_000_000)])
        // A leader's assignment that cannot be persisted is not handed out either.
        let b = try await h.coordinator.join(consumerJoin("other", clientId: "b"))
        await expectError(.io("disk full")) { () throws(WharfError) in
            try await h.coordinator.sync(groupId: "other", generationId: 1, memberId: b.memberId, assignments: [b.memberId: [1]])
        }
        #expect(await h.coordinator.state("other") == .completingRebalance)
        #expect(await h.coordinator.describe(groupId: "other")?.members.map(\.assignment) == [[]])
    }

    @Test func invalidCommitsAreRefused() async throws {
        let h = try GroupHarness()
        let long = String(repeating: "x", count: GroupCoordinator.maxMetadataBytes + 1)
        for offsets in [[t0: (Int64(1), long)], [TopicPartition("t", -1): (Int64(1), "")], [TopicPartition("", 0): (Int64(1), "")],
                        [TopicPartition(String(repeating: "t", count: 40_000), 0): (Int64(1), "")]] {
            do {
                try await h.coordinator.commit(groupId: "g", generationId: -1, memberId: "", offsets: offsets)
                Issue.record("commit \(offsets.keys) should fail")
            } catch {
                guard case .invalidArgument = error else { Issue.record("unexpected \(error)"); continue }
            }
        }
        await expectError(.invalidName("group id is empty")) { () throws(WharfError) in
            try await h.coordinator.commit(groupId: "", generationId: -1, memberId: "", offsets: [t0: (1, "")])
        }
        #expect(await h.coordinator.listGroups().isEmpty)
        #expect(h.log.count == 0)
    }

    @Test func deleteGroupOnlyWhenEmptyAndWritesTombstones() async throws {
        let h = try GroupHarness()
        await expectError(.unknownGroup("g")) { () throws(WharfError) in try await h.coordinator.deleteGroup("g") }
        let a = try await h.stableSingleMember()
        try await h.coordinator.commit(groupId: "g", generationId: 1, memberId: a.memberId, offsets: [t0: (1, ""), t1: (2, "")])
        await expectError(.groupNotEmpty("g")) { () throws(WharfError) in try await h.coordinator.deleteGroup("g") }
        try await h.coordinator.leave(groupId: "g", memberIds: [a.memberId])
        let before = h.log.count
        try await h.coordinator.deleteGroup("g")
        let written = try h.log.readAll().dropFirst(before).map { try ConsumerOffsetsRecord.decode($0) }
        #expect(written == [.offsetTombstone(group: "g", t0), .offsetTombstone(group: "g", t1), .groupTombstone(group: "g")])
        #expect(await h.coordinator.describe(groupId: "g") == nil)
        #expect(await h.coordinator.fetchOffsets(groupId: "g", partitions: nil).isEmpty)
        let restarted = try h.restarted()
        #expect(await restarted.coordinator.listGroups().isEmpty)
    }

    /// librdkafka's 0081_admin deletes a group just as its closed members' sessions run out:
    /// Kafka's timer has removed them by then, so Wharf must not wait for its next maintenance
    /// pass to know it (no `tick()` in this test).
    @Test func deleteGroupAppliesSessionsThatRanOutBeforeTheNextTick() async throws {
        let h = try GroupHarness()
        _ = try await h.stableSingleMember()   // session timeout 10 s
        h.clock.advance(byMillis: 10_000)
        await expectError(.groupNotEmpty("g")) { () throws(WharfError) in try await h.coordinator.deleteGroup("g") }
        h.clock.advance(byMillis: 1)
        try await h.coordinator.deleteGroup("g")
        #expect(await h.coordinator.describe(groupId: "g") == nil)
    }

    @Test func deleteOffsetsRefusesSubscribedTopicsOfLiveGroups() async throws {
        let h = try GroupHarness()
        let a = try await h.stableSingleMember()   // subscribed to "t"
        let u0 = TopicPartition("u", 0)
        try await h.coordinator.commit(groupId: "g", generationId: 1, memberId: a.memberId, offsets: [t0: (1, ""), u0: (4, "")])
        do {
            try await h.coordinator.deleteOffsets(groupId: "g", partitions: [t0])
            Issue.record("deleting a subscribed topic's offsets should fail")
        } catch {
            guard case .invalidArgument = error else { Issue.record("unexpected \(error)"); return }
        }
        try await h.coordinator.deleteOffsets(groupId: "g", partitions: [u0])
        #expect(await h.coordinator.fetchOffsets(groupId: "g", partitions: nil).keys.sorted() == [t0])
        try await h.coordinator.leave(groupId: "g", memberIds: [a.memberId])
        try await h.coordinator.deleteOffsets(groupId: "g", partitions: [t0])
        #expect(await h.coordinator.fetchOffsets(groupId: "g", partitions: nil).isEmpty)
        #expect(try ConsumerOffsetsRecord.decode(h.log.readAll().last!) == .offsetTombstone(group: "g", t0))
    }

    @Test func restartRebuildsOffsetsAndGroupsAsEmpty() async throws {
        let h = try GroupHarness()
        try await h.coordinator.commit(groupId: "admin", generationId: -1, memberId: "", offsets: [t0: (3, "x")])
        try await h.coordinator.commit(groupId: "admin", generationId: -1, memberId: "", offsets: [t0: (4, "y")])
        let a = try await h.stableSingleMember("live")          // group metadata only, no offsets
        try await h.coordinator.commit(groupId: "gone", generationId: -1, memberId: "", offsets: [t1: (1, "")])
        try await h.coordinator.deleteGroup("gone")
        // A record Wharf cannot decode and one of Kafka's newer key versions are skipped.
        _ = try h.log.write([Record(key: [0x00, 0x01, 0x00], value: [0x00]), Record(key: [0x00, 0x05, 0x00, 0x00], value: [1])])

        let r = try h.restarted()
        #expect(await r.coordinator.listGroups() == [
            GroupOverview(groupId: "admin", protocolType: "", state: .empty),
            GroupOverview(groupId: "live", protocolType: "consumer", state: .empty),
        ])
        #expect(await r.coordinator.fetchOffsets(groupId: "admin", partitions: nil) == [t0: CommittedOffset(offset: 4, metadata: "y", commitTimestamp: 1_000_000)])
        let live = try #require(await r.coordinator.describe(groupId: "live"))
        #expect(live.generationId == 1)
        #expect(live.members.isEmpty)
        // The old member is gone: it must rejoin, and its generation moves on from the persisted one.
        await expectError(.unknownMember(group: "live", member: a.memberId)) { () throws(WharfError) in
            try await r.coordinator.heartbeat(groupId: "live", generationId: 1, memberId: a.memberId)
        }
        let rejoined = try await r.coordinator.join(consumerJoin("live", clientId: "a"))
        #expect(rejoined.generationId == 2)
    }

    @Test func groupThatEmptiesIsPersistedAndSurvivesRestart() async throws {
        let h = try GroupHarness()
        let a = try await h.coordinator.join(consumerJoin("short", clientId: "a"))
        try await h.coordinator.leave(groupId: "short", memberIds: [a.memberId])   // never reached Stable
        let r = try h.restarted()
        #expect(await r.coordinator.listGroups() == [GroupOverview(groupId: "short", protocolType: "consumer", state: .empty)])
        #expect(await r.coordinator.describe(groupId: "short")?.generationId == 2)
    }
}
