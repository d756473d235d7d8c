import Foundation
import KafkaProtocol
import Logging
import Testing
import WharfCore
import WharfEngine
import WharfKafkaClient
@testable import WharfKafkaServer

/// OffsetFetch v8+ (many groups per request) and FindCoordinator v4 (many keys per request):
/// what lets a cluster dashboard refresh hundreds of groups in a few round trips.
@Suite struct OffsetFetchBatchingTests {
    /// Commits `offset = group index + partition` on partitions 0 and 1 of "a" and partition 0 of "b".
    static func commitGroups(_ engine: Engine, count: Int) async throws {
        try engine.createTopic("a", .init(partitions: 2))
        try engine.createTopic("b", .init(partitions: 1))
        for i in 0..<count {
            let offsets: [TopicPartition: (offset: Int64, metadata: String)] = [
                TopicPartition("a", 0): (Int64(i), ""), TopicPartition("a", 1): (Int64(i + 1), "m"), TopicPartition("b", 0): (Int64(i + 2), ""),
            ]
            try await engine.coordinator.commit(groupId: "g\(i)", generationId: -1, memberId: "", offsets: offsets)
        }
    }

    @Test func fiftyGroupsCostOneOffsetFetchAndOneFindCoordinatorOverTheWire() async throws {
        let f = try KafkaBrokerTests.Fixture()
        try await Self.commitGroups(f.engine, count: 50)
        var config = KafkaServer.Configuration.forTest()
        let server = KafkaServer(engine: f.engine, configuration: config, logger: Logger(label: "test"))
        let port = try await server.start()
        let client = KafkaClient(bootstrap: [BootstrapAddress(host: "127.0.0.1", port: port)])
        do {
            #expect(try await client.negotiatedVersion(.offsetFetch) == 9)
            #expect(try await client.negotiatedVersion(.findCoordinator) == 4)
            let groups = (0..<50).map { "g\($0)" } + ["never-committed"]
            let committed = try await client.offsetFetch(groups)
            #expect(await client.requestCounts[.offsetFetch] == 1)
            #expect(await client.requestCounts[.findCoordinator] == 1)
            #expect(committed.count == 51)
            for i in 0..<50 {
                #expect(committed["g\(i)"] == [TopicPartition("a", 0): Int64(i), TopicPartition("a", 1): Int64(i + 1), TopicPartition("b", 0): Int64(i + 2)])
            }
            #expect(committed["never-committed"] == [:])
        } catch {
            await client.close()
            await server.stop()
            throw error
        }
        await client.close()
        await server.stop()
    }

    @Test func versionFiveStillNamesOneGroupAndAnswersMinusOneForPartitionsWithoutACommit() async throws {
        let f = try KafkaBrokerTests.Fixture()
        try await Self.commitGroups(f.engine, count: 2)
        var request = OffsetFetchRequest()
        request.groupId = "g1"
        request.topics = [.init(name: "a", partitionIndexes: [1]), .init(name: "b", partitionIndexes: [0, 5])]
        guard case .offsetFetch(let r) = try await f.response(.offsetFetch(request), version: 5) else { Issue.record("not OffsetFetch"); return }
        #expect(r.errorCode == 0)
        #expect(r.topics.map(\.name) == ["a", "b"])
        #expect(r.topics[0].partitions.map { [Int64($0.partitionIndex), $0.committedOffset] } == [[1, 2]])
        #expect(r.topics[0].partitions[0].metadata == "m")
        #expect(r.topics[1].partitions.map { [Int64($0.partitionIndex), $0.committedOffset] } == [[0, 3], [5, -1]])

        request.topics = nil  // v2+: every committed partition
        guard case .offsetFetch(let all) = try await f.response(.offsetFetch(request), version: 2) else { Issue.record("not OffsetFetch"); return }
        #expect(all.topics.flatMap { t in t.partitions.map { "\(t.name)/\($0.partitionIndex)=\($0.committedOffset)" } } == ["a/0=1", "a/1=2", "b/0=3"])
    }

    @Test func versionsEightAndNineAnswerEveryGroupWithItsOwnTopicsAndAcceptAnAdminReadOrAMember() async throws {
        let f = try KafkaBrokerTests.Fixture()
        try await Self.commitGroups(f.engine, count: 3)
        for version: Int16 in [6, 7] {
            var single = OffsetFetchRequest()
            single.groupId = "g2"
            single.topics = nil
            single.requireStable = version >= 7
            guard case .offsetFetch(let r) = try await f.response(.offsetFetch(single), version: version) else { Issue.record("not OffsetFetch"); return }
            #expect(r.topics.flatMap { t in t.partitions.map(\.committedOffset) } == [2, 3, 4], "v\(version)")
        }
        for version: Int16 in [8, 9] {
            var request = OffsetFetchRequest()
            request.groups = [
                .init(groupId: "g0", memberId: nil, memberEpoch: -1, topics: nil),
                .init(groupId: "g2", memberId: version >= 9 ? "someone" : nil, memberEpoch: version >= 9 ? 3 : -1,
                      topics: [.init(name: "b", partitionIndexes: [0, 1])]),
                .init(groupId: "unknown", memberId: nil, memberEpoch: -1, topics: nil),
            ]
            guard case .offsetFetch(let r) = try await f.response(.offsetFetch(request), version: version) else { Issue.record("not OffsetFetch"); return }
            #expect(r.groups.map(\.groupId) == ["g0", "g2", "unknown"], "v\(version)")
            #expect(r.groups.map(\.errorCode) == [0, 0, 0])
            #expect(r.groups[0].topics.flatMap { t in t.partitions.map { "\(t.name)/\($0.partitionIndex)=\($0.committedOffset)" } } == ["a/0=0", "a/1=1", "b/0=2"])
            #expect(r.groups[0].topics[0].partitions[1].metadata == "m")
            #expect(r.groups[1].topics.flatMap { t in t.partitions.map { "\(t.name)/\($0.partitionIndex)=\($0.committedOffset)" } } == ["b/0=4", "b/1=-1"])
            #expect(r.groups[2].topics.isEmpty)
        }
    }

    @Test func findCoordinatorFourAnswersEveryKeyAndOlderVersionsTheOneKey() async throws {
        let f = try KafkaBrokerTests.Fixture()
        var batched = FindCoordinatorRequest()
        batched.coordinatorKeys = ["x", "y", "z"]
        guard case .findCoordinator(let r) = try await f.response(.findCoordinator(batched), version: 4) else { Issue.record("not FindCoordinator"); return }
        #expect(r.coordinators.map(\.key) == ["x", "y", "z"])
        #expect(r.coordinators.allSatisfy { $0.nodeId == 0 && $0.host == "127.0.0.1" && $0.port == 9092 && $0.errorCode == 0 })
        for version: Int16 in [0, 3] {
            guard case .findCoordinator(let one) = try await f.response(.findCoordinator(FindCoordinatorRequest(key: "x")), version: version) else {
                Issue.record("not FindCoordinator"); return
            }
            #expect(one.errorCode == 0 && one.nodeId == 0 && one.host == "127.0.0.1" && one.port == 9092, "v\(version)")
        }
    }
}
