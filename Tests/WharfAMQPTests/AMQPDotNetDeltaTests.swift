import Foundation
import Logging
import Testing
import WharfAMQP
import WharfCore
import WharfEngine
import WharfTestSupport
@testable import WharfAMQPServer

/// The .NET SDK's differences from Python's (reference §10), as raw frames through the real
/// listener, since no .NET toolchain runs here: SASL `MSSBCBS`, a 64 KiB max-frame-size with
/// transfers split both ways, a 60 s idle-time-out, a session per link with
/// `incoming-window = uint.MaxValue`, `/q` addresses, `max-message-size` on attach replies, the
/// strict annotation types it casts, drain echoed after the messages it released, and its
/// settlement outcomes (`modified{}` abandon, `modified{undeliverable-here}` defer, bare `rejected`).
@Suite(.serialized) struct AMQPDotNetDeltaTests {
    typealias Fixture = AMQPListenerTests.Fixture
    static let frameSize: UInt32 = 64 * 1024

    /// A .NET-style connection: MSSBCBS, 64 KiB frames, idle 60 s, CBS on channel 1 with a token
    /// for `q` (type `servicebus.windows.net:sastoken`, audience the entity's URI).
    static func connect(_ port: Int, audience: String = "sb://localhost/q") async throws -> RawAMQPSocket {
        let c = try await AMQPListenerTests.handshake(port, maxFrameSize: frameSize, idleTimeout: 60_000, mechanism: "MSSBCBS",
                                                      incomingWindow: .max)
        let cbs = Terminus.make(source: true, address: "$cbs"), cbsTarget = Terminus.make(source: false, address: "$cbs")
        try await c.send(channel: 1, .attach(Attach(name: "cbs-r", handle: 10, isReceiver: true, sndSettleMode: 0, source: cbs, target: cbsTarget)))
        _ = try await c.receive()
        try await c.send(channel: 1, .attach(Attach(name: "cbs-s", handle: 11, isReceiver: false, sndSettleMode: 0, source: cbs, target: cbsTarget,
                                                    initialDeliveryCount: 0)))
        _ = try await c.receive()
        _ = try await c.receive()  // credit
        let token = SharedAccessSignature.token(resource: audience, keyName: ServiceBusKeys.defaultKeyName, key: AMQPListenerTests.key,
                                                expiry: Int64(Date().timeIntervalSince1970) + 3600)
        let request = AMQPMessage(properties: .init(messageId: .string("1"), replyTo: "cbs-r"),
                                  applicationProperties: [.init(.string("operation"), .string("put-token")), .init(.string("name"), .string(audience)),
                                                          .init(.string("type"), .string("servicebus.windows.net:sastoken"))],
                                  body: .value(.string(token)))
        try await c.send(channel: 1, .transfer(Transfer(handle: 11, deliveryId: 0, deliveryTag: [0], messageFormat: 0, settled: true)),
                         payload: request.encoded())
        guard case (.transfer, let payload)? = try await c.receive() else { throw WharfError.malformed("no put-token response") }
        let status = AMQPValue.map(try AMQPMessage(payload: payload).applicationProperties ?? [])[key: "status-code"]
        #expect(status == .int(202))
        return c
    }

    /// A .NET session of its own (channel `ch`, incoming-window uint.MaxValue).
    static func begin(_ c: RawAMQPSocket, channel ch: UInt16) async throws {
        try await c.send(channel: ch, .begin(Begin(remoteChannel: nil, nextOutgoingId: 1, incomingWindow: .max, outgoingWindow: .max)))
        guard case (.begin(let b), _)? = try await c.receive() else { throw WharfError.malformed("no begin") }
        #expect(b.remoteChannel == ch)
    }

    /// Attaches a sender to `/q` as .NET does (target with a leading slash, `com.microsoft:timeout`),
    /// checks the reply names a max-message-size, and sends `messages` in frames of at most 64 KiB.
    /// Returns the outcomes Wharf settled them with, in order.
    static func send(_ c: RawAMQPSocket, channel ch: UInt16, handle: UInt32 = 0, firstDeliveryId: UInt32 = 0, _ messages: [AMQPMessage]) async throws -> [DeliveryState?] {
        let source = Terminus.make(source: true, address: "sender-\(UUID())"), target = Terminus.make(source: false, address: "/q")
        try await c.send(channel: ch, .attach(Attach(name: "s-\(handle)", handle: handle, isReceiver: false, sndSettleMode: 0, source: source, target: target,
                                                     initialDeliveryCount: 0, maxMessageSize: 0,
                                                     properties: .map([.init(.symbol("com.microsoft:timeout"), .uint(60_000))]))))
        guard case (.attach(let reply), _)? = try await c.receive() else { throw WharfError.malformed("no attach") }
        #expect(reply.maxMessageSize == 256 * 1024 && reply.target == target && reply.isReceiver)
        guard case (.flow(let credit), _)? = try await c.receive() else { throw WharfError.malformed("no credit") }
        #expect((credit.linkCredit ?? 0) >= UInt32(messages.count))
        for (i, m) in messages.enumerated() {
            let payload = m.encoded()
            var offset = 0
            repeat {
                let end = min(payload.count, offset + 60_000)
                let t = offset == 0 ? Transfer(handle: handle, deliveryId: firstDeliveryId &+ UInt32(i), deliveryTag: [UInt8(i)], messageFormat: 0, settled: false,
                                               more: end < payload.count)
                    : Transfer(handle: handle, more: end < payload.count)
                let frame = AMQPFrame(channel: ch, performative: Performative.transfer(t).value, payload: Array(payload[offset..<end])).encoded()
                #expect(frame.count <= Int(frameSize))
                try await c.send(frame)
                offset = end
            } while offset < payload.count
        }
        var outcomes: [DeliveryState?] = []
        while outcomes.count < messages.count, let (p, _) = try await c.receive() {
            guard case .disposition(let d) = p else { continue }
            // One disposition may settle a run of deliveries with the same outcome (first...last).
            #expect(d.settled && d.isReceiver && d.first == firstDeliveryId &+ UInt32(outcomes.count))
            let state = try DeliveryState(d.state)
            for _ in 0...((d.last ?? d.first) &- d.first) { outcomes.append(state) }
        }
        return outcomes
    }

    /// Attaches a PEEK_LOCK receiver on `/q` as .NET does (target a GUID, rcv-settle-mode second).
    static func attachReceiver(_ c: RawAMQPSocket, channel ch: UInt16, handle: UInt32) async throws {
        let source = Terminus.make(source: true, address: "/q"), target = Terminus.make(source: false, address: UUID().uuidString)
        try await c.send(channel: ch, .attach(Attach(name: "r", handle: handle, isReceiver: true, sndSettleMode: 0, rcvSettleMode: 1,
                                                     source: source, target: target)))
        guard case (.attach(let reply), _)? = try await c.receive() else { throw WharfError.malformed("no attach") }
        #expect(reply.maxMessageSize != nil && reply.initialDeliveryCount == 0 && !reply.isReceiver)
    }

    /// One whole delivery: its first transfer, the reassembled message, and how many frames it took.
    static func delivery(_ c: RawAMQPSocket) async throws -> (Transfer, AMQPMessage, frames: Int) {
        var first: Transfer?
        var payload: [UInt8] = []
        var frames = 0
        while let frame = try await c.receiveFrame() {
            if frame.isHeartbeat { continue }
            #expect(frame.encoded().count <= Int(frameSize))
            let (p, part) = try frame.split()
            guard case .transfer(let t) = try Performative(p) else { continue }
            if first == nil { first = t } else { #expect(t.deliveryId == nil && t.deliveryTag == nil) }
            frames += 1
            payload += part
            if !t.more { break }
        }
        guard let first else { throw WharfError.malformed("no transfer") }
        return (first, try AMQPMessage(payload: payload), frames)
    }

    @Test func aMessageBiggerThanA64KiBFrameIsSplitBothWaysWithTheTypesDotNetCasts() async throws {
        try await Fixture.with { f in
            let c = try await Self.connect(f.port)
            try await Self.begin(c, channel: 2)
            let body = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
            let scheduled = Int64(Date().timeIntervalSince1970 * 1000) - 1_000
            // .NET writes the scheduled time as a DateTime (an AMQP timestamp) and a partition key.
            let sent = AMQPMessage(messageAnnotations: [.init(.symbol("x-opt-scheduled-enqueue-time"), .timestamp(scheduled)),
                                                        .init(.symbol("x-opt-partition-key"), .string("pk"))],
                                   properties: .init(messageId: .string("big")), body: .data([body]))
            #expect(try await Self.send(c, channel: 2, [sent]) == [.accepted])

            try await Self.begin(c, channel: 3)
            try await Self.attachReceiver(c, channel: 3, handle: 0)
            try await c.send(channel: 3, .flow(Flow(nextIncomingId: 0, incomingWindow: .max, nextOutgoingId: 1, outgoingWindow: .max,
                                                    handle: 0, deliveryCount: 0, linkCredit: 1)))
            let (t, m, frames) = try await Self.delivery(c)
            #expect(frames >= 4 && t.settled == false && t.deliveryTag?.count == 16)
            #expect(m.body == .data([body]) && m.properties?.messageId == .string("big"))
            // The casts of AmqpMessageConverter: long, DateTime (timestamp), int; delivery-count present.
            #expect(m.header?.deliveryCount == 0)
            guard case .long(1)? = m.annotation("x-opt-sequence-number"), case .long(1)? = m.annotation("x-opt-enqueue-sequence-number"),
                  case .timestamp? = m.annotation("x-opt-enqueued-time"), case .timestamp? = m.annotation("x-opt-locked-until"),
                  case .timestamp(scheduled)? = m.annotation("x-opt-scheduled-enqueue-time"), case .int(0)? = m.annotation("x-opt-message-state"),
                  case .string("pk")? = m.annotation("x-opt-partition-key")
            else { Issue.record("annotation types: \(m.messageAnnotations ?? [])"); return }
            for pair in m.messageAnnotations ?? [] { #expect({ if case .symbol = pair.key { true } else { false } }(), "\(pair.key)") }
            #expect(m.properties?.creationTime != nil)
            try await c.send(channel: 3, .disposition(Disposition(isReceiver: true, first: t.deliveryId ?? 0, settled: false,
                                                                  state: DeliveryState.accepted.value)))
            guard case (.disposition(let echo), _)? = try await c.receive() else { Issue.record("no echo"); return }
            let echoState = try DeliveryState(echo.state)
            #expect(echo.settled && echoState == .accepted)
            #expect(try f.queues.runtimeCounts("q").totalCount == 0)
            c.close()
        }
    }

    @Test func drainSendsWhatIsThereThenEchoesTheSpentCredit() async throws {
        try await Fixture.with { f in
            let c = try await Self.connect(f.port)
            let two = (0..<2).map { AMQPMessage(properties: .init(messageId: .string("m\($0)")), body: .data([[UInt8($0)]])) }
            #expect(try await Self.send(c, channel: 1, two) == [.accepted, .accepted])
            try await Self.attachReceiver(c, channel: 1, handle: 1)
            try await c.send(channel: 1, .flow(Flow(nextIncomingId: 0, incomingWindow: .max, nextOutgoingId: 1, outgoingWindow: .max,
                                                    handle: 1, deliveryCount: 0, linkCredit: 5, drain: true)))
            let a = try await Self.delivery(c), b = try await Self.delivery(c)
            #expect(a.1.properties?.messageId == .string("m0") && b.1.properties?.messageId == .string("m1"))
            // Then the drain echo: all five credits spent (2 deliveries + 3 advanced), none left.
            var echo: Flow?
            while echo == nil, let (p, _) = try await c.receive() {
                if case .flow(let fl) = p, fl.handle == 1 { echo = fl }
            }
            #expect(echo?.drain == true && echo?.linkCredit == 0 && echo?.deliveryCount == 5)
            // Nothing more arrives on the drained link, though a third message is sent.
            #expect(try await Self.send(c, channel: 1, handle: 2, firstDeliveryId: 2, [AMQPMessage(properties: .init(messageId: .string("m2")), body: .data([[2]]))]).count == 1)
            #expect(try f.queues.runtimeCounts("q").lockedCount == 2)
            c.close()
        }
    }

    @Test func dotNetSettlementOutcomesAbandonDeferAndDeadLetter() async throws {
        try await Fixture.with { f in
            let c = try await Self.connect(f.port)
            let three = (0..<3).map { AMQPMessage(properties: .init(messageId: .string("m\($0)")), body: .data([[UInt8($0)]])) }
            #expect(try await Self.send(c, channel: 1, three) == [.accepted, .accepted, .accepted])
            try await Self.attachReceiver(c, channel: 1, handle: 1)
            try await c.send(channel: 1, .flow(Flow(nextIncomingId: 0, incomingWindow: .max, nextOutgoingId: 1, outgoingWindow: .max,
                                                    handle: 1, deliveryCount: 0, linkCredit: 3)))
            var ids: [UInt32] = []
            for _ in 0..<3 { ids.append(try await Self.delivery(c).0.deliveryId ?? 0) }
            // abandon = modified{} (no fields at all), defer = modified{undeliverable-here}, dead-letter = bare rejected.
            let outcomes: [AMQPValue] = [.described(.ulong(0x27), .list([])), .described(.ulong(0x27), .list([.null, .bool(true)])),
                                         .described(.ulong(0x25), .list([]))]
            for (id, state) in zip(ids, outcomes) {
                try await c.send(channel: 1, .disposition(Disposition(isReceiver: true, first: id, settled: false, state: state)))
            }
            var echoes: [DeliveryState?] = []
            while echoes.count < 3, let (p, _) = try await c.receive() {
                if case .disposition(let d) = p { echoes.append(try DeliveryState(d.state)) }
            }
            let unchanged = DeliveryState.modified(deliveryFailed: false, undeliverableHere: false, annotations: .null)
            #expect(echoes == [unchanged, unchanged, .rejected(nil)])
            let counts = try f.queues.runtimeCounts("q")
            #expect(counts.deferredCount == 1 && counts.deadLetterCount == 1 && counts.activeCount + counts.lockedCount == 1, "\(counts)")
            let dead = try f.queues.peek(QueueNames.deadLetter(of: "q"), fromSequenceNumber: 1, max: 10)
            #expect(dead.map(\.messageId) == ["m2"])
            c.close()
        }
    }

    /// A 60 s idle-time-out (.NET's) means a frame from Wharf at least every 30 s; a client that
    /// names none gets no heartbeats.
    @Test func aSixtySecondIdleTimeoutMeansHeartbeatsEveryThirtySeconds() async throws {
        try await Fixture.with { f in
            var logger = Logger(label: "test")
            logger.logLevel = .error
            for (idle, expected) in [(UInt32(60_000), UInt32(30_000)), (nil, nil)] as [(UInt32?, UInt32?)] {
                let connection = AMQPConnection(queues: f.queues, keys: { [:] }, limits: AMQPListenerLimits(), logger: logger)
                connection.receive(.header(.amqp))
                connection.receive(.frame(AMQPFrame(channel: 0, performative: Performative.open(Open(containerId: "net", idleTimeout: idle)).value)))
                #expect(connection.heartbeatInterval == expected)
                let announced = try connection.output.last.map { bytes -> UInt32? in
                    let parsed = try bytes.withBytes { (raw) throws(WharfError) in try AMQPFraming.parse(raw, expectHeader: false, maxFrameSize: .max) }
                    guard case (.frame(let fr), _)? = parsed, case .open(let open) = try Performative(fr.split().performative) else { return nil }
                    return open.idleTimeout
                }
                #expect(announced == 120_000)
            }
        }
    }

    /// `x-opt-partition-key` as the service validates it: a string of at most 128 characters,
    /// equal to the session id (group-id) when both are set; the others are rejected with
    /// `com.microsoft:argument-error` and not stored.
    @Test func aPartitionKeyOtherThanTheSessionIdOrNotAShortStringIsRejected() async throws {
        try await Fixture.with { f in
            let c = try await Self.connect(f.port)
            func keyed(_ id: String, _ key: AMQPValue, group: String? = nil) -> AMQPMessage {
                var properties = AMQPMessage.Properties(messageId: .string(id))
                properties.groupId = group
                return AMQPMessage(messageAnnotations: [.init(.symbol("x-opt-partition-key"), key)], properties: properties, body: .data([[1]]))
            }
            let outcomes = try await Self.send(c, channel: 1, [
                keyed("same", .string("s"), group: "s"), keyed("differs", .string("p"), group: "s"), keyed("int", .int(7)),
                keyed("long", .string(String(repeating: "k", count: 129))), keyed("plain", .string(String(repeating: "k", count: 128))),
            ])
            #expect(outcomes.map { $0 == .accepted } == [true, false, false, false, true])
            for o in outcomes.dropFirst().dropLast() {
                guard case .rejected(let e)? = o else { Issue.record("not rejected: \(String(describing: o))"); continue }
                #expect(e?.condition == AMQPError.argumentError, "\(String(describing: e))")
            }
            let stored = try f.queues.peek("q", fromSequenceNumber: 1, max: 10)
            #expect(stored.map(\.messageId) == ["same", "plain"] && stored.first?.partitionKey == "s")
            c.close()
        }
    }
}
