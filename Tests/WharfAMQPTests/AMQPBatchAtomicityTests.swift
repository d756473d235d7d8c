import Foundation
import Testing
import WharfAMQP
import WharfCore
import WharfEngine
import WharfTestSupport
@testable import WharfAMQPServer

/// A batch (a transfer of message-format 0x80013700) is all or nothing, as Service Bus takes it:
/// one message the engine refuses rejects the whole delivery, and none of its messages is stored,
/// on every path a send takes (a plain queue's one-append batch, a session queue's
/// message-by-message path, a topic's fan-out). Raw frames, so the bad message is exactly one.
@Suite(.serialized) struct AMQPBatchAtomicityTests {
    /// Engine-level refusals the SDKs' own checks can miss: a session id over 128 characters
    /// (set through the raw AMQP properties), a property with the engine's reserved prefix.
    static let badMessages: [(String, AMQPMessage)] = [
        ("session id of 129 characters", AMQPMessage(properties: .init(messageId: .string("bad"), groupId: String(repeating: "s", count: 129)),
                                                     body: .data([Array("bad".utf8)]))),
        ("reserved property name", AMQPMessage(properties: .init(messageId: .string("bad"), groupId: "a"),
                                               applicationProperties: [.init(.string("x-sb-sequence"), .string("1"))],
                                               body: .data([Array("bad".utf8)]))),
    ]

    /// A valid message; with the session id every entity here accepts it (the session queue needs one).
    static func good(_ n: Int) -> AMQPMessage {
        AMQPMessage(properties: .init(messageId: .string("good-\(n)"), groupId: "a"), body: .data([Array("good-\(n)".utf8)]))
    }

    /// The entity a sender attaches to, and the queue entity its messages end up in.
    static let entities: [(send: String, stored: String)] = [("plain", "plain"), ("sessions", "sessions"), ("orders", "orders/Subscriptions/all")]

    static func makeEntities(_ queues: QueueStore) throws {
        try queues.createQueue("plain")
        var sessions = QueueOptions()
        sessions.requiresSession = true
        try queues.createQueue("sessions", sessions)
        try queues.createTopic("orders")
        try queues.createSubscription(topic: "orders", name: "all")
    }

    @Test(arguments: 0..<2)
    func aBatchWithOneBadMessageStoresNothingAndAGoodBatchStoresAll(bad: Int) async throws {
        let (what, badMessage) = Self.badMessages[bad]
        try await AMQPListenerTests.Fixture.with { f in
            try Self.makeEntities(f.queues)
            for (entity, stored) in Self.entities {
                let c = try await AMQPListenerTests.handshake(f.port)
                #expect(try await AMQPListenerTests.putToken(c, key: AMQPListenerTests.key, entity: entity) == 202)
                try await Self.attachSender(c, to: entity)
                let refused = try await Self.sendBatch(c, deliveryId: 1, [Self.good(1), badMessage, Self.good(2)])
                guard case .rejected(let error) = refused else { Issue.record("\(entity), \(what): not rejected: \(refused)"); continue }
                #expect(error?.condition == AMQPError.argumentError, "\(entity), \(what): \(String(describing: error))")
                let afterRefusal = try f.queues.runtimeCounts(stored)
                #expect(afterRefusal.totalCount == 0 && afterRefusal.deadLetterCount == 0, "\(entity), \(what): \(afterRefusal)")
                // The same batch without the bad message is stored whole, in order.
                #expect(try await Self.sendBatch(c, deliveryId: 2, [Self.good(1), Self.good(2)]) == .accepted, "\(entity)")
                let peeked = try f.queues.peek(stored, max: 10).map(\.messageId)
                #expect(peeked == ["good-1", "good-2"], "\(entity), \(what): \(peeked)")
                c.close()
            }
        }
    }

    static func attachSender(_ c: RawAMQPSocket, to entity: String) async throws {
        let source = Terminus.make(source: true, address: "sender-link"), target = Terminus.make(source: false, address: "amqps://localhost/\(entity)")
        try await c.send(channel: 1, .attach(Attach(name: "s-\(entity)", handle: 1, isReceiver: false, sndSettleMode: 0, source: source, target: target,
                                                    initialDeliveryCount: 0)))
        guard case (.attach(let reply), _)? = try await c.receive(), reply.target == target else { throw WharfError.malformed("no attach for \(entity)") }
        guard case (.flow, _)? = try await c.receive() else { throw WharfError.malformed("no credit for \(entity)") }
    }

    /// One unsettled transfer carrying `messages` as a batch; the state of Wharf's disposition.
    static func sendBatch(_ c: RawAMQPSocket, deliveryId: UInt32, _ messages: [AMQPMessage]) async throws -> DeliveryState? {
        let envelope = AMQPMessage(properties: messages.first?.properties, body: .data(messages.map { $0.encoded() }))
        try await c.send(channel: 1, .transfer(Transfer(handle: 1, deliveryId: deliveryId, deliveryTag: [0, 0, 0, UInt8(deliveryId)],
                                                        messageFormat: Transfer.batchFormat, settled: false)),
                         payload: envelope.encoded())
        while let (p, _) = try await c.receive() {
            if case .disposition(let d) = p, d.first == deliveryId {
                #expect(d.settled && d.isReceiver)
                return try DeliveryState(d.state)
            }
        }
        return nil
    }
}
