import KafkaProtocol
import Testing
import WharfCore
import WharfEngine
@testable import WharfKafkaServer

/// A topic deleted and created again under the same name, through the listener with raw
/// frames: DeleteTopics v6 names a topic by its id (so only that incarnation is deleted), and
/// OffsetForLeaderEpoch answers for the incarnation that exists now, at its one leader epoch.
@Suite struct TopicIncarnationTests {
    static func delete(_ socket: RawKafkaSocket, _ topics: [DeleteTopicsRequest.DeleteTopicState]) async throws -> [DeleteTopicsResponse.DeletableTopicResult] {
        guard case .deleteTopics(let r) = try await socket.roundTrip(.deleteTopics(DeleteTopicsRequest(topics: topics, timeoutMs: 1000)), version: 6) else {
            throw WharfError.malformed("not DeleteTopics")
        }
        return r.responses
    }

    static func uuid(_ engine: Engine, _ topic: String) throws -> KafkaUUID {
        let id = try engine.topicId(topic)
        return KafkaUUID(high: id.high, low: id.low)
    }

    @Test func deleteTopicsByIdDeletesOnlyThatIncarnation() async throws {
        let clock = ManualClock(1_800_000_000_000)
        try await ListenerLimitsTests.withListener(clock: clock) { f, _, port in
            try f.engine.createTopic("t", .init(partitions: 1))
            try f.engine.createTopic("u", .init(partitions: 1))
            let socket = try await RawKafkaSocket.connect(port: port)
            defer { socket.close() }
            let first = try Self.uuid(f.engine, "t")
            clock.advance(byMillis: 1_000)
            try f.engine.deleteTopic("t")
            try f.engine.createTopic("t", .init(partitions: 1))
            let second = try Self.uuid(f.engine, "t")
            #expect(first != second)

            // The old incarnation's id no longer names a topic; the new one stays.
            let stale = try await Self.delete(socket, [.init(name: nil, topicId: first)])
            #expect(stale.map(\.errorCode) == [KafkaError.unknownTopicId])
            #expect(stale.first?.name == nil)
            #expect((try? f.engine.describeTopic("t")) != nil)
            // Name and id together, or neither, is INVALID_REQUEST.
            let both = try await Self.delete(socket, [.init(name: "t", topicId: second), .init(name: nil, topicId: .zero)])
            #expect(both.map(\.errorCode) == [KafkaError.invalidRequest, KafkaError.invalidRequest])
            // By the current id: deleted, answered with its name and id; by name: answered with the id too.
            let uId = try Self.uuid(f.engine, "u")
            let deleted = try await Self.delete(socket, [.init(name: nil, topicId: second), .init(name: "u")])
            #expect(deleted.map(\.errorCode) == [0, 0])
            #expect(deleted.map(\.name) == ["t", "u"])
            #expect(deleted.map(\.topicId) == [second, uId])
            #expect((try? f.engine.describeTopic("t")) == nil)
            #expect((try? f.engine.describeTopic("u")) == nil)
            // v3 still deletes by name.
            try f.engine.createTopic("v", .init(partitions: 1))
            guard case .deleteTopics(let old) = try await socket.roundTrip(.deleteTopics(DeleteTopicsRequest(topicNames: ["v"], timeoutMs: 1000)), version: 3) else {
                throw WharfError.malformed("not DeleteTopics")
            }
            #expect(old.responses.map(\.errorCode) == [0])
        }
    }

    static func endOffsets(_ socket: RawKafkaSocket, epoch: Int32, current: Int32 = -1) async throws -> OffsetForLeaderEpochResponse.EpochEndOffset {
        var request = OffsetForLeaderEpochRequest()
        request.topics = [.init(topic: "t", partitions: [.init(partition: 0, currentLeaderEpoch: current, leaderEpoch: epoch)])]
        guard case .offsetForLeaderEpoch(let r) = try await socket.roundTrip(.offsetForLeaderEpoch(request), version: 3) else {
            throw WharfError.malformed("not OffsetForLeaderEpoch")
        }
        return try #require(r.topics.first?.partitions.first)
    }

    @Test func offsetForLeaderEpochAnswersTheCurrentIncarnationAtItsOneEpoch() async throws {
        let clock = ManualClock(1_800_000_000_000)
        try await ListenerLimitsTests.withListener(clock: clock) { f, _, port in
            try f.engine.createTopic("t", .init(partitions: 1))
            _ = try f.engine.produce(topic: "t", records: (0..<5).map { Record(key: nil, value: Array("v\($0)".utf8)) }, partition: 0)
            let socket = try await RawKafkaSocket.connect(port: port)
            defer { socket.close() }
            let before = try await Self.endOffsets(socket, epoch: 0)
            #expect(before.errorCode == 0 && before.leaderEpoch == 0 && before.endOffset == 5)

            // Recreated with fewer records: epoch 0 ends at the new log's end (a consumer that
            // read the old incarnation's epoch 0 up to 5 sees its position is past it).
            clock.advance(byMillis: 1_000)
            try f.engine.deleteTopic("t")
            try f.engine.createTopic("t", .init(partitions: 1))
            _ = try f.engine.produce(topic: "t", records: [Record(key: nil, value: [1])], partition: 0)
            let after = try await Self.endOffsets(socket, epoch: 0)
            #expect(after.errorCode == 0 && after.leaderEpoch == 0 && after.endOffset == 1)

            // An epoch this broker never had: UNDEFINED (-1/-1), as Kafka answers an epoch
            // above its latest; a current epoch ahead of the broker's: UNKNOWN_LEADER_EPOCH.
            let later = try await Self.endOffsets(socket, epoch: 3)
            #expect(later.errorCode == 0 && later.leaderEpoch == -1 && later.endOffset == -1)
            let ahead = try await Self.endOffsets(socket, epoch: 0, current: 2)
            #expect(ahead.errorCode == KafkaError.unknownLeaderEpoch)
            let current = try await Self.endOffsets(socket, epoch: 0, current: 0)
            #expect(current.errorCode == 0 && current.endOffset == 1)
        }
    }
}
