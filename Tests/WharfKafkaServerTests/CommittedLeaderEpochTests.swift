import KafkaProtocol
import Testing
import WharfCore
@testable import WharfKafkaServer

/// OffsetCommit (v6+) carries the leader epoch of the committed position and OffsetFetch (v5+)
/// answers it, so a consumer resuming from a commit can validate it (KIP-320); librdkafka 2.15's
/// 0081 `do_test_AlterConsumerGroupOffsets` commits epoch 1 and expects it back.
@Suite struct CommittedLeaderEpochTests {
    @Test func aCommittedLeaderEpochIsAnsweredByOffsetFetch() async throws {
        try await ListenerLimitsTests.withListener { f, _, port in
            try f.engine.createTopic("t", .init(partitions: 2))
            let client = try await RawKafkaSocket.connect(port: port)
            defer { client.close() }
            let commit = OffsetCommitRequest(groupId: "g", generationIdOrMemberEpoch: -1, memberId: "", topics: [
                .init(name: "t", partitions: [.init(partitionIndex: 0, committedOffset: 5, committedLeaderEpoch: 1),
                                              .init(partitionIndex: 1, committedOffset: 7)])])
            guard case .offsetCommit(let c) = try await client.roundTrip(.offsetCommit(commit), version: 8) else { Issue.record("not OffsetCommit"); return }
            #expect(c.topics.flatMap(\.partitions).map(\.errorCode) == [0, 0])

            let fetch = OffsetFetchRequest(groupId: "g", topics: [.init(name: "t", partitionIndexes: [0, 1])])
            guard case .offsetFetch(let old) = try await client.roundTrip(.offsetFetch(fetch), version: 7, correlationId: 2) else { Issue.record("not OffsetFetch"); return }
            let partitions = old.topics.flatMap(\.partitions).sorted { $0.partitionIndex < $1.partitionIndex }
            #expect(partitions.map(\.committedOffset) == [5, 7])
            #expect(partitions.map(\.committedLeaderEpoch) == [1, -1])

            let many = OffsetFetchRequest(groups: [.init(groupId: "g", topics: [.init(name: "t", partitionIndexes: [0])])])
            guard case .offsetFetch(let new) = try await client.roundTrip(.offsetFetch(many), version: 8, correlationId: 3) else { Issue.record("not OffsetFetch"); return }
            #expect(new.groups.first?.topics.first?.partitions.first?.committedLeaderEpoch == 1)
        }
    }

    static let confluentScript = #"""
import sys
from confluent_kafka import Consumer, TopicPartition
c = Consumer({"bootstrap.servers": sys.argv[1], "group.id": "cle", "enable.auto.commit": False})
c.commit(offsets=[TopicPartition("t", 0, 5, leader_epoch=1)], asynchronous=False)
got = c.committed([TopicPartition("t", 0)], timeout=30)[0]
print("COMMITTED", got.offset, got.leader_epoch)
c.close()
"""#

    /// confluent-kafka (librdkafka 2.16) commits an offset with its leader epoch and reads both back.
    @Test func confluentKafkaReadsBackTheLeaderEpochItCommitted() async throws {
        try await ListenerLimitsTests.withListener { f, server, port in
            try f.engine.createTopic("t", .init(partitions: 1))
            let run = try await ClientProcess.run(["python3", "-c", Self.confluentScript, "127.0.0.1:\(port)"])
            #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
            #expect(run.stdout.contains("COMMITTED 5 1\n"), "\(run.stdout) \(run.stderr)")
            await server.expectAnswered(["OffsetCommit", "OffsetFetch"])
        }
    }
}
