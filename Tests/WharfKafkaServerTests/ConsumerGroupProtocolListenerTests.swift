import Foundation
import KafkaProtocol
import Logging
import Testing
import WharfCore
import WharfEngine
import WharfKafkaClient
@testable import WharfKafkaServer

/// KIP-848 consumer groups through the listener: ConsumerGroupHeartbeat and
/// ConsumerGroupDescribe with raw frames (topic ids in, topic ids out), and confluent-kafka
/// (librdkafka 2.16) consumers with `group.protocol=consumer` beside a classic group on the
/// same broker. A missing client fails the test (CI installs it).
@Suite struct ConsumerGroupProtocolListenerTests {
    /// A listener over an engine whose consumer groups heartbeat every 300 ms, so real clients
    /// move through a rebalance in a few round trips.
    static func withListener(_ body: (Engine, Int) async throws -> Void) async throws {
        let dir = NSTemporaryDirectory() + "wharf-kip848-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var engineConfig = EngineConfig(dataDirectory: dir, fsync: .never)
        engineConfig.consumerGroups = ConsumerGroupSettings(heartbeatIntervalMs: 300)
        let engine = try Engine.open(config: engineConfig, logger: Logger(label: "test"))
        defer { try? engine.close() }
        let server = KafkaServer(engine: engine, configuration: .forTest(), logger: Logger(label: "test"))
        let port = try await server.start()
        do {
            try await body(engine, port)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    static func heartbeat(_ client: RawKafkaSocket, _ r: KafkaProtocol.ConsumerGroupHeartbeatRequest, id: Int32) async throws -> ConsumerGroupHeartbeatResponse {
        guard case .consumerGroupHeartbeat(let answer) = try await client.roundTrip(.consumerGroupHeartbeat(r), version: 1, correlationId: id) else {
            throw WharfError.malformed("not a ConsumerGroupHeartbeat answer")
        }
        return answer
    }

    @Test func heartbeatsAssignByTopicIdAndDescribeShowsTheGroup() async throws {
        try await Self.withListener { engine, port in
            try engine.createTopic("t", .init(partitions: 3))
            let id = try engine.topicId("t")
            let topicId = KafkaUUID(high: id.high, low: id.low)
            let client = try await RawKafkaSocket.connect(port: port)
            defer { client.close() }
            var join = KafkaProtocol.ConsumerGroupHeartbeatRequest()
            join.groupId = "g"
            join.memberId = "m-1"
            join.memberEpoch = 0
            join.rebalanceTimeoutMs = 30_000
            join.subscribedTopicNames = ["t"]
            join.topicPartitions = []
            let joined = try await Self.heartbeat(client, join, id: 1)
            #expect(joined.errorCode == 0)
            #expect(joined.memberId == "m-1")
            #expect(joined.memberEpoch == 1)
            #expect(joined.heartbeatIntervalMs == 300)
            #expect(joined.assignment?.topicPartitions == [.init(topicId: topicId, partitions: [0, 1, 2])])

            var beat = KafkaProtocol.ConsumerGroupHeartbeatRequest()
            beat.groupId = "g"
            beat.memberId = "m-1"
            beat.memberEpoch = 1
            beat.topicPartitions = [.init(topicId: topicId, partitions: [0, 1, 2])]
            let steady = try await Self.heartbeat(client, beat, id: 2)
            #expect(steady.errorCode == 0)
            #expect(steady.assignment == nil, "unchanged assignments are not repeated")

            beat.memberEpoch = 9
            let fenced = try await Self.heartbeat(client, beat, id: 3)
            #expect(fenced.errorCode == KafkaError.fencedMemberEpoch)

            // A classic member cannot join the consumer group while it has members.
            let classic = KafkaProtocol.JoinGroupRequest(groupId: "g", sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, memberId: "",
                                           groupInstanceId: nil, protocolType: "consumer", protocols: [.init(name: "range", metadata: [])])
            guard case .joinGroup(let refused) = try await client.roundTrip(.joinGroup(classic), version: 5, correlationId: 4) else {
                Issue.record("not a JoinGroup answer")
                return
            }
            #expect(refused.errorCode == KafkaError.inconsistentGroupProtocol)

            guard case .consumerGroupDescribe(let described) = try await client.roundTrip(
                .consumerGroupDescribe(ConsumerGroupDescribeRequest(groupIds: ["g", "nope"])), version: 0, correlationId: 5) else {
                Issue.record("not a ConsumerGroupDescribe answer")
                return
            }
            #expect(described.groups.map(\.errorCode) == [0, KafkaError.groupIdNotFound])
            let g = try #require(described.groups.first)
            #expect(g.groupState == "Stable")
            #expect(g.assignorName == "uniform")
            #expect(g.members.map(\.memberId) == ["m-1"])
            #expect(g.members.first?.assignment.topicPartitions == [.init(topicId: topicId, topicName: "t", partitions: [0, 1, 2])])

            // Wharf's own client (the dashboard's Kafka cluster source) finds the group's members
            // through ConsumerGroupDescribe, as against Kafka 4: DescribeGroups calls it Dead.
            let wharfClient = KafkaClient(bootstrap: [BootstrapAddress(host: "127.0.0.1", port: port)])
            let seen: Result<[String: WharfKafkaClient.GroupDescription], KafkaClientError>
            do throws(KafkaClientError) { seen = .success(try await wharfClient.describeGroups(["g"])) } catch { seen = .failure(error) }
            await wharfClient.close()
            let viaClient = try seen.get()["g"]
            #expect(viaClient?.state == "Stable")
            #expect(viaClient?.protocolType == "consumer")
            #expect(viaClient?.members.flatMap(\.assignment) == [TopicPartition("t", 0), TopicPartition("t", 1), TopicPartition("t", 2)])

            // A member epoch on OffsetCommit: the current one stores, an old one is STALE_MEMBER_EPOCH.
            for (epoch, expected) in [(Int32(1), KafkaError.none), (0, KafkaError.staleMemberEpoch)] {
                var commit = OffsetCommitRequest()
                commit.groupId = "g"
                commit.memberId = "m-1"
                commit.generationIdOrMemberEpoch = epoch
                commit.topics = [.init(name: "t", partitions: [.init(partitionIndex: 0, committedOffset: 4, committedLeaderEpoch: -1, committedMetadata: "")])]
                guard case .offsetCommit(let committed) = try await client.roundTrip(.offsetCommit(commit), version: 9, correlationId: 6) else {
                    Issue.record("not an OffsetCommit answer")
                    return
                }
                #expect(committed.topics.first?.partitions.first?.errorCode == expected, "epoch \(epoch)")
            }

            // OffsetFetch v9 names the member: its current epoch reads the commit, an old epoch is
            // STALE_MEMBER_EPOCH, an unknown member UNKNOWN_MEMBER_ID; an admin (no member, epoch
            // -1) reads it too, as does a member of a classic group (not checked).
            let fetches: [(String?, Int32, Int16)] = [("m-1", 1, KafkaError.none), ("m-1", 0, KafkaError.staleMemberEpoch),
                                                      ("m-9", 1, KafkaError.unknownMemberId), (nil, -1, KafkaError.none)]
            for (member, epoch, expected) in fetches {
                let fetch = OffsetFetchRequest(groups: [.init(groupId: "g", memberId: member, memberEpoch: epoch, topics: [.init(name: "t", partitionIndexes: [0])]),
                                                        .init(groupId: "classic", memberId: "x", memberEpoch: 3, topics: nil)])
                guard case .offsetFetch(let fetched) = try await client.roundTrip(.offsetFetch(fetch), version: 9, correlationId: 7) else {
                    Issue.record("not an OffsetFetch answer")
                    return
                }
                #expect(fetched.groups.map(\.errorCode) == [expected, KafkaError.none], "\(member ?? "nil") epoch \(epoch)")
                let offset = fetched.groups.first?.topics.first?.partitions.first?.committedOffset
                #expect(offset == (expected == KafkaError.none ? 4 : nil))
            }

            // ListGroups v4 filters by state, v5 by type, both case-insensitive (librdkafka's
            // ListConsumerGroups reads the states): "tool" is a classic group of commits only.
            var toolCommit = OffsetCommitRequest()
            toolCommit.groupId = "tool"
            toolCommit.generationIdOrMemberEpoch = -1
            toolCommit.topics = [.init(name: "t", partitions: [.init(partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: "")])]
            _ = try await client.roundTrip(.offsetCommit(toolCommit), version: 9, correlationId: 8)
            for (version, request, expected) in [(Int16(5), ListGroupsRequest(), ["g Stable consumer", "tool Empty classic"]),
                                                 (4, ListGroupsRequest(statesFilter: ["EMPTY"]), ["tool Empty "]),
                                                 (5, ListGroupsRequest(typesFilter: ["Consumer"]), ["g Stable consumer"]),
                                                 (5, ListGroupsRequest(statesFilter: ["stable"], typesFilter: ["classic"]), [])] {
                guard case .listGroups(let listed) = try await client.roundTrip(.listGroups(request), version: version, correlationId: 9) else {
                    Issue.record("not a ListGroups answer")
                    return
                }
                #expect(listed.groups.map { "\($0.groupId) \($0.groupState) \($0.groupType)" } == expected, "v\(version) \(request.statesFilter) \(request.typesFilter)")
            }

            beat.memberEpoch = -1
            beat.topicPartitions = nil
            let left = try await Self.heartbeat(client, beat, id: 7)
            #expect(left.errorCode == 0)
            #expect(left.memberEpoch == -1)
            #expect(await engine.coordinator.describeConsumerGroup("g")?.members.isEmpty == true)
        }
    }

    static let confluentScript = #"""
import sys, time
from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient
bs = sys.argv[1]
def consumer(name, group="cg", protocol="consumer"):
    conf = {"bootstrap.servers": bs, "group.id": group, "auto.offset.reset": "earliest",
            "enable.auto.commit": False, "client.id": name}
    if protocol == "consumer":
        conf["group.protocol"] = "consumer"
    else:
        conf["session.timeout.ms"] = 6000
    return Consumer(conf)
def parts(c):
    return sorted(tp.partition for tp in c.assignment())
def poll_until(consumers, cond, what, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        for c in consumers:
            c.poll(0.1)
        if cond():
            return
    print("TIMEOUT", what, [parts(c) for c in consumers])
    sys.exit(1)
a = consumer("a"); a.subscribe(["cg-t"])
poll_until([a], lambda: len(parts(a)) == 4, "a alone")
print("ALONE", parts(a))
b = consumer("b"); b.subscribe(["cg-t"])
classic = consumer("classic", group="classic-g", protocol="classic"); classic.subscribe(["cg-t"])
poll_until([a, b, classic], lambda: len(parts(a)) == 2 and len(parts(b)) == 2 and len(parts(classic)) == 4, "split")
print("SPLIT", parts(a), parts(b), "DISJOINT", not set(parts(a)) & set(parts(b)))
p = Producer({"bootstrap.servers": bs})
for i in range(40):
    p.produce("cg-t", value=b"v%d" % i, partition=i % 4)
p.flush(30)
def caught_up(c):
    return all(tp.offset == 10 for tp in c.position(c.assignment()))
poll_until([a, b, classic], lambda: caught_up(a) and caught_up(b) and caught_up(classic), "consume")
a.commit(asynchronous=False); b.commit(asynchronous=False); classic.commit(asynchronous=False)
print("COMMITTED", sum(tp.offset for tp in a.committed([TopicPartition("cg-t", i) for i in range(4)], timeout=30)))
admin = AdminClient({"bootstrap.servers": bs})
d = admin.describe_consumer_groups(["cg"])["cg"].result(timeout=30)
print("DESCRIBED", d.state.name, len(d.members), sorted(tp.partition for m in d.members for tp in m.assignment.topic_partitions))
b.close()
poll_until([a, classic], lambda: len(parts(a)) == 4, "rebalance after b left")
print("REBALANCED", parts(a))
groups = admin.list_consumer_groups().result(timeout=30)
print("LISTED", sorted(g.group_id for g in groups.valid))
a.close(); classic.close()
"""#

    @Test func confluentKafkaConsumersSplitRebalanceAndCommitBesideAClassicGroup() async throws {
        try await Self.withListener { engine, port in
            try engine.createTopic("cg-t", .init(partitions: 4))
            let run = try await ClientProcess.run(["python3", "-c", Self.confluentScript, "127.0.0.1:\(port)"], timeout: .seconds(240))
            #expect(run.status == 0, "\(run.stdout) \(run.stderr.suffix(3000))")
            for line in ["ALONE [0, 1, 2, 3]", "DISJOINT True", "COMMITTED 40", "DESCRIBED STABLE 2 [0, 1, 2, 3]",
                         "REBALANCED [0, 1, 2, 3]", "LISTED ['cg', 'classic-g']"] {
                #expect(run.stdout.contains(line), "\(line) missing: \(run.stdout) \(run.stderr.suffix(3000))")
            }
            // The engine's lag view (the dashboard's) reads the consumer group's commits.
            let lag = try await engine.groupLag("cg")
            #expect(lag.partitions.map(\.committedOffset) == [10, 10, 10, 10])
            #expect(lag.partitions.allSatisfy { $0.logEndOffset == 10 })
            #expect(try await engine.groupLag("classic-g").partitions.map(\.committedOffset) == [10, 10, 10, 10])
        }
    }
}
