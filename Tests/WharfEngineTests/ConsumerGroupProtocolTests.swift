import Testing
import WharfCore
@testable import WharfEngine

/// KIP-848 consumer groups on the coordinator (ConsumerGroupHeartbeat semantics) over a manual
/// clock and an in-memory log: assignment on the server, revocation before reassignment,
/// fencing, leaving, session expiry, static members, epochs on commits, and the rules between
/// classic and consumer groups of the same id.
@Suite struct ConsumerGroupProtocolTests {
    /// Topic "t" with 4 partitions, "u" with 2.
    static let catalog = TopicCatalog(partitionCount: { ["t": 4, "u": 2][$0] }, names: { ["t", "u", "__consumer_offsets"] })

    static func join(_ member: String, topics: [String] = ["t"], instance: String? = nil, assignor: String? = nil) -> ConsumerGroupHeartbeatRequest {
        ConsumerGroupHeartbeatRequest(groupId: "g", memberId: member, memberEpoch: 0, instanceId: instance, rebalanceTimeoutMs: 30_000,
                                      subscribedTopicNames: topics, serverAssignor: assignor, ownedPartitions: [], clientId: member)
    }

    static func beat(_ member: String, epoch: Int32, owned: [TopicPartition]? = nil) -> ConsumerGroupHeartbeatRequest {
        ConsumerGroupHeartbeatRequest(groupId: "g", memberId: member, memberEpoch: epoch, ownedPartitions: owned, clientId: member)
    }

    func heartbeat(_ h: GroupHarness, _ r: ConsumerGroupHeartbeatRequest) async throws(ConsumerGroupError) -> ConsumerGroupHeartbeatResult {
        try await h.coordinator.consumerGroupHeartbeat(r, catalog: Self.catalog)
    }

    func expectRefusal(_ h: GroupHarness, _ r: ConsumerGroupHeartbeatRequest, _ expected: (ConsumerGroupError) -> Bool,
                       sourceLocation: SourceLocation = #_sourceLocation) async {
        do {
            let answer = try await heartbeat(h, r)
            Issue.record("expected a refusal, got \(answer)", sourceLocation: sourceLocation)
        } catch {
            #expect(expected(error), "got \(error)", sourceLocation: sourceLocation)
        }
    }

    /// Two members: "a" alone, then "b" joins and gets half once "a" revoked it.
    func splitPair(_ h: GroupHarness) async throws -> (a: [TopicPartition], b: [TopicPartition]) {
        let a1 = try await heartbeat(h, Self.join("a"))
        #expect(a1.memberEpoch == 1)
        #expect(a1.assignment == (0..<4).map { TopicPartition("t", $0) })
        let b1 = try await heartbeat(h, Self.join("b"))
        #expect(b1.memberEpoch == 2)
        #expect(b1.assignment == [], "b gets nothing while a holds everything")
        // a is asked to revoke half; its epoch stays until it has.
        let a2 = try await heartbeat(h, Self.beat("a", epoch: 1))
        #expect(a2.memberEpoch == 1)
        let kept = try #require(a2.assignment)
        #expect(kept.count == 2)
        #expect(try await heartbeat(h, Self.beat("b", epoch: 2)).assignment == nil, "still held by a")
        // Not revoked yet: a still reports all four.
        #expect(try await heartbeat(h, Self.beat("a", epoch: 1, owned: (0..<4).map { TopicPartition("t", $0) })).memberEpoch == 1)
        let a3 = try await heartbeat(h, Self.beat("a", epoch: 1, owned: kept))
        #expect(a3.memberEpoch == 2)
        #expect(a3.assignment == kept)
        let b2 = try await heartbeat(h, Self.beat("b", epoch: 2, owned: []))
        let given = try #require(b2.assignment)
        #expect(b2.memberEpoch == 2)
        #expect(Set(given).isDisjoint(with: kept))
        #expect(Set(given).union(kept) == Set((0..<4).map { TopicPartition("t", $0) }))
        return (kept, given)
    }

    @Test func partitionsAreSplitOnlyAfterTheirHolderRevokedThem() async throws {
        let h = try GroupHarness()
        let (a, b) = try await splitPair(h)
        let d = try #require(await h.coordinator.describeConsumerGroup("g"))
        #expect(d.state == .stable)
        #expect(d.groupEpoch == 2 && d.assignmentEpoch == 2)
        #expect(d.assignor == "uniform")
        #expect(d.members.map(\.assigned) == [a.sorted(), b.sorted()])
        // The engine's group views (lag, the dashboard) see members and their partitions.
        let classic = try #require(await h.coordinator.describe(groupId: "g"))
        #expect(classic.protocolType == "consumer")
        #expect(classic.members.flatMap { $0.assignedPartitions ?? [] }.count == 4)
        #expect(await h.coordinator.listGroups().map(\.state) == [.stable])
    }

    @Test func aLeavingMemberIsPartitionsGoToTheOthers() async throws {
        let h = try GroupHarness()
        _ = try await splitPair(h)
        let left = try await heartbeat(h, Self.beat("b", epoch: -1))
        #expect(left.memberEpoch == -1)
        let a = try await heartbeat(h, Self.beat("a", epoch: 2))
        #expect(a.memberEpoch == 3)
        #expect(a.assignment?.count == 4)
        await expectRefusal(h, Self.beat("b", epoch: 2)) { if case .unknownMember = $0 { true } else { false } }
    }

    @Test func wrongEpochsAreFencedAndAMissedAnswerIsForgiven() async throws {
        let h = try GroupHarness()
        let (kept, _) = try await splitPair(h)
        await expectRefusal(h, Self.beat("a", epoch: 7)) { if case .fencedMemberEpoch = $0 { true } else { false } }
        await expectRefusal(h, Self.beat("a", epoch: 1)) { if case .fencedMemberEpoch = $0 { true } else { false } }
        // The previous epoch with no more than the member was given: its last answer was lost.
        #expect(try await heartbeat(h, Self.beat("a", epoch: 1, owned: kept)).memberEpoch == 2)
        await expectRefusal(h, Self.beat("nobody", epoch: 1)) { if case .unknownMember = $0 { true } else { false } }
        // A fenced member rejoins with epoch 0 and its id, holding nothing, and gets its share back.
        let rejoined = try await heartbeat(h, Self.join("a"))
        #expect(rejoined.memberEpoch == 2)
        #expect(rejoined.assignment.map(Set.init) == Set(kept))
    }

    @Test func silentMembersExpireAfterTheSessionTimeoutOnTheInjectedClock() async throws {
        let h = try GroupHarness()
        _ = try await splitPair(h)
        await h.advance(40_000)
        _ = try await heartbeat(h, Self.beat("a", epoch: 2))
        #expect(await h.coordinator.describeConsumerGroup("g")?.members.count == 2)
        await h.advance(6_000)  // b silent for 46 s, past group.consumer.session.timeout.ms (45 s)
        #expect(await h.coordinator.describeConsumerGroup("g")?.members.map(\.memberId) == ["a"])
        #expect(try await heartbeat(h, Self.beat("a", epoch: 2)).assignment?.count == 4)
    }

    @Test func aMemberThatDoesNotRevokeWithinItsRebalanceTimeoutIsRemoved() async throws {
        let h = try GroupHarness()
        _ = try await heartbeat(h, Self.join("a"))
        _ = try await heartbeat(h, Self.join("b"))
        _ = try await heartbeat(h, Self.beat("a", epoch: 1))  // asked to revoke
        await h.advance(20_000)
        _ = try await heartbeat(h, Self.beat("b", epoch: 2))
        await h.advance(11_000)  // past a's 30 s rebalance timeout, well within its 45 s session
        #expect(await h.coordinator.describeConsumerGroup("g")?.members.map(\.memberId) == ["b"])
        let b = try await heartbeat(h, Self.beat("b", epoch: 2))
        #expect(b.memberEpoch == 3)
        #expect(b.assignment?.count == 4)
    }

    @Test func commitsCarryTheMemberEpoch() async throws {
        let h = try GroupHarness()
        _ = try await splitPair(h)
        let t0 = TopicPartition("t", 0)
        try await h.coordinator.commit(groupId: "g", generationId: 2, memberId: "a", offsets: [t0: (5, "")])
        await expectError(.illegalGeneration(group: "g", generation: 1, current: 2)) { () throws(WharfError) in
            try await h.coordinator.commit(groupId: "g", generationId: 1, memberId: "a", offsets: [t0: (9, "")])
        }
        await expectError(.unknownMember(group: "g", member: "")) { () throws(WharfError) in
            try await h.coordinator.commit(groupId: "g", generationId: -1, memberId: "", offsets: [t0: (9, "")])
        }
        #expect(await h.coordinator.fetchOffsets(groupId: "g", partitions: [t0])[t0]?.offset == 5)
        #expect(await h.coordinator.isConsumerProtocolGroup("g"))
    }

    /// librdkafka 2.15+ with group.protocol=consumer and assign() commits with its own member id
    /// and epoch -1 (librdkafka's 0030_offset_commit): allowed while the group has no members.
    @Test func aConsumerWithoutGroupManagementCommitsWithItsOwnMemberIdWhileTheGroupIsEmpty() async throws {
        let h = try GroupHarness()
        let t0 = TopicPartition("t", 0)
        try await h.coordinator.commit(groupId: "solo", generationId: -1, memberId: "client-made-id", offsets: [t0: (55, "")])
        #expect(await h.coordinator.fetchOffsets(groupId: "solo", partitions: [t0])[t0]?.offset == 55)
        _ = try await heartbeat(h, Self.join("a"))
        await expectError(.unknownMember(group: "g", member: "client-made-id")) { () throws(WharfError) in
            try await h.coordinator.commit(groupId: "g", generationId: -1, memberId: "client-made-id", offsets: [t0: (1, "")])
        }
        _ = try await heartbeat(h, Self.beat("a", epoch: -1))
        try await h.coordinator.commit(groupId: "g", generationId: -1, memberId: "client-made-id", offsets: [t0: (1, "")])
        #expect(await h.coordinator.fetchOffsets(groupId: "g", partitions: [t0])[t0]?.offset == 1)
    }

    @Test func aGroupIsEitherClassicOrConsumer() async throws {
        let h = try GroupHarness()
        _ = try await heartbeat(h, Self.join("a"))
        await expectError(.invalidArgument("inconsistent group protocol: group 'g' is a consumer-protocol (KIP-848) group with members")) { () throws(WharfError) in
            try await h.coordinator.join(consumerJoin("g", clientId: "classic"))
        }
        let classic = try await h.coordinator.join(consumerJoin("classic-g", clientId: "c"))
        var r = Self.join("x")
        r.groupId = "classic-g"
        await expectRefusal(h, r) { if case .groupIdNotFound = $0 { true } else { false } }
        try await h.coordinator.leave(groupId: "classic-g", memberIds: [classic.memberId])
        // Empty, a classic group can become a consumer group, keeping its offsets.
        #expect(try await heartbeat(h, r).memberEpoch == 1)
        #expect(await h.coordinator.isConsumerProtocolGroup("classic-g"))
    }

    @Test func aStaticMemberComesBackUnderANewIdWithoutARebalance() async throws {
        let h = try GroupHarness()
        let a = try await heartbeat(h, Self.join("a", instance: "i-1"))
        _ = try await heartbeat(h, Self.beat("a", epoch: a.memberEpoch, owned: a.assignment))
        await expectRefusal(h, Self.join("other", instance: "i-1")) { if case .unreleasedInstanceId = $0 { true } else { false } }
        #expect(try await heartbeat(h, Self.beat("a", epoch: -2)).memberEpoch == -2)
        let back = try await heartbeat(h, Self.join("a2", instance: "i-1"))
        #expect(back.memberEpoch == 1)
        #expect(back.assignment?.count == 4)
        let d = try #require(await h.coordinator.describeConsumerGroup("g"))
        #expect(d.groupEpoch == 1, "no new group epoch for a returning static member")
        #expect(d.members.map(\.memberId) == ["a2"])
    }

    @Test func badRequestsAreRefusedWithTheirOwnErrors() async throws {
        let h = try GroupHarness()
        await expectRefusal(h, Self.join("a", assignor: "sticky")) { if case .unsupportedAssignor = $0 { true } else { false } }
        var regex = Self.join("a", topics: [])
        regex.subscribedTopicNames = nil
        regex.subscribedTopicRegex = "(unclosed"
        await expectRefusal(h, regex) { if case .invalidRegularExpression = $0 { true } else { false } }
        var noSubscription = Self.join("a")
        noSubscription.subscribedTopicNames = nil
        await expectRefusal(h, noSubscription) { if case .invalidRequest = $0 { true } else { false } }
        await expectRefusal(h, Self.beat("", epoch: 3)) { if case .invalidRequest = $0 { true } else { false } }
        await expectRefusal(h, Self.beat("a", epoch: -3)) { if case .invalidRequest = $0 { true } else { false } }
        var wharfsOwn = Self.join("a")
        wharfsOwn.groupId = "__wharf-requeue.t"
        await expectRefusal(h, wharfsOwn) { if case .invalidRequest = $0 { true } else { false } }
        #expect(await h.coordinator.describeConsumerGroup("g") == nil)
    }

    @Test func aRegexSubscriptionFollowsTopicsButNotInternalOnes() async throws {
        let h = try GroupHarness()
        var r = Self.join("a", topics: [])
        r.subscribedTopicNames = nil
        r.subscribedTopicRegex = ".*"
        let a = try await heartbeat(h, r)
        #expect(a.assignment == [TopicPartition("t", 0), TopicPartition("t", 1), TopicPartition("t", 2), TopicPartition("t", 3),
                                 TopicPartition("u", 0), TopicPartition("u", 1)])
    }

    @Test func membersEpochsAndAssignmentsSurviveARestart() async throws {
        let h = try GroupHarness()
        let (kept, given) = try await splitPair(h)
        try await h.coordinator.commit(groupId: "g", generationId: 2, memberId: "a", offsets: [TopicPartition("t", 0): (5, "")])
        let before = try #require(await h.coordinator.describeConsumerGroup("g"))
        let restarted = try h.restarted(catalog: Self.catalog)
        #expect(await restarted.coordinator.describeConsumerGroup("g") == before)
        #expect(await restarted.coordinator.listGroups().map { "\($0.groupId) \($0.protocolType) \($0.state)" } == ["g consumer stable"])
        #expect(await restarted.coordinator.fetchOffsets(groupId: "g", partitions: nil)[TopicPartition("t", 0)]?.offset == 5)
        // Both carry on at epoch 2 with what they held: no rejoin, no new assignment.
        let a = try await heartbeat(restarted, Self.beat("a", epoch: 2, owned: kept))
        #expect(a.memberEpoch == 2)
        #expect(a.assignment == nil)
        let b = try await heartbeat(restarted, Self.beat("b", epoch: 2, owned: given))
        #expect(b.memberEpoch == 2)
        #expect(b.assignment == nil)
        try await restarted.coordinator.commit(groupId: "g", generationId: 2, memberId: "b", offsets: [given[0]: (7, "")])
        // A second restart replays the first restart's log as well.
        let again = try restarted.restarted(catalog: Self.catalog)
        #expect(await again.coordinator.describeConsumerGroup("g") == before)
    }

    @Test func aMemberThatDoesNotComeBackAfterARestartExpiresASessionTimeoutLater() async throws {
        let h = try GroupHarness()
        _ = try await splitPair(h)
        await h.advance(30_000)  // the broker is down 30 s: b's session is counted from the restart
        let restarted = try h.restarted(catalog: Self.catalog)
        await restarted.advance(40_000)
        _ = try await heartbeat(restarted, Self.beat("a", epoch: 2))
        #expect(await restarted.coordinator.describeConsumerGroup("g")?.members.count == 2)
        await restarted.advance(6_000)
        #expect(await restarted.coordinator.describeConsumerGroup("g")?.members.map(\.memberId) == ["a"])
        let a = try await heartbeat(restarted, Self.beat("a", epoch: 2))
        #expect(a.memberEpoch == 3)
        #expect(a.assignment?.count == 4)
        // The removal was persisted: after another restart b is still gone.
        let again = try restarted.restarted(catalog: Self.catalog)
        #expect(await again.coordinator.describeConsumerGroup("g")?.members.map(\.memberId) == ["a"])
    }

    @Test func partitionsOfATopicRecreatedWhileDownAreNotRestored() async throws {
        let h = try GroupHarness()
        _ = try await splitPair(h)
        // "t" was deleted and created again: same name and partitions, a new topic id.
        let recreated = TopicCatalog(
            partitionCount: Self.catalog.partitionCount, names: Self.catalog.names,
            topicId: { $0 == "t" ? ConsumerGroupRecord.TopicId(high: 99, low: 1) : Self.catalog.topicId($0) },
            topicName: { $0 == ConsumerGroupRecord.TopicId(high: 99, low: 1) ? "t" : nil })
        let restarted = try h.restarted(catalog: recreated)
        let described = try #require(await restarted.coordinator.describeConsumerGroup("g"))
        #expect(described.members.map(\.assigned) == [[], []])
        // The next heartbeat sees the new topic, moves the group epoch and assigns it afresh.
        let a = try await restarted.coordinator.consumerGroupHeartbeat(Self.beat("a", epoch: 2, owned: []), catalog: recreated)
        #expect(a.memberEpoch == 3)
        #expect(a.assignment?.count == 2)
    }

    @Test func aDeletedOrConvertedConsumerGroupLeavesNoMembersBehind() async throws {
        let h = try GroupHarness()
        _ = try await heartbeat(h, Self.join("a"))
        _ = try await heartbeat(h, ConsumerGroupHeartbeatRequest(groupId: "g", memberId: "a", memberEpoch: -1))
        try await h.coordinator.deleteGroup("g")
        let restarted = try h.restarted(catalog: Self.catalog)
        #expect(await restarted.coordinator.describeConsumerGroup("g") == nil)
        #expect(await restarted.coordinator.listGroups().isEmpty)
        // An empty consumer group taken over by a classic member is classic after a restart.
        _ = try await heartbeat(restarted, Self.join("b"))
        _ = try await heartbeat(restarted, ConsumerGroupHeartbeatRequest(groupId: "g", memberId: "b", memberEpoch: -1))
        let join = await restarted.startJoin(consumerJoin())
        _ = try await join.value
        let again = try restarted.restarted(catalog: Self.catalog)
        #expect(await again.coordinator.isConsumerProtocolGroup("g") == false)
    }

    @Test func aResetFencesConsumerMembers() async throws {
        let h = try GroupHarness()
        _ = try await splitPair(h)
        let outcome = try await h.coordinator.resetOffsets(groupId: "g", offsets: [TopicPartition("t", 0): 0])
        #expect(outcome.fencedMembers == ["a", "b"])
        await expectRefusal(h, Self.beat("a", epoch: 2)) { if case .unknownMember = $0 { true } else { false } }
        await expectError(.unknownMember(group: "g", member: "a")) { () throws(WharfError) in
            try await h.coordinator.commit(groupId: "g", generationId: 2, memberId: "a", offsets: [TopicPartition("t", 0): (9, "")])
        }
        #expect(await h.coordinator.fetchOffsets(groupId: "g", partitions: nil)[TopicPartition("t", 0)]?.offset == 0)
    }
}

/// The server-side assignors on their own.
@Suite struct ConsumerGroupAssignorTests {
    typealias Member = ConsumerGroupAssignor.Member

    @Test func uniformBalancesAndKeepsWhatMembersHold() {
        let held: Set<TopicPartition> = [TopicPartition("t", 0), TopicPartition("t", 1), TopicPartition("t", 2)]
        let out = ConsumerGroupAssignor.uniform.assign([
            Member(id: "a", topics: ["t"], current: held), Member(id: "b", topics: ["t"], current: []),
            Member(id: "c", topics: ["t"], current: []),
        ], partitions: ["t": 7])
        #expect(out.values.map(\.count).sorted() == [2, 2, 3])
        #expect(out["a"]!.isSubset(of: held), "a keeps its own")
        #expect(out.values.reduce(Set()) { $0.union($1) }.count == 7)
    }

    @Test func uniformGivesATopicOnlyToItsSubscribers() {
        let out = ConsumerGroupAssignor.uniform.assign([
            Member(id: "a", topics: ["t"], current: []), Member(id: "b", topics: ["t", "u"], current: []),
        ], partitions: ["t": 2, "u": 2])
        #expect(out["a"]!.allSatisfy { $0.topic == "t" })
        #expect(out["b"]!.filter { $0.topic == "u" }.count == 2)
    }

    @Test func rangeSplitsEachTopicInConsecutiveRanges() {
        let out = ConsumerGroupAssignor.range.assign([
            Member(id: "b", topics: ["t"], current: []), Member(id: "a", topics: ["t"], current: []),
        ], partitions: ["t": 5])
        #expect(out["a"] == Set((0..<3).map { TopicPartition("t", $0) }))
        #expect(out["b"] == Set((3..<5).map { TopicPartition("t", $0) }))
    }
}
