import Foundation
import Testing
import WharfCore
@testable import WharfAMQP

/// The codec against the SDK's own bytes: everything the client sends decodes to the fields the
/// reference names and re-encodes byte for byte; everything Wharf sends matches the encodings
/// the SDK's decoder was shown to accept.
@Suite struct AMQPGoldenVectorTests {
    static let clientFrames: [[UInt8]] = [
        GoldenVectors.saslInit, GoldenVectors.open, GoldenVectors.begin, GoldenVectors.attachCbs,
        GoldenVectors.attachReceiverPeekLock, GoldenVectors.attachSessionNextAvailable, GoldenVectors.attachSessionS1,
        GoldenVectors.attachSender, GoldenVectors.flow, GoldenVectors.transfer, GoldenVectors.dispositionComplete,
        GoldenVectors.dispositionAbandon, GoldenVectors.dispositionDefer, GoldenVectors.dispositionDeadLetter,
        GoldenVectors.dispositionReleased,
    ]
    static let payloads: [[UInt8]] = [
        GoldenVectors.putToken, GoldenVectors.serviceBusMessage, GoldenVectors.batchEnvelope, GoldenVectors.mgmtPeek,
        GoldenVectors.mgmtRenewLock,
    ]

    static func frame(_ bytes: [UInt8], expectHeader: Bool = false) throws -> AMQPFrame {
        let parsed = try bytes.withUnsafeBytes { try AMQPFraming.parse($0, expectHeader: expectHeader, maxFrameSize: 1 << 20) }
        guard case .frame(let f)? = parsed?.0, parsed?.consumed == bytes.count else { throw WharfError.malformed("not one frame") }
        return f
    }

    static func performative(_ bytes: [UInt8]) throws -> (Performative, [UInt8]) {
        let (p, payload) = try frame(bytes).split()
        return (try Performative(p), payload)
    }

    @Test func everyClientFrameReencodesByteForByte() throws {
        for bytes in Self.clientFrames {
            let f = try Self.frame(bytes)
            let (p, payload) = try f.split()
            #expect(AMQPFrame(type: f.type, channel: f.channel, performative: p, payload: payload).encoded() == bytes)
        }
        for payload in Self.payloads {
            let sections = try AMQPDecoder.decodeSequence(payload)
            var out: [UInt8] = []
            for s in sections { AMQPEncoder.encode(s, into: &out) }
            #expect(out == payload)
        }
    }

    @Test func protocolHeaders() throws {
        for (bytes, id) in [(GoldenVectors.saslHeader, UInt8(3)), (GoldenVectors.amqpHeader, UInt8(0))] {
            let parsed = try bytes.withUnsafeBytes { try AMQPFraming.parse($0, expectHeader: true, maxFrameSize: 512) }
            #expect(parsed?.0 == .header(AMQPProtocolHeader(protocolId: id)))
            #expect(AMQPProtocolHeader(protocolId: id).bytes == bytes)
        }
    }

    @Test func saslInitAnonymous() throws {
        let f = try Self.frame(GoldenVectors.saslInit)
        #expect(f.type == AMQPFrame.typeSASL)
        #expect(try SASLFrame(f.split().performative) == .initial(mechanism: "ANONYMOUS", response: [], hostname: "localhost"))
    }

    @Test func openAndBegin() throws {
        guard case (.open(let open), _) = try Self.performative(GoldenVectors.open) else { Issue.record("not open"); return }
        #expect(open.containerId == "SBReceiver-00000000-0000-0000-0000-000000000000")
        #expect(open.hostname == "localhost")
        #expect(open.maxFrameSize == 1_048_576)
        #expect(open.channelMax == 65535)
        #expect(open.idleTimeout == nil)
        #expect(open.properties[key: "product"] == .string("azsdk-python-servicebus"))
        let f = try Self.frame(GoldenVectors.begin)
        #expect(f.channel == 1)
        guard case .begin(let begin) = try Performative(f.split().performative) else { Issue.record("not begin"); return }
        #expect(begin == Begin(remoteChannel: nil, nextOutgoingId: 0, incomingWindow: 65536, outgoingWindow: 65536, handleMax: .max))
    }

    @Test func attaches() throws {
        guard case (.attach(let cbs), _) = try Self.performative(GoldenVectors.attachCbs) else { Issue.record("not attach"); return }
        #expect(cbs.name == "a1b2" && cbs.handle == 1 && cbs.isReceiver)
        #expect(cbs.sourceTerminus?.address == "$cbs" && cbs.targetTerminus?.address == "$cbs")

        guard case (.attach(let r), _) = try Self.performative(GoldenVectors.attachReceiverPeekLock) else { Issue.record("not attach"); return }
        #expect(r.isReceiver && r.sndSettleMode == 0 && r.rcvSettleMode == 1 && r.handle == 3)
        #expect(r.sourceTerminus?.address == "amqps://localhost/q1")
        #expect(r.maxMessageSize == 1_048_576)
        #expect(r.properties[key: "com.microsoft:receiver-name"] == .string("SBReceiver-x"))

        guard case (.attach(let next), _) = try Self.performative(GoldenVectors.attachSessionNextAvailable) else { Issue.record("no"); return }
        #expect(next.sourceTerminus?.filter[key: "com.microsoft:session-filter"] == .null)
        #expect(next.properties[key: "com.microsoft:timeout"] == .uint(64980))

        guard case (.attach(let s1), _) = try Self.performative(GoldenVectors.attachSessionS1) else { Issue.record("no"); return }
        #expect(s1.sourceTerminus?.filter[key: "com.microsoft:session-filter"] == .string("S1"))

        guard case (.attach(let sender), _) = try Self.performative(GoldenVectors.attachSender) else { Issue.record("no"); return }
        #expect(!sender.isReceiver && sender.sndSettleMode == 0 && sender.rcvSettleMode == 1)
        #expect(sender.targetTerminus?.address == "amqps://localhost/q1")
        #expect(sender.initialDeliveryCount == 0 && sender.maxMessageSize == 0)
    }

    @Test func flowAndTransfer() throws {
        guard case (.flow(let flow), _) = try Self.performative(GoldenVectors.flow) else { Issue.record("not flow"); return }
        #expect(flow.handle == 3 && flow.linkCredit == 1 && flow.deliveryCount == 0 && !flow.drain)
        guard case (.transfer(let t), let payload) = try Self.performative(GoldenVectors.transfer) else { Issue.record("no"); return }
        #expect(t.handle == 3 && t.deliveryId == 0 && t.deliveryTag == [0, 0, 0, 1] && t.messageFormat == 0 && t.settled == false && !t.more)
        #expect(payload == GoldenVectors.serviceBusMessage)
    }

    @Test func serviceBusMessageSections() throws {
        let m = try AMQPMessage(payload: GoldenVectors.serviceBusMessage)
        #expect(m.header?.ttl == 60000)
        #expect(m.annotation("x-opt-scheduled-enqueue-time")?.timestampValue == 1_700_000_040_000)
        #expect(m.annotation("x-opt-partition-key") == .string("S1"))
        #expect(m.properties?.messageId == .string("m-1"))
        #expect(m.properties?.groupId == "S1")
        #expect(m.properties?.absoluteExpiryTime == 1_700_000_060_000 && m.properties?.creationTime == 1_700_000_000_000)
        #expect(m.applicationProperties == [AMQPValue.Pair(.string("k"), .string("v"))])
        #expect(m.body == .data([Array("hello".utf8)]))
        #expect(m.encoded() == GoldenVectors.serviceBusMessage)
    }

    @Test func batchEnvelopeHoldsWholeMessages() throws {
        let envelope = try AMQPMessage(payload: GoldenVectors.batchEnvelope)
        guard case .data(let inner) = envelope.body else { Issue.record("no data sections"); return }
        #expect(inner.count == 2)
        for d in inner { #expect(try AMQPMessage(payload: d).body == .data([Array("hello".utf8)])) }
    }

    @Test func putTokenRequest() throws {
        let m = try AMQPMessage(payload: GoldenVectors.putToken)
        #expect(m.properties?.messageId == .uuid(UUID(uuidString: "11111111-2222-3333-4444-555555555555")!))
        let props = AMQPValue.map(m.applicationProperties ?? [])
        #expect(props[key: "operation"] == .string("put-token"))
        #expect(props[key: "name"] == .string("sb://localhost/q1"))
        #expect(props[key: "type"] == .string("servicebus.windows.net:sastoken"))
        #expect(props[key: "expiration"] == .timestamp(1_700_000_000_000))
        guard case .value(.string(let token)) = m.body else { Issue.record("no token"); return }
        #expect(token.hasPrefix("SharedAccessSignature sr=sb%3A%2F%2Flocalhost%2Fq1&"))
    }

    @Test func managementRequests() throws {
        let peek = try AMQPMessage(payload: GoldenVectors.mgmtPeek)
        #expect(peek.properties?.replyTo == "q1/$management")
        guard case .value(let body) = peek.body else { Issue.record("no body"); return }
        #expect(body[key: "from-sequence-number"] == .long(1) && body[key: "message-count"] == .int(1))
        let renew = try AMQPMessage(payload: GoldenVectors.mgmtRenewLock)
        guard case .value(let rbody) = renew.body else { Issue.record("no body"); return }
        #expect(rbody[key: "lock-tokens"] == .array([.uuid(UUID(uuidString: "01020304-0506-0708-090a-0b0c0d0e0f10")!)]))
    }

    @Test func settlementOutcomes() throws {
        func state(_ v: [UInt8]) throws -> (Disposition, DeliveryState?) {
            guard case (.disposition(let d), _) = try Self.performative(v) else { throw WharfError.malformed("not disposition") }
            return (d, try DeliveryState(d.state))
        }
        let complete = try state(GoldenVectors.dispositionComplete)
        #expect(complete.0.isReceiver && complete.0.first == 0 && !complete.0.settled && complete.1 == .accepted)
        #expect(try state(GoldenVectors.dispositionAbandon).1 == .modified(deliveryFailed: true, undeliverableHere: false, annotations: .null))
        #expect(try state(GoldenVectors.dispositionDefer).1 == .modified(deliveryFailed: true, undeliverableHere: true, annotations: .null))
        let released = try state(GoldenVectors.dispositionReleased)
        #expect(released.0.settled && released.1 == .released)
        guard case .rejected(let e?)? = try state(GoldenVectors.dispositionDeadLetter).1 else { Issue.record("not rejected"); return }
        #expect(e.condition == "com.microsoft:dead-letter" && e.description == "desc")
        #expect(e.info[key: "DeadLetterReason"] == .string("why"))
        #expect(e.info[key: "DeadLetterErrorDescription"] == .string("desc"))
    }

    // MARK: - What Wharf sends

    @Test func brokerSaslFrames() {
        #expect(AMQPFrame(type: AMQPFrame.typeSASL, channel: 0, performative: SASLFrame.mechanisms(["ANONYMOUS", "MSSBCBS", "PLAIN"]).value)
            .encoded() == GoldenVectors.brokerSaslMechanisms)
        #expect(AMQPFrame(type: AMQPFrame.typeSASL, channel: 0, performative: SASLFrame.outcome(code: 0).value).encoded()
            == GoldenVectors.brokerSaslOutcome)
    }

    @Test func brokerAttachReplyForSessionReceiver() {
        let attach = Attach(
            name: "r2", handle: 0, isReceiver: false, sndSettleMode: 0, rcvSettleMode: 1,
            source: Terminus.make(source: true, address: "amqps://localhost/sq", filter: .symbolMap([("com.microsoft:session-filter", .string("S1"))])),
            target: Terminus.make(source: false, address: "receiver-link-r2"), initialDeliveryCount: 0, maxMessageSize: 262_144,
            properties: .symbolMap([("com.microsoft:locked-until-utc", .long(638_356_032_600_000_000))]))
        #expect(AMQPFrame(channel: 0, performative: attach.value).encoded() == GoldenVectors.brokerAttachReply)
    }

    @Test func brokerSettlementEchoes() {
        func echo(_ s: DeliveryState, isReceiver: Bool) -> [UInt8] {
            AMQPFrame(channel: 0, performative: Disposition(isReceiver: isReceiver, first: 0, last: 0, settled: true, state: s.value).value).encoded()
        }
        #expect(echo(.rejected(nil), isReceiver: false) == GoldenVectors.brokerEchoRejected)
        #expect(echo(.modified(deliveryFailed: false, undeliverableHere: false, annotations: .null), isReceiver: false) == GoldenVectors.brokerEchoModified)
        #expect(echo(.accepted, isReceiver: true) == GoldenVectors.brokerAccepted)
    }

    @Test func brokerTransferCarriesTheLockTokenLittleEndian() {
        let token = UUID(uuidString: "6d0a3c3e-8f0a-4b9e-9c1e-2b3c4d5e6f70")!
        var message = AMQPMessage(
            header: .init(deliveryCount: 0),
            messageAnnotations: [.init(.symbol("x-opt-sequence-number"), .long(42)), .init(.symbol("x-opt-enqueued-time"), .timestamp(1_700_000_000_000)),
                                 .init(.symbol("x-opt-locked-until"), .timestamp(1_700_000_060_000))],
            properties: .init(messageId: .string("m-1")),
            applicationProperties: [.init(.string("DeadLetterReason"), .string("why")), .init(.string("DeadLetterErrorDescription"), .string("desc"))],
            body: .data([Array("hello".utf8)]))
        message.header?.deliveryCount = 0
        let transfer = Transfer(handle: 0, deliveryId: 0, deliveryTag: LockToken.deliveryTag(token), messageFormat: 0, settled: false)
        #expect(AMQPFrame(channel: 0, performative: transfer.value, payload: message.encoded()).encoded() == GoldenVectors.brokerTransferLockToken)
        #expect(LockToken.uuid(deliveryTag: LockToken.deliveryTag(token)) == token)
    }
}
