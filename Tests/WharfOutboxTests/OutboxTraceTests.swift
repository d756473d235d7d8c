import Foundation
import Testing
import WharfCore
import WharfEngine
@testable import WharfOutbox

/// `Engine.trace`: an outbox row followed through relay, consumption, dead-lettering and requeue.
@Suite struct OutboxTraceTests {
    @Test func aTraceFollowsAnOutboxRowThroughRelayConsumptionDeadLetteringAndRequeue() async throws {
        let f = try await OutboxFixture()
        let id = UUID()
        try await f.enqueue([event("order", "o-42", 1, id: id), event("order", "o-7", 2)])
        try await f.relay().pollOnce()
        let topic = "outbox.event.order"
        let published = try #require(f.records(topic).first { header($0, "id") == id.uuidString.lowercased() })
        let partition = try #require(try f.engine.describeTopic(topic).partitions.first { p in
            ((try? f.engine.readRecords(topic: topic, partition: p.partition, from: 0, maxRecords: 10)) ?? []).contains(published)
        }?.partition)

        // billing consumes it (commits past it); the handler fails and a Kafka Connect style
        // dead-letter publisher copies it (headers kept) to orders.DLT with the reason.
        f.clock.advance(byMillis: 1_000)
        try await f.engine.commitFromClient(groupId: "billing", generationId: -1, memberId: "",
                                            offsets: [TopicPartition(topic, partition): (published.offset + 1, "")], actor: .thisProcess)
        try f.engine.createTopic("orders.DLT", .init(partitions: 1))
        f.clock.advance(byMillis: 1_000)
        let dead = Record(key: published.key, value: published.value, headers: published.headers + [
            RecordHeader("__connect.errors.topic", topic), RecordHeader("__connect.errors.partition", "\(partition)"),
            RecordHeader("__connect.errors.offset", "\(published.offset)"),
            RecordHeader("__connect.errors.exception.message", "card declined"),
        ], timestamp: f.clock.nowMillis())
        try f.engine.produce(topic: "orders.DLT", records: [dead], partition: 0)
        f.clock.advance(byMillis: 1_000)
        let requeue = try await f.engine.requeueDeadLetters(topic: "orders.DLT", selection: .all)
        #expect(requeue.moves.count == 1)

        for query in [id.uuidString.lowercased(), "\(topic)/\(partition)/\(published.offset)", "orders.DLT/0/0"] {
            let trace = try await f.engine.trace(query)
            #expect(trace.eventId == id.uuidString.lowercased(), "\(query)")
            #expect(trace.hops.map(\.role) == [.record, .deadLetter, .requeued], "\(query): \(trace.hops)")
            guard trace.hops.count == 3 else { continue }
            let (first, dlt, back) = (trace.hops[0], trace.hops[1], trace.hops[2])
            #expect(first.coordinates == "\(topic)/\(partition)/\(published.offset)" && first.consumedBy.map(\.group) == ["billing"])
            #expect(dlt.coordinates == "orders.DLT/0/0" && dlt.reason == "card declined" && dlt.from == first.coordinates)
            #expect(back.topic == topic && back.partition == partition && back.from == "orders.DLT/0/0")
            #expect(back.pendingFor.map(\.group) == ["billing"] && back.consumedBy.isEmpty)
            #expect(trace.now == "requeued to \(back.coordinates) from orders.DLT/0/0, not consumed by any group yet")
            #expect(!trace.truncated && trace.scannedRecords >= 4)
        }
        // The other row's trace is its own record only.
        let other = try await f.engine.trace(f.records(topic).first { header($0, "id") != id.uuidString.lowercased() }.map {
            header($0, "id")! } ?? "")
        #expect(other.hops.map(\.role) == [.record])
        // An unknown id: found nowhere; a scan limit says so.
        #expect(try await f.engine.trace("no-such-event").now == "no record of this event was found")
        #expect(try await f.engine.trace("no-such-event", maxRecords: 2).truncated)
    }
}
