import Foundation
import Testing
import WharfAMQP
import WharfCore
import WharfEngine
import WharfTestSupport
@testable import WharfAMQPServer

/// Through the listener with raw frames: application properties of every AMQP type come back
/// in that type (receive and dead-letter), and rule management on a subscription's
/// `$management` node as .NET's `ServiceBusRuleManager` does it (add-rule, remove-rule,
/// enumerate-rules), with SQL actions applied to the copies.
@Suite(.serialized) struct AMQPTypedPropertyAndRuleTests {
    typealias Fixture = AMQPListenerTests.Fixture
    typealias Net = AMQPDotNetDeltaTests

    static let uuid = UUID(uuidString: "6D0A3C3E-8F0A-4B9E-9C1E-2B3C4D5E6F70")!
    static let properties: [AMQPValue.Pair] = [
        .init(.string("byte"), .byte(-5)), .init(.string("short"), .short(-300)), .init(.string("int"), .int(42)),
        .init(.string("long"), .long(1 << 40)), .init(.string("ubyte"), .ubyte(200)), .init(.string("ushort"), .ushort(60_000)),
        .init(.string("uint"), .uint(4_000_000_000)), .init(.string("ulong"), .ulong(UInt64.max)), .init(.string("float"), .float(1.5)),
        .init(.string("double"), .double(-0.1)), .init(.string("bool"), .bool(false)), .init(.string("timestamp"), .timestamp(1_800_000_000_123)),
        .init(.string("uuid"), .uuid(uuid)), .init(.string("binary"), .binary([0, 1, 0xfe, 0xff])), .init(.string("char"), .char(0x1F600)),
        .init(.string("string"), .string("täxt")), .init(.string("null"), .null),
    ]

    /// The pairs in key order, as Wharf sends them.
    static func sorted(_ pairs: [AMQPValue.Pair]) -> [AMQPValue.Pair] { pairs.sorted { ($0.key.text ?? "") < ($1.key.text ?? "") } }

    @Test func everyAMQPTypeComesBackInItsTypeAfterReceiveAndDeadLetter() async throws {
        try await Fixture.with { f in
            let c = try await Net.connect(f.port)
            let sent = AMQPMessage(properties: .init(messageId: .string("typed")),
                                   applicationProperties: Self.properties + [.init(.string("symbol"), .symbol("sym"))], body: .data([[1]]))
            #expect(try await Net.send(c, channel: 1, [sent]) == [.accepted])
            try await Net.attachReceiver(c, channel: 1, handle: 1)
            try await c.send(channel: 1, .flow(Flow(nextIncomingId: 0, incomingWindow: .max, nextOutgoingId: 1, outgoingWindow: .max,
                                                    handle: 1, deliveryCount: 0, linkCredit: 1)))
            let (t, m, _) = try await Net.delivery(c)
            // A symbol comes back as a string (Service Bus application properties hold strings).
            #expect(m.applicationProperties.map(Self.sorted) == Self.sorted(Self.properties + [.init(.string("symbol"), .string("sym"))]))
            try await c.send(channel: 1, .disposition(Disposition(isReceiver: true, first: t.deliveryId ?? 0, settled: false,
                                                                  state: DeliveryState.rejected(nil).value)))
            _ = try await c.receive()  // the echo
            let dead = try #require(try f.queues.peek("q/$deadletterqueue", fromSequenceNumber: 1, max: 1).first)
            let again = ServiceBusMessageMapping.delivered(dead, peeked: true)
            let withoutReason = (again.applicationProperties ?? []).filter { $0.key.text != "DeadLetterReason" && $0.key.text != "DeadLetterErrorDescription" }
            #expect(Self.sorted(withoutReason) == Self.sorted(Self.properties + [.init(.string("symbol"), .string("sym"))]))
            c.close()
        }
    }

    /// Sends one `$management` request on `entity`'s node and returns (status, body).
    static func request(_ c: RawAMQPSocket, entity: String, handle: UInt32, _ operation: String, _ body: [(String, AMQPValue)]) async throws
        -> (Int64?, AMQPValue) {
        let node = entity + "/$management", reply = "reply-\(handle)"
        try await c.send(channel: 1, .attach(Attach(name: "m-\(handle)", handle: handle, isReceiver: false, sndSettleMode: 0,
                                                    source: Terminus.make(source: true, address: reply), target: Terminus.make(source: false, address: node),
                                                    initialDeliveryCount: 0)))
        _ = try await c.receive()
        _ = try await c.receive()  // credit
        try await c.send(channel: 1, .attach(Attach(name: "r-\(handle)", handle: handle + 1, isReceiver: true, sndSettleMode: 0,
                                                    source: Terminus.make(source: true, address: node), target: Terminus.make(source: false, address: reply))))
        _ = try await c.receive()
        let request = AMQPMessage(properties: .init(messageId: .uuid(UUID()), replyTo: reply),
                                  applicationProperties: [.init(.string("operation"), .string(operation)),
                                                          .init(.string("com.microsoft:server-timeout"), .uint(60_000))],
                                  body: .value(.map(body.map { .init(.string($0.0), $0.1) })))
        try await c.send(channel: 1, .transfer(Transfer(handle: handle, deliveryId: handle, deliveryTag: [UInt8(truncatingIfNeeded: handle)],
                                                        messageFormat: 0, settled: true)), payload: request.encoded())
        while let (p, payload) = try await c.receive() {
            guard case .transfer(let t) = p, t.handle == handle + 1 else { continue }
            let response = try AMQPMessage(payload: payload)
            #expect(response.properties?.correlationId == request.properties?.messageId)
            guard case .value(let v) = response.body else { return (nil, .null) }
            return (AMQPValue.map(response.applicationProperties ?? [])[key: "statusCode"]?.integer, v)
        }
        return (nil, .null)
    }

    @Test func rulesAreAddedListedAndRemovedOverManagementAndTheirActionsApply() async throws {
        try await Fixture.with { f in
            try f.queues.createTopic("t")
            try f.queues.createSubscription(topic: "t", name: "s")
            let c = try await Net.connect(f.port, audience: "sb://localhost")
            let sub = "t/Subscriptions/s"
            // A new subscription has $Default, a true filter (descriptor ...07) with an empty action (...05).
            var (status, body) = try await Self.request(c, entity: sub, handle: 20, "com.microsoft:enumerate-rules", [("top", .int(100)), ("skip", .int(0))])
            #expect(status == 200)
            let initial = body[key: "rules"]?.listValue?.compactMap { $0[key: "rule-description"] } ?? []
            #expect(initial == [.described(.ulong(0x0000_0137_0000_0004), .list([
                .described(.ulong(0x0000_0137_0000_0007), .list([.string("1=1"), .int(20)])),
                .described(.ulong(0x0000_0137_0000_0005), .list([])), .string("$Default")]))])

            // add-rule as .NET sends it: a sql-filter map and a sql-rule-action map.
            let red: [(String, AMQPValue)] = [("rule-name", .string("red")), ("rule-description", .stringMap([
                ("sql-filter", .stringMap([("expression", .string("color = 'red'"))])),
                ("sql-rule-action", .stringMap([("expression", .string("SET tagged = TRUE; REMOVE color"))])),
                ("rule-name", .string("red")),
            ]))]
            (status, _) = try await Self.request(c, entity: sub, handle: 22, "com.microsoft:add-rule", red)
            #expect(status == 200)
            (status, _) = try await Self.request(c, entity: sub, handle: 24, "com.microsoft:add-rule", red)
            #expect(status == 409)
            let billing: [(String, AMQPValue)] = [("rule-name", .string("billing")), ("rule-description", .stringMap([
                ("correlation-filter", .stringMap([("to", .string("billing")), ("correlation-id", .null),
                                                   ("properties", .stringMap([("region", .string("eu")), ("tier", .int(2))]))])),
                ("sql-rule-action", .null), ("rule-name", .string("billing")),
            ]))]
            (status, _) = try await Self.request(c, entity: sub, handle: 26, "com.microsoft:add-rule", billing)
            #expect(status == 200)
            (status, _) = try await Self.request(c, entity: sub, handle: 28, "com.microsoft:remove-rule", [("rule-name", .string("$Default"))])
            #expect(status == 200)
            (status, _) = try await Self.request(c, entity: sub, handle: 30, "com.microsoft:remove-rule", [("rule-name", .string("missing"))])
            #expect(status == 404)
            (status, body) = try await Self.request(c, entity: sub, handle: 32, "com.microsoft:enumerate-rules", [("top", .int(100)), ("skip", .int(0))])
            let rules = body[key: "rules"]?.listValue?.compactMap { $0[key: "rule-description"] } ?? []
            #expect(status == 200 && rules.count == 2)
            #expect(rules.first == .described(.ulong(0x0000_0137_0000_0004), .list([
                .described(.ulong(0x0000_0137_0000_0006), .list([.string("color = 'red'"), .int(20)])),
                .described(.ulong(0x0000_0137_0000_0006), .list([.string("SET tagged = TRUE; REMOVE color"), .int(20)])), .string("red")])))
            guard case .described(_, .list(let fields))? = rules.last, case .described(.ulong(0x0000_0137_0000_0009), .list(let corr))? = fields.first else {
                Issue.record("correlation rule: \(rules)"); return
            }
            #expect(corr.count == 9 && corr[2] == .string("billing") && corr[8] == .map([.init(.string("region"), .string("eu")), .init(.string("tier"), .string("2"))]))
            (status, _) = try await Self.request(c, entity: sub, handle: 34, "com.microsoft:enumerate-rules", [("top", .int(10)), ("skip", .int(2))])
            #expect(status == 204)
            // On a queue there are no rules.
            (status, _) = try await Self.request(c, entity: "q", handle: 36, "com.microsoft:enumerate-rules", [("top", .int(10)), ("skip", .int(0))])
            #expect(status == 400)

            // The rules work: the red rule's action ran on its copy; the correlation rule matched the other.
            try f.queues.send("t", OutgoingMessage("r", applicationProperties: ["color": "red"]))
            try f.queues.send("t", OutgoingMessage(messageId: "", body: Array("b".utf8), to: "billing", applicationProperties: ["region": "eu", "tier": "2"]))
            try f.queues.send("t", OutgoingMessage("neither", applicationProperties: ["color": "blue"]))
            let got = try f.queues.receive(sub, max: 10, mode: .receiveAndDelete)
            #expect(got.map(\.bodyText) == ["r", "b"])
            #expect(got.first?.applicationProperties == ["tagged": "true"] && got.first?.applicationPropertyTypes == ["tagged": .bool])
            c.close()
        }
    }
}
