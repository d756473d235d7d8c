import Foundation
import GRPCCore
import Testing
import WharfESDBProtocol
import WharfTestSupport

/// HTTP/2 frames written by hand against the listener: what the .NET client needs beyond the
/// Python clients, and hostile input that must never stop the listener.
@Suite(.serialized) struct ESDBByteLevelTests {
    /// The .NET client pings every 10 s (KeepAliveInterval) even with no call open. grpc-swift's
    /// default policy allows one ping per 5 minutes and answers the third early one with GOAWAY
    /// ENHANCE_YOUR_CALM; the listener allows one every 5 s. Three pings 5.1 s apart on an idle
    /// connection are all acknowledged and the connection stays open.
    @Test func idleKeepalivePingsEveryFiveSecondsAreAcknowledged() async throws {
        try await ESDBTestServer().stopping { server in
            let outcome = try await offThePool { () throws -> (acks: Int, goAway: Bool) in
                let h2 = try RawH2Socket(port: server.port, timeoutMs: 8_000)
                try h2.handshake()
                var acks = 0
                var goAway = false
                for i in 0..<3 {
                    if i > 0 { Thread.sleep(forTimeInterval: 5.1) }
                    let payload: [UInt8] = [0, 0, 0, 0, 0, 0, 0, UInt8(i + 1)]
                    try h2.send(RawH2Socket.frame(type: RawH2Socket.FrameType.ping, payload: payload))
                    let (ack, seen) = h2.readUntil { $0.type == RawH2Socket.FrameType.ping && $0.flags & 1 == 1 && $0.payload == payload }
                    if ack != nil { acks += 1 }
                    if seen.contains(where: { $0.type == RawH2Socket.FrameType.goAway }) { goAway = true }
                    // A settings frame from the server is acknowledged, as a client does.
                    if seen.contains(where: { $0.type == RawH2Socket.FrameType.settings && $0.flags & 1 == 0 }) {
                        try h2.send(RawH2Socket.frame(type: RawH2Socket.FrameType.settings, flags: 1))
                    }
                }
                return (acks, goAway)
            }
            #expect(outcome.acks == 3 && !outcome.goAway, "\(outcome)")
        }
    }

    /// The header's gRPC client count: a connection counts from its accept (before any call)
    /// until it closes, whichever side closes it.
    @Test func connectionCountFollowsOpenConnections() async throws {
        try await ESDBTestServer().stopping { server in
            let listener = server.server
            #expect(listener.connectionCount == 0)
            let counts = try await offThePool { () throws -> (open: Bool, closed: Bool) in
                var h2: RawH2Socket? = try RawH2Socket(port: server.port)
                try h2?.handshake()
                let open = Self.eventually { listener.connectionCount == 1 }
                h2 = nil
                return (open, Self.eventually { listener.connectionCount == 0 })
            }
            #expect(counts.open && counts.closed, "\(counts), now \(listener.connectionCount)")
        }
    }

    /// Polls `condition` every 20 ms for up to 10 s (on a thread of its own: see `offThePool`).
    static func eventually(_ condition: () -> Bool) -> Bool {
        for _ in 0..<500 {
            if condition() { return true }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return condition()
    }

    /// grpc-swift traps on a negative grpc-timeout ("-1S"): found by `wharf-fuzz run --protocol
    /// grpc`, it stopped the whole process. The malformed timeout is dropped (the call runs
    /// without a deadline and is answered), and the listener serves on.
    @Test func aNegativeGRPCTimeoutIsIgnoredNotATrap() async throws {
        try await ESDBTestServer().stopping { server in
            for timeout in ["-1S", "-99m", "+5S", "1x", "123456789S"] {
                let answered = try await offThePool { () throws -> Bool in
                    let h2 = try RawH2Socket(port: server.port, timeoutMs: 5_000)
                    try h2.handshake()
                    let fields = [(":method", "POST"), (":scheme", "http"), (":path", "/event_store.client.server_features.ServerFeatures/GetSupportedMethods"),
                                  (":authority", "127.0.0.1"), ("content-type", "application/grpc"), ("te", "trailers"), ("grpc-timeout", timeout)]
                    // HPACK literals without indexing (RFC 7541 §6.2.2), every string under 127 bytes.
                    let block: [UInt8] = fields.flatMap { (name: String, value: String) -> [UInt8] in
                        [0x00, UInt8(name.utf8.count)] + Array(name.utf8) + [UInt8(value.utf8.count)] + Array(value.utf8)
                    }
                    try h2.send(RawH2Socket.frame(type: RawH2Socket.FrameType.headers, flags: 0x4, stream: 1, payload: block)
                                + RawH2Socket.frame(type: RawH2Socket.FrameType.data, flags: 0x1, stream: 1, payload: [0, 0, 0, 0, 0]))
                    return h2.readUntil { $0.type == RawH2Socket.FrameType.headers && $0.stream == 1 }.match != nil
                }
                #expect(answered, "grpc-timeout \(timeout)")
            }
            let info = try await server.withClient { client in
                try await EventStore_Client_Gossip_Gossip.Client(wrapping: client).read(EventStore_Client_Empty())
            }
            #expect(info.members.count == 1)
        }
    }

    /// Garbage instead of the preface, a frame declaring 16 MiB (over the 16 KiB frame size the
    /// server allows), and a HEADERS frame with a truncated HPACK block: each connection is
    /// closed, and the listener then serves a normal call.
    @Test func hostileFramesCloseTheirConnectionAndTheListenerServesOn() async throws {
        try await ESDBTestServer().stopping { server in
            let hostile: [[UInt8]] = [
                Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8) + [UInt8](repeating: 0xff, count: 4096),
                RawH2Socket.preface + RawH2Socket.frame(type: RawH2Socket.FrameType.settings)
                    + RawH2Socket.frame(type: RawH2Socket.FrameType.data, stream: 1, payload: [1, 2, 3], declaredLength: 0xff_ffff),
                RawH2Socket.preface + RawH2Socket.frame(type: RawH2Socket.FrameType.settings)
                    + RawH2Socket.frame(type: RawH2Socket.FrameType.headers, flags: 0x4, stream: 1, payload: [0x40, 0x7f, 0xff, 0xff, 0xff, 0xff]),
            ]
            for bytes in hostile {
                let closed = try await offThePool { () throws -> Bool in
                    let h2 = try RawH2Socket(port: server.port, timeoutMs: 5_000)
                    try? h2.send(bytes)
                    // Read to the end: the server must close (after a GOAWAY where it got that far).
                    var frames = 0
                    while h2.readFrame() != nil { frames += 1; if frames > 100 { return false } }
                    return true
                }
                #expect(closed)
            }
            let info = try await server.withClient { client in
                try await EventStore_Client_Gossip_Gossip.Client(wrapping: client).read(EventStore_Client_Empty())
            }
            #expect(info.members.count == 1)
        }
    }

    /// A request message over the 17 MiB limit is refused before it is buffered whole: the
    /// transport resets the stream (grpc-swift's client reports it as UNAVAILABLE or
    /// RESOURCE_EXHAUSTED, depending on when it sees the reset); nothing is written and the
    /// listener serves on.
    @Test func aMessageOverTheMaximumSizeIsResourceExhausted() async throws {
        try await ESDBTestServer().stopping { server in
            var request = EventStore_Client_Streams_BatchAppendReq()
            request.correlationID.string = UUID().uuidString
            request.options.streamIdentifier.streamName = Data("big-1".utf8)
            request.options.any = .init()
            var event = EventStore_Client_Streams_BatchAppendReq.ProposedMessage()
            event.id.string = UUID().uuidString
            event.metadata = ["type": "Big", "content-type": "application/octet-stream"]
            event.data = Data(count: 18 * 1024 * 1024)
            request.proposedMessages = [event]
            request.isFinal = true
            let oversized = request
            let code = try await server.withClient { client -> RPCError.Code? in
                do {
                    try await EventStore_Client_Streams_Streams.Client(wrapping: client).batchAppend(
                        requestProducer: { writer in try await writer.write(oversized) },
                        onResponse: { response in for try await _ in response.messages {} })
                    return nil
                } catch let error as RPCError {
                    return error.code
                }
            }
            #expect(code == .resourceExhausted || code == .unavailable, "\(String(describing: code))")
            #expect(server.store.lastRevision(of: "big-1") == nil)
            let info = try await server.withClient { client in
                try await EventStore_Client_Gossip_Gossip.Client(wrapping: client).read(EventStore_Client_Empty())
            }
            #expect(info.members.count == 1)
        }
    }
}
