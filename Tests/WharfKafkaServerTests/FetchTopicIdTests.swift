import Foundation
import KafkaProtocol
import Testing
import WharfCore
import WharfEngine
@testable import WharfKafkaServer

/// Fetch v13 names topics by id (KIP-516): the listener reads the topic the id names, and a
/// topic deleted and created again under the same name is a different topic to a fetch that
/// still carries the old id (UNKNOWN_TOPIC_ID), never the new topic read at the old offsets.
@Suite struct FetchTopicIdTests {
    static func fetch(_ client: RawKafkaSocket, topic: String = "", id: KafkaUUID = .zero, offset: Int64 = 0, version: Int16, correlationId: Int32) async throws -> FetchResponse {
        var request = FetchRequest()
        request.maxWaitMs = 0
        request.minBytes = 1
        request.topics = [.init(topic: topic, topicId: id, partitions: [.init(partition: 0, fetchOffset: offset, partitionMaxBytes: 1 << 20)])]
        guard case .fetch(let answer) = try await client.roundTrip(.fetch(request), version: version, correlationId: correlationId) else {
            throw WharfError.malformed("not a Fetch answer")
        }
        return answer
    }

    @Test func aFetchByTopicIdReadsThatTopicAndTellsARecreatedOneApart() async throws {
        let clock = ManualClock(1_700_000_000_000)
        try await ListenerLimitsTests.withListener(clock: clock) { f, _, port in
            try f.engine.createTopic("t", .init(partitions: 1))
            try f.engine.produce(topic: "t", records: [Record(key: nil, value: "old-0"), Record(key: nil, value: "old-1")], partition: 0)
            let old = try f.engine.topicId("t")
            let oldId = KafkaUUID(high: old.high, low: old.low)
            let client = try await RawKafkaSocket.connect(port: port)
            defer { client.close() }

            let byId = try await Self.fetch(client, id: oldId, version: 13, correlationId: 1)
            #expect(byId.responses.map(\.topicId) == [oldId])
            #expect(byId.responses.first?.partitions.first?.errorCode == 0)
            #expect(byId.responses.first?.partitions.first?.highWatermark == 2)
            #expect((byId.responses.first?.partitions.first?.records ?? []).isEmpty == false)
            // v12 still names topics.
            let byName = try await Self.fetch(client, topic: "t", version: 12, correlationId: 2)
            #expect(byName.responses.map(\.topic) == ["t"])
            #expect(byName.responses.first?.partitions.first?.highWatermark == 2)

            try f.engine.deleteTopic("t")
            clock.advance(byMillis: 1_000)
            try f.engine.createTopic("t", .init(partitions: 1))
            try f.engine.produce(topic: "t", records: [Record(key: nil, value: "new-0")], partition: 0)
            let new = try f.engine.topicId("t")
            let newId = KafkaUUID(high: new.high, low: new.low)
            #expect(newId != oldId)

            // The old id, at the old topic's offset: the client is told, and reads nothing.
            let stale = try await Self.fetch(client, id: oldId, offset: 2, version: 13, correlationId: 3)
            #expect(stale.responses.map(\.topicId) == [oldId])
            #expect(stale.responses.first?.partitions.first?.errorCode == KafkaError.unknownTopicId)
            #expect(stale.responses.first?.partitions.first?.records?.isEmpty ?? true)
            let fresh = try await Self.fetch(client, id: newId, version: 13, correlationId: 4)
            #expect(fresh.responses.map(\.topicId) == [newId])
            #expect(fresh.responses.first?.partitions.first?.errorCode == 0)
            #expect(fresh.responses.first?.partitions.first?.highWatermark == 1)
        }
    }
}
