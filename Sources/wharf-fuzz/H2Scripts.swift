import Foundation
import SwiftProtobuf
import WharfESDBProtocol

/// Connections to the EventStoreDB gRPC listener as its clients open them: the HTTP/2 preface,
/// SETTINGS, then calls (HEADERS to a valid or invalid path, DATA carrying length-prefixed
/// protobuf requests built with the generated code), mutated at every layer: SETTINGS values at
/// their limits, streams with bad ids, hostile header fields and HPACK, header blocks split over
/// CONTINUATION, protobufs mutated on the wire, gRPC length prefixes that lie, control frames
/// (RST_STREAM, PING, PRIORITY, WINDOW_UPDATE, GOAWAY, unknown types) between them.
struct H2Scripts {
    let frameMutationRate: Double

    static let streams = "/event_store.client.streams.Streams/"
    static let probePath = "/event_store.client.server_features.ServerFeatures/GetSupportedMethods"
    static let validPaths = [
        streams + "Read", streams + "Append", streams + "BatchAppend", streams + "Delete", streams + "Tombstone",
        "/event_store.client.gossip.Gossip/Read", probePath,
        "/event_store.client.persistent_subscriptions.PersistentSubscriptions/Read",
        "/event_store.client.persistent_subscriptions.PersistentSubscriptions/Create",
        "/event_store.client.persistent_subscriptions.PersistentSubscriptions/GetInfo",
    ]
    static let invalidPaths = [
        "/", "", "*", streams, streams + "read", "/event_store.client.streams.Streams", "/x.Y/Z", "//Read",
        streams + "Read/extra", "/" + String(repeating: "a", count: 8_000), "/event_store.client.streams.Streams/Read?x=1",
    ]

    func script(_ values: inout FuzzValues) -> ConnectionScript {
        var s = ConnectionScript()
        s.add("preface", values.mutate("preface") ? FrameMutator.mutate(H2Frame.preface, &values.random).0 : H2Frame.preface)
        s.add("settings", settings(&values))
        if values.random.chance(0.3) { s.add("control", control(&values, stream: 0)) }
        var stream: UInt32 = 1
        for _ in 0..<values.random.int(1...3) {
            let id = values.mutate("stream-id") ? values.random.pick([0, 2, stream &- 2, 0x7fff_ffff, stream]) : stream
            stream &+= 2
            let path = values.random.chance(0.85) ? values.random.pick(Self.validPaths) : values.random.pick(Self.invalidPaths)
            let requests = (0..<(path.hasSuffix("BatchAppend") || path.hasSuffix("Append") ? values.random.int(1...3) : 1)).map { i in
                Self.request(for: path, first: i == 0, &values)
            }
            let endOnHeaders = values.random.chance(0.05)
            s.add("headers", headers(stream: id, path: path, endStream: endOnHeaders, &values))
            if endOnHeaders { continue }
            for (i, message) in requests.enumerated() {
                var bytes = values.random.chance(values.mutationRate * 4) ? ProtobufMutator.mutate(message, &values) : message
                if values.mutate("grpc.message") { bytes = FrameMutator.mutate(bytes, &values.random).0 }
                s.add("data", data(stream: id, message: bytes, last: i == requests.count - 1, &values))
            }
            if values.random.chance(0.2) { s.add("control", control(&values, stream: id)) }
        }
        if values.random.chance(0.1) { s.add("junk", (0..<values.random.int(1...200)).map { _ in UInt8.random(in: 0...255, using: &values.random) }) }
        return s
    }

    /// The client's SETTINGS, now and then with values at or past their limits (RFC 9113 §6.5.2),
    /// an unknown setting, or a length that is not a multiple of 6; sometimes an ACK too.
    private func settings(_ values: inout FuzzValues) -> [UInt8] {
        var pairs: [(UInt16, UInt32)] = [(2, 0), (4, 65_535)]
        if values.mutate("settings") {
            pairs = (0..<values.random.int(1...6)).map { _ in
                (UInt16(values.random.int(0...8)), values.random.pick([0, 1, 16_383, 16_384, 16_777_215, 16_777_216, 0x7fff_ffff, 0x8000_0000, .max]))
            }
        }
        var bytes = H2Frame.settings(pairs)
        if values.mutate("settings.length") { bytes = H2Frame.frame(H2Frame.Kind.settings.rawValue, [0, 4, 0, 0, 0xff]) }
        if values.random.chance(0.5) { bytes += H2Frame.settings([], ack: true) }
        return bytes
    }

    /// A HEADERS frame (split over CONTINUATION now and then) with the call's fields; mutated
    /// blocks drop or repeat pseudo-headers, add hostile fields, or carry HPACK that refers to
    /// table entries that do not exist, resizes the table, or declares strings longer than sent.
    private func headers(stream: UInt32, path: String, endStream: Bool, _ values: inout FuzzValues) -> [UInt8] {
        var fields = HPACKLiteral.requestFields(path: path)
        if values.random.chance(0.2) { fields.append(("grpc-timeout", values.random.pick(["1S", "0m", "99999999H", "x", "-1S", "1n"]))) }
        if values.random.chance(0.1) { fields.append(("grpc-encoding", values.random.pick(["gzip", "identity", "deflate", "zstd", ""]))) }
        if values.mutate("headers.fields") {
            switch values.random.int(0...5) {
            case 0: fields.removeAll { $0.0 == values.random.pick([":method", ":path", ":scheme", "content-type", "te"]) }
            case 1: fields.append(fields[values.random.int(0...3)])
            case 2: fields.append((values.random.pick(["Content-Type", ":unknown", "connection", "x\u{0}y", ""]), values.random.pick(FuzzValues.hostileStrings)))
            case 3: fields[0] = (":method", values.random.pick(["GET", "PUT", "", "POST "]))
            case 4: fields[4] = ("content-type", values.random.pick(["application/json", "application/grpc+json", "text/plain", ""]))
            default: fields += Array(repeating: ("x-fuzz", String(repeating: "v", count: 1_000)), count: values.random.pick([10, 100]))
            }
        }
        var block = fields.flatMap { HPACKLiteral.field($0.0, $0.1) }
        if values.mutate("hpack") {
            let hostile: [[UInt8]] = [
                HPACKLiteral.integer(values.random.pick([62, 100, 4_096, 1 << 20]), prefix: 7, high: 0x80),  // indexed, past both tables
                HPACKLiteral.integer(values.random.pick([0, 4_097, 1 << 30]), prefix: 5, high: 0x20),        // dynamic table size update
                [0x00] + HPACKLiteral.integer(1 << 24, prefix: 7) + [0x61],                                 // a name longer than the block
                [0x00, 0x81, 0xff, 0x01, 0x61],                                                                // Huffman with invalid padding
                [0x80],                                                                                        // index 0
            ]
            let piece = values.random.pick(hostile)
            block = values.random.chance(0.5) ? piece + block : block + piece
        }
        let flags: UInt8 = endStream ? 0x1 : 0
        if block.count > 8, values.random.chance(0.1) {
            let cut = values.random.int(1...(block.count - 1))
            return H2Frame.frame(H2Frame.Kind.headers.rawValue, flags: flags, stream: stream, Array(block[..<cut]))
                + H2Frame.frame(H2Frame.Kind.continuation.rawValue, flags: 0x4, stream: values.mutate("continuation.stream") ? stream &+ 2 : stream, Array(block[cut...]))
        }
        return damaged(H2Frame.frame(H2Frame.Kind.headers.rawValue, flags: 0x4 | flags, stream: stream, block), &values)
    }

    /// DATA frames with one gRPC message (compressed flag, 32-bit length, protobuf), split in
    /// two frames now and then; mutated prefixes lie about the length or claim compression.
    private func data(stream: UInt32, message: [UInt8], last: Bool, _ values: inout FuzzValues) -> [UInt8] {
        var framed = Self.grpcMessage(message)
        if values.mutate("grpc.prefix") {
            framed[0] = values.random.pick([1, 2, 0xff])
            if values.random.chance(0.7) {
                framed.replaceSubrange(1..<5, with: H2Frame.be32(values.random.pick([0, UInt32(message.count + 1), 0x00ff_ffff, 0x7fff_ffff, .max])))
            }
        }
        let endStream = last && !values.mutate("data.endStream")
        if framed.count > 2, values.random.chance(0.2) {
            let cut = values.random.int(1...(framed.count - 1))
            return H2Frame.data(stream: stream, payload: Array(framed[..<cut]), endStream: false)
                + H2Frame.data(stream: stream, payload: Array(framed[cut...]), endStream: endStream)
        }
        var frame = H2Frame.data(stream: stream, payload: framed, endStream: endStream)
        if values.mutate("data.padded") {
            // PADDED with a pad length past the payload.
            frame = H2Frame.frame(H2Frame.Kind.data.rawValue, flags: 0x8 | (endStream ? 1 : 0), stream: stream, [0xff] + framed)
        }
        return damaged(frame, &values)
    }

    /// A control frame, well-formed or not.
    private func control(_ values: inout FuzzValues, stream: UInt32) -> [UInt8] {
        switch values.random.int(0...6) {
        case 0: return H2Frame.frame(H2Frame.Kind.rstStream.rawValue, stream: stream, H2Frame.be32(values.interesting(UInt32.self)))
        case 1: return H2Frame.frame(H2Frame.Kind.ping.rawValue, [UInt8](repeating: 7, count: values.random.pick([8, 8, 0, 9])))
        case 2: return H2Frame.frame(H2Frame.Kind.priority.rawValue, stream: stream, H2Frame.be32(stream) + [0xff])  // depends on itself
        case 3: return H2Frame.frame(H2Frame.Kind.windowUpdate.rawValue, stream: stream, H2Frame.be32(values.random.pick([0, 1, 0x7fff_ffff, .max])))
        case 4: return H2Frame.frame(H2Frame.Kind.goAway.rawValue, H2Frame.be32(stream) + H2Frame.be32(0))
        case 5: return H2Frame.frame(H2Frame.Kind.pushPromise.rawValue, flags: 0x4, stream: stream, H2Frame.be32(2) + HPACKLiteral.request(path: "/"))
        default: return H2Frame.frame(UInt8(values.random.int(10...255)), flags: UInt8(values.random.int(0...255)), stream: stream, [1, 2, 3])
        }
    }

    /// Byte damage to a whole frame, at the frame mutation rate.
    private func damaged(_ frame: [UInt8], _ values: inout FuzzValues) -> [UInt8] {
        guard values.random.chance(frameMutationRate) else { return frame }
        let (bytes, kind) = FrameMutator.mutate(frame, &values.random)
        values.mutated.append("frame:\(kind.rawValue)")
        return bytes
    }

    /// gRPC's length-prefixed message: not compressed, then the length.
    static func grpcMessage(_ message: [UInt8]) -> [UInt8] { [0] + H2Frame.be32(UInt32(truncatingIfNeeded: message.count)) + message }

    /// A valid request for `path` (the first of a client stream, or a later one), with stream
    /// names, revisions and counts drawn from the hostile values now and then.
    static func request(for path: String, first: Bool, _ values: inout FuzzValues) -> [UInt8] {
        let name = Data(values.string("stream", values.random.pick(["orders-1", "$all", "$settings", "orders-\(values.random.int(0...9))"])).utf8)
        var id = EventStore_Client_StreamIdentifier()
        id.streamName = name
        let message: (any SwiftProtobuf.Message)?
        switch path {
        case streams + "Read":
            var r = EventStore_Client_Streams_ReadReq()
            if values.random.chance(0.5) {
                var o = EventStore_Client_Streams_ReadReq.Options.StreamOptions()
                o.streamIdentifier = id
                switch values.random.int(0...2) {
                case 0: o.start = .init()
                case 1: o.end = .init()
                default: o.revision = values.random.chance(0.5) ? UInt64(values.random.int(0...10)) : values.interesting(UInt64.self)
                }
                r.options.stream = o
            } else {
                var a = EventStore_Client_Streams_ReadReq.Options.AllOptions()
                if values.random.chance(0.5) { a.start = .init() } else {
                    var p = EventStore_Client_Streams_ReadReq.Options.Position()
                    p.commitPosition = values.interesting(UInt64.self)
                    p.preparePosition = values.interesting(UInt64.self)
                    a.position = p
                }
                r.options.all = a
                if values.random.chance(0.3) {
                    var f = EventStore_Client_Streams_ReadReq.Options.FilterOptions()
                    var e = EventStore_Client_Streams_ReadReq.Options.FilterOptions.Expression()
                    e.regex = values.string("filter.regex", "^orders")
                    e.prefix = [values.string("filter.prefix", "ord")]
                    if values.random.chance(0.5) { f.streamIdentifier = e } else { f.eventType = e }
                    f.max = values.random.chance(0.5) ? UInt32(values.random.int(0...100)) : values.interesting(UInt32.self)
                    f.checkpointIntervalMultiplier = values.interesting(UInt32.self)
                    r.options.filter = f
                } else {
                    r.options.noFilter = .init()
                }
            }
            r.options.readDirection = values.random.chance(0.5) ? .forwards : .backwards
            r.options.resolveLinks = values.random.chance(0.2)
            if values.random.chance(0.2) { r.options.subscription = .init() } else {
                r.options.count = values.random.chance(0.8) ? UInt64(values.random.int(0...100)) : values.interesting(UInt64.self)
            }
            if values.random.chance(0.5) { r.options.uuidOption.string = .init() } else { r.options.uuidOption.structured = .init() }
            message = r
        case streams + "Append":
            var r = EventStore_Client_Streams_AppendReq()
            if first {
                var o = EventStore_Client_Streams_AppendReq.Options()
                o.streamIdentifier = id
                switch values.random.int(0...3) {
                case 0: o.any = .init()
                case 1: o.noStream = .init()
                case 2: o.streamExists = .init()
                default: o.revision = values.interesting(UInt64.self)
                }
                r.options = o
            } else {
                r.proposedMessage = proposed(&values)
            }
            message = r
        case streams + "BatchAppend":
            var r = EventStore_Client_Streams_BatchAppendReq()
            r.correlationID.string = UUID().uuidString
            if first {
                var o = EventStore_Client_Streams_BatchAppendReq.Options()
                o.streamIdentifier = id
                if values.random.chance(0.5) { o.any = .init() } else { o.streamPosition = values.interesting(UInt64.self) }
                r.options = o
            }
            r.proposedMessages = (0..<values.random.int(0...3)).map { _ in
                let p = proposed(&values)
                var m = EventStore_Client_Streams_BatchAppendReq.ProposedMessage()
                m.id = p.id
                m.metadata = p.metadata
                m.data = p.data
                return m
            }
            r.isFinal = values.random.chance(0.8)
            message = r
        case streams + "Delete":
            var r = EventStore_Client_Streams_DeleteReq()
            r.options.streamIdentifier = id
            if values.random.chance(0.5) { r.options.any = .init() } else { r.options.revision = values.interesting(UInt64.self) }
            message = r
        case streams + "Tombstone":
            var r = EventStore_Client_Streams_TombstoneReq()
            r.options.streamIdentifier = id
            if values.random.chance(0.5) { r.options.any = .init() } else { r.options.noStream = .init() }
            message = r
        default:
            // Empty requests (Gossip, ServerFeatures), persistent subscriptions' requests as
            // random fields, and whatever an invalid path gets.
            message = nil
        }
        if let message, let bytes: [UInt8] = try? message.serializedBytes() { return bytes }
        return values.bytes("body", [])
    }

    private static func proposed(_ values: inout FuzzValues) -> EventStore_Client_Streams_AppendReq.ProposedMessage {
        var m = EventStore_Client_Streams_AppendReq.ProposedMessage()
        if values.mutate("event.id") { m.id.string = values.random.pick(FuzzValues.hostileStrings) } else { m.id.string = UUID().uuidString }
        m.metadata = ["type": values.string("event.type", "OrderPlaced"), "content-type": values.string("event.content-type", "application/json")]
        if values.mutate("event.metadata") { m.metadata.removeValue(forKey: values.random.pick(["type", "content-type"])) }
        m.data = Data(values.bytes("event.data", Array("{\"n\":1}".utf8)))
        return m
    }
}
