import Crypto
import Foundation
import WharfAMQP
import WharfCore

/// Connections to the AMQP 1.0 listener in the order the Service Bus SDKs open them (the golden
/// vectors' sequence: SASL header, sasl-init, AMQP header, open, begin, the `$cbs` links and a
/// put-token signed with the data directory's key, then the queue's links, transfers, flow and
/// dispositions, `$management` requests, detach, end, close), cut short at a random step. Every
/// performative and message is built with the codec, then mutated as a value tree (numbers at
/// their extremes, the wrong type, nulls, long and deep compounds, other descriptors), and whole
/// frames are byte-damaged, given lying sizes or replaced by junk.
struct AMQPScripts {
    let host: String
    let keyName: String
    let key: String
    let queue: String
    let frameMutationRate: Double

    /// The operations the `$management` node implements, plus one it does not.
    static let managementOperations = [
        "com.microsoft:peek-message", "com.microsoft:renew-lock", "com.microsoft:receive-by-sequence-number",
        "com.microsoft:update-disposition", "com.microsoft:schedule-message", "com.microsoft:cancel-scheduled-message",
        "com.microsoft:renew-session-lock", "com.microsoft:get-session-state", "com.microsoft:set-session-state", "com.microsoft:fuzz",
    ]

    func script(_ values: inout FuzzValues) -> ConnectionScript {
        var s = ConnectionScript()
        var tree = AMQPTreeMutator()
        let audience = "sb://\(host)/\(queue)"
        // How far this connection goes: every prefix of the exchange is reached.
        let steps = values.random.int(1...12)
        s.add("sasl-header", values.random.chance(0.02) ? Self.header(&values) : AMQPProtocolHeader.sasl.bytes)
        guard steps > 1 else { return s }
        let mechanism = values.string("sasl.mechanism", values.random.pick(["MSSBCBS", "ANONYMOUS", "PLAIN"]))
        let saslInit = SASLFrame.initial(mechanism: mechanism, response: values.random.chance(0.5) ? nil : [], hostname: host).value
        s.add("sasl-init", frame(type: AMQPFrame.typeSASL, channel: 0, tree.mutate(saslInit, &values, "sasl-init"), &values))
        guard steps > 2 else { return s }
        s.add("amqp-header", values.random.chance(0.02) ? Self.header(&values) : AMQPProtocolHeader.amqp.bytes)
        guard steps > 3 else { return s }
        let open = Open(containerId: "fuzz-\(values.random.int(0...999))", hostname: host,
                        maxFrameSize: values.random.chance(0.1) ? values.interesting(UInt32.self) : 1 << 20,
                        channelMax: values.random.chance(0.1) ? values.interesting(UInt16.self) : 65535,
                        idleTimeout: values.random.chance(0.5) ? nil : values.random.pick([0, 1, 30_000, .max]),
                        properties: .symbolMap([("product", .string("wharf-fuzz")), ("version", .string("1"))]))
        s.add("open", frame(channel: 0, tree.mutate(open.value, &values, "open"), &values))
        guard steps > 4 else { return s }
        let channel: UInt16 = values.random.chance(0.05) ? values.interesting(UInt16.self) : 1
        let begin = Begin(remoteChannel: nil, nextOutgoingId: 0, incomingWindow: values.random.chance(0.1) ? values.interesting(UInt32.self) : 65536,
                          outgoingWindow: 65536, handleMax: values.random.chance(0.1) ? values.interesting(UInt32.self) : .max)
        s.add("begin", frame(channel: channel, tree.mutate(begin.value, &values, "begin"), &values))
        guard steps > 5 else { return s }
        // The claims-based security links and one put-token for the queue.
        s.add("attach-cbs", frame(channel: channel, tree.mutate(Attach(name: "cbs-s", handle: 0, isReceiver: false, source: Terminus.make(source: true, address: "cbs-s"),
                                                                     target: Terminus.make(source: false, address: "$cbs"), initialDeliveryCount: 0).value, &values, "attach"), &values)
              + frame(channel: channel, tree.mutate(Attach(name: "cbs-r", handle: 1, isReceiver: true, rcvSettleMode: 0, source: Terminus.make(source: true, address: "$cbs"),
                                                         target: Terminus.make(source: false, address: "cbs-r")).value, &values, "attach"), &values))
        guard steps > 6 else { return s }
        let expiry = Int64(Date().timeIntervalSince1970) + (values.random.chance(0.1) ? -60 : 3600)
        let token = values.string("put-token.token", Self.token(resource: values.random.chance(0.9) ? audience : "sb://\(host)/", keyName: keyName, key: key, expiry: expiry))
        let putToken = AMQPMessage(properties: .init(messageId: .string("1"), to: "$cbs", replyTo: "cbs-r"),
                                   applicationProperties: [.init(.string("operation"), .string("put-token")),
                                                           .init(.string("type"), .string(values.string("put-token.type", "servicebus.windows.net:sastoken"))),
                                                           .init(.string("name"), .string(values.string("put-token.name", audience))),
                                                           .init(.string("expiration"), .timestamp(expiry * 1000))],
                                   body: .value(.string(token)))
        s.add("put-token", transfer(channel: channel, handle: 0, deliveryId: 0, message: putToken, &tree, &values))
        guard steps > 7 else { return s }
        // The queue's sender and peek-lock receiver, credit for it, messages.
        let address = values.string("attach.address", values.random.chance(0.5) ? queue : "amqps://\(host)/\(queue)")
        s.add("attach-queue", frame(channel: channel, tree.mutate(Attach(name: "s", handle: 2, isReceiver: false, source: Terminus.make(source: true, address: "s"),
                                                                       target: Terminus.make(source: false, address: address), initialDeliveryCount: 0).value, &values, "attach"), &values)
              + frame(channel: channel, tree.mutate(Attach(name: "r", handle: 3, isReceiver: true, sndSettleMode: 0, rcvSettleMode: 1,
                                                         source: Terminus.make(source: true, address: address, filter: Self.filter(&values)),
                                                         target: Terminus.make(source: false, address: "r")).value, &values, "attach"), &values))
        guard steps > 8 else { return s }
        let flow = Flow(nextIncomingId: 0, incomingWindow: 65536, nextOutgoingId: 0, outgoingWindow: 65536, handle: 3, deliveryCount: 0,
                        linkCredit: values.random.chance(0.1) ? values.interesting(UInt32.self) : UInt32(values.random.int(1...20)), drain: values.random.chance(0.2))
        s.add("flow", frame(channel: channel, tree.mutate(flow.value, &values, "flow"), &values))
        guard steps > 9 else { return s }
        for i in 0..<values.random.int(1...4) {
            s.add("send", transfer(channel: channel, handle: 2, deliveryId: UInt32(1 + i), message: Self.message(&values), &tree, &values))
        }
        guard steps > 10 else { return s }
        let outcome = values.random.pick([Self.accepted, Self.rejected, Self.released, Self.modified])
        let first = UInt32(values.random.int(0...4))
        let disposition = Disposition(isReceiver: true, first: first, last: values.random.chance(0.5) ? nil : first &+ UInt32(values.random.int(0...3)),
                                      settled: values.random.chance(0.7), state: outcome)
        s.add("disposition", frame(channel: channel, tree.mutate(disposition.value, &values, "disposition"), &values))
        guard steps > 11 else { return s }
        s.add("management", management(channel: channel, address: address, &tree, &values))
        // Closing, in order or not at all.
        if values.random.chance(0.5) {
            s.add("close", frame(channel: channel, Detach(handle: UInt32(values.random.int(0...5)), closed: true).value, &values)
                  + frame(channel: channel, End().value, &values) + frame(channel: 0, Close().value, &values))
        }
        return s
    }

    /// The `$management` links of the queue and one request on them.
    private func management(channel: UInt16, address: String, _ tree: inout AMQPTreeMutator, _ values: inout FuzzValues) -> [UInt8] {
        let node = address + "/$management"
        var bytes = frame(channel: channel, Attach(name: "m-s", handle: 4, isReceiver: false, source: Terminus.make(source: true, address: "m-s"),
                                                   target: Terminus.make(source: false, address: node), initialDeliveryCount: 0).value, &values)
        bytes += frame(channel: channel, Attach(name: "m-r", handle: 5, isReceiver: true, source: Terminus.make(source: true, address: node),
                                                target: Terminus.make(source: false, address: "m-r")).value, &values)
        bytes += frame(channel: channel, Flow(nextIncomingId: 0, incomingWindow: 65536, nextOutgoingId: 0, outgoingWindow: 65536, handle: 5,
                                              deliveryCount: 0, linkCredit: 10, drain: false).value, &values)
        let operation = values.random.pick(Self.managementOperations)
        let token = AMQPValue.uuid(UUID())
        let body: AMQPValue = .stringMap([
            ("lock-tokens", .array([token])), ("sequence-numbers", .array([.long(Int64(values.random.int(0...10)))])),
            ("from-sequence-number", .long(values.interesting(Int64.self))), ("message-count", .int(Int32(values.random.int(0...50)))),
            ("receiver-settle-mode", .uint(1)), ("disposition-status", .string(values.random.pick(["completed", "abandoned", "defered", "suspended", "x"]))),
            ("session-id", .string(values.string("session-id", "s1"))), ("session-state", .binary(values.bytes("session-state", [1, 2]))),
            ("messages", .list([.stringMap([("message-id", .string("m1")), ("message", .binary(Self.message(&values).encoded()))])])),
        ])
        let request = AMQPMessage(properties: .init(messageId: .string("mgmt-1"), replyTo: "m-r"),
                                  applicationProperties: [.init(.string("operation"), .string(operation)),
                                                          .init(.string("com.microsoft:server-timeout"), .uint(5_000))],
                                  body: .value(body))
        return bytes + transfer(channel: channel, handle: 4, deliveryId: 20, message: request, &tree, &values)
    }

    /// A message as the SDK sends it: a body of each kind, properties, application properties
    /// and the annotations Service Bus reads.
    static func message(_ values: inout FuzzValues) -> AMQPMessage {
        let body: AMQPMessage.Body
        switch values.random.int(0...2) {
        case 0: body = .data([values.bytes("body", Array("hello".utf8))])
        case 1: body = .value(.string(values.string("body", "hello")))
        default: body = .sequence([[.int(1), .string("x")]])
        }
        var annotations: [AMQPValue.Pair] = []
        if values.random.chance(0.3) { annotations.append(.init(.symbol("x-opt-scheduled-enqueue-time"), .timestamp(values.random.chance(0.5) ? values.interesting(Int64.self) : Int64(Date().timeIntervalSince1970 * 1000) + 60_000))) }
        if values.random.chance(0.3) { annotations.append(.init(.symbol("x-opt-partition-key"), .string(values.string("partition-key", "p")))) }
        return AMQPMessage(header: .init(durable: true, ttl: values.random.chance(0.2) ? values.interesting(UInt32.self) : nil),
                           messageAnnotations: annotations.isEmpty ? nil : annotations,
                           properties: .init(messageId: .string(values.string("message-id", "m-\(values.random.int(0...99))")),
                                             subject: values.random.chance(0.5) ? nil : values.string("subject", "s"),
                                             correlationId: values.random.chance(0.5) ? .null : .string("c"),
                                             contentType: "text/plain", groupId: values.random.chance(0.2) ? values.string("session", "s1") : nil),
                           applicationProperties: [.init(.string("color"), .string(values.string("app.color", "red"))), .init(.string("n"), .long(values.interesting(Int64.self)))],
                           body: body)
    }

    /// A Service Bus filter on the receiver's source: a session filter, a SQL-ish one, or none.
    static func filter(_ values: inout FuzzValues) -> AMQPValue {
        switch values.random.int(0...3) {
        case 0: .symbolMap([("com.microsoft:session-filter", values.random.chance(0.5) ? .null : .string(values.string("session-filter", "s1")))])
        case 1: .symbolMap([("apache.org:selector-filter:string", .described(.symbol("apache.org:selector-filter:string"), .string(values.string("selector", "color = 'red'"))))])
        default: .null
        }
    }

    static let accepted = AMQPValue.described(0x24, .list([]))
    static let rejected = AMQPValue.described(0x25, .list([.null]))
    static let released = AMQPValue.described(0x26, .list([]))
    static let modified = AMQPValue.described(0x27, .list([.bool(true), .bool(false), .null]))

    /// A protocol header with a random protocol id or version.
    static func header(_ values: inout FuzzValues) -> [UInt8] {
        Array("AMQP".utf8) + [UInt8(values.random.int(0...4)), UInt8(values.random.int(0...2)), UInt8(values.random.int(0...1)), 0]
    }

    /// A transfer of `message`, split over several frames (`more`) now and then, as large
    /// messages are.
    private func transfer(channel: UInt16, handle: UInt32, deliveryId: UInt32, message: AMQPMessage,
                          _ tree: inout AMQPTreeMutator, _ values: inout FuzzValues) -> [UInt8] {
        var payload = values.mutate("payload") ? values.bytes("payload", []) : message.encoded()
        // Now and then a section before the message's own (a value of any type).
        if values.mutate("payload.section") { payload = AMQPEncoder.encode(tree.hostile(&values)) + payload }
        let performative = Transfer(handle: handle, deliveryId: deliveryId, deliveryTag: [UInt8(truncatingIfNeeded: deliveryId)], messageFormat: 0,
                                    settled: values.random.chance(0.3)).value
        if payload.count > 8, values.random.chance(0.15) {
            let cut = values.random.int(1...(payload.count - 1))
            var first = Transfer(handle: handle, deliveryId: deliveryId, deliveryTag: [UInt8(truncatingIfNeeded: deliveryId)], messageFormat: 0)
            first.more = true
            return frame(channel: channel, first.value, &values, payload: Array(payload[..<cut]))
                + frame(channel: channel, Transfer(handle: handle).value, &values, payload: Array(payload[cut...]))
        }
        return frame(channel: channel, tree.mutate(performative, &values, "transfer"), &values, payload: payload)
    }

    /// One encoded frame, byte-damaged now and then (its size then says how long it is now, or
    /// lies about it).
    private func frame(type: UInt8 = AMQPFrame.typeAMQP, channel: UInt16, _ performative: AMQPValue, _ values: inout FuzzValues,
                       payload: [UInt8] = []) -> [UInt8] {
        var bytes = AMQPFrame(type: type, channel: channel, performative: performative, payload: payload).encoded()
        if values.random.chance(frameMutationRate) {
            let (damaged, kind) = FrameMutator.mutate(bytes, &values.random)
            values.mutated.append("frame:\(kind.rawValue)")
            bytes = damaged
            if bytes.count >= 4, values.random.chance(0.7) { bytes.setBigEndian(UInt32(truncatingIfNeeded: bytes.count), at: 0) }
        }
        return bytes
    }

    /// A put-token's shared access signature, as the SDKs sign it.
    static func token(resource: String, keyName: String, key: String, expiry: Int64) -> String {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_.~"))
        let sr = resource.addingPercentEncoding(withAllowedCharacters: allowed) ?? resource
        let mac = HMAC<SHA256>.authenticationCode(for: Array((sr + "\n" + String(expiry)).utf8), using: SymmetricKey(data: Array(key.utf8)))
        let sig = Data(mac).base64EncodedString().addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
        return "SharedAccessSignature sr=\(sr)&sig=\(sig)&se=\(expiry)&skn=\(keyName)"
    }
}
