import Foundation
import Testing
import WharfAMQP
import WharfCore
import WharfEngine
import WharfTestSupport
@testable import WharfAMQPServer

/// The .NET SDK's properties-to-modify, as raw frames (no .NET toolchain here, reference §4.6):
/// `modified{message-annotations}` on abandon and defer, extra keys in a `rejected` outcome's
/// error info on dead-letter, and `properties-to-modify` in a `$management` update-disposition.
/// The values keep their AMQP types on the next delivery.
@Suite(.serialized) struct AMQPPropertiesToModifyTests {
    typealias Fixture = AMQPListenerTests.Fixture
    typealias Net = AMQPDotNetDeltaTests

    @Test func linkOutcomesApplyTheirPropertiesToModify() async throws {
        try await Fixture.with { f in
            let c = try await Net.connect(f.port)
            let three = ["abandoned", "deferred", "dead"].map {
                AMQPMessage(properties: .init(messageId: .string($0)), applicationProperties: [.init(.string("kept"), .string("yes"))], body: .data([[1]]))
            }
            #expect(try await Net.send(c, channel: 1, three) == [.accepted, .accepted, .accepted])
            try await Net.attachReceiver(c, channel: 1, handle: 1)
            try await c.send(channel: 1, .flow(Flow(nextIncomingId: 0, incomingWindow: .max, nextOutgoingId: 1, outgoingWindow: .max,
                                                    handle: 1, deliveryCount: 0, linkCredit: 3)))
            var ids: [UInt32] = []
            for _ in 0..<3 { ids.append(try await Net.delivery(c).0.deliveryId ?? 0) }
            let abandon = AMQPValue.described(.ulong(0x27), .list([.null, .null, .map([.init(.string("attempt"), .int(2)), .init(.string("kept"), .string("changed"))])]))
            let deferral = AMQPValue.described(.ulong(0x27), .list([.null, .bool(true), .map([.init(.string("parked"), .bool(true))])]))
            let deadLetter = DeliveryState.rejected(AMQPError("com.microsoft:dead-letter", "d", info: .map([
                .init(.symbol("DeadLetterReason"), .string("r")), .init(.symbol("DeadLetterErrorDescription"), .string("d")),
                .init(.symbol("at"), .timestamp(1_800_000_000_000)),
            ]))).value
            for (id, state) in zip(ids, [abandon, deferral, deadLetter]) {
                try await c.send(channel: 1, .disposition(Disposition(isReceiver: true, first: id, settled: false, state: state)))
            }
            var echoes = 0
            while echoes < 3, let (p, _) = try await c.receive() { if case .disposition = p { echoes += 1 } }
            let live = try f.queues.peek("q", fromSequenceNumber: 1, max: 10)
            let wire = live.map { ServiceBusMessageMapping.delivered($0, peeked: true) }
            #expect(wire.first?.applicationProperties.map(AMQPValue.map)?[key: "attempt"] == .int(2))
            #expect(live.first?.applicationProperties == ["attempt": "2", "kept": "changed"])
            #expect(wire.last?.applicationProperties.map(AMQPValue.map)?[key: "parked"] == .bool(true) && live.last?.state == .deferred)
            let dead = try #require(try f.queues.peek("q/$deadletterqueue", fromSequenceNumber: 1, max: 1).first)
            #expect(dead.applicationProperties == ["kept": "yes", "DeadLetterReason": "r", "DeadLetterErrorDescription": "d", "at": "1800000000000"])
            #expect(dead.applicationPropertyTypes == ["at": .timestamp])
            c.close()
        }
    }

    @Test func managementUpdateDispositionAppliesPropertiesToModify() async throws {
        try await Fixture.with { f in
            try f.queues.createQueue("m")
            for text in ["a", "b"] { try f.queues.send("m", OutgoingMessage(text)) }
            let locked = try f.queues.receive("m", max: 2)
            let c = try await Net.connect(f.port, audience: "sb://localhost/m")
            func token(_ m: QueueMessage) -> AMQPValue { .array([.uuid(UUID(uuidString: m.lockToken!)!)]) }
            var (status, _) = try await AMQPTypedPropertyAndRuleTests.request(c, entity: "m", handle: 20, "com.microsoft:update-disposition", [
                ("disposition-status", .string("abandoned")), ("lock-tokens", token(locked[0])),
                ("properties-to-modify", .map([.init(.string("n"), .long(7))])),
            ])
            #expect(status == 200)
            (status, _) = try await AMQPTypedPropertyAndRuleTests.request(c, entity: "m", handle: 22, "com.microsoft:update-disposition", [
                ("disposition-status", .string("suspended")), ("lock-tokens", token(locked[1])), ("deadletter-reason", .string("r")),
                ("deadletter-description", .string("")), ("properties-to-modify", .map([.init(.string("why"), .string("mgmt"))])),
            ])
            #expect(status == 200)
            // A broker-owned name is refused with 400 and leaves the lock alone.
            let again = try #require(try f.queues.receive("m", max: 1).first)
            (status, _) = try await AMQPTypedPropertyAndRuleTests.request(c, entity: "m", handle: 24, "com.microsoft:update-disposition", [
                ("disposition-status", .string("abandoned")), ("lock-tokens", token(again)),
                ("properties-to-modify", .map([.init(.string("x-sb-session-id"), .string("s"))])),
            ])
            #expect(status == 400)
            #expect(again.applicationProperties == ["n": "7"] && again.applicationPropertyTypes == ["n": .long])
            try f.queues.complete("m", lockToken: again.lockToken!)
            let dead = try #require(try f.queues.peek("m/$deadletterqueue", fromSequenceNumber: 1, max: 1).first)
            #expect(dead.bodyText == "b" && dead.applicationProperties["why"] == "mgmt" && dead.deadLetterReason == "r")
            c.close()
        }
    }
}
