import Foundation
import Logging
import Testing
import WharfAMQP
import WharfCore
import WharfEngine
import WharfStorage
import WharfTestSupport
@testable import WharfAMQPServer

/// The AMQP listener through its socket with raw frames: what the SDKs never send (garbage,
/// hostile sizes, tiny frames, missing tokens) and the .NET deltas the Python SDK does not
/// exercise (64 KiB-style small frames split both ways, drain echo, heartbeats).
@Suite(.serialized) struct AMQPListenerTests {
    static let key = "dGVzdC1rZXktZm9yLXdoYXJmLWFtcXAtdGVzdHM="

    /// An engine, its queues with `q`, a key file and a listener on a free port.
    final class Fixture: Sendable {
        let path = NSTemporaryDirectory() + "wharf-amqp-\(UUID().uuidString)"
        let engine: Engine
        let queues: QueueStore
        let server: AMQPServer
        let port: Int

        /// `eventLoopThreads`: the listener's own loops (NIO's shared ones when nil).
        init(limits: AMQPListenerLimits = AMQPListenerLimits(), clock: any WallClock = SystemClock(),
             fsync: FsyncPolicy = .never, faults: FaultInjector? = nil, eventLoopThreads: Int? = nil) async throws {
            var logger = Logger(label: "test")
            logger.logLevel = .error
            var engineConfig = EngineConfig(dataDirectory: path, fsync: fsync)
            engineConfig.faults = faults
            engine = try Engine.open(config: engineConfig, clock: clock, logger: logger)
            queues = try engine.openQueues()
            try queues.createQueue("q")
            let keys = ServiceBusKeys(dataDirectory: path)
            try keys.save([ServiceBusKeys.defaultKeyName: AMQPListenerTests.key])
            var config = AMQPServer.Configuration()
            config.port = 0
            config.limits = limits
            config.sharesEventLoops = eventLoopThreads == nil
            config.eventLoopThreads = eventLoopThreads
            server = AMQPServer(queues: queues, keys: keys, configuration: config, logger: logger)
            port = try await server.start()
        }

        /// Runs `body` on a fresh fixture and stops it afterwards, whatever happened.
        static func with(limits: AMQPListenerLimits = AMQPListenerLimits(), clock: any WallClock = SystemClock(),
                         fsync: FsyncPolicy = .never, faults: FaultInjector? = nil, eventLoopThreads: Int? = nil,
                         _ body: (Fixture) async throws -> Void) async throws {
            let f = try await Fixture(limits: limits, clock: clock, fsync: fsync, faults: faults, eventLoopThreads: eventLoopThreads)
            do { try await body(f) } catch {
                await f.stop()
                throw error
            }
            await f.stop()
        }

        func stop() async {
            await server.stop()
            try? queues.close()
            try? engine.close()
            try? FileManager.default.removeItem(atPath: path)
        }
    }

    /// SASL ANONYMOUS, open (with the client's max-frame-size and idle-time-out) and begin on channel 1.
    static func handshake(_ port: Int, maxFrameSize: UInt32 = 1 << 20, idleTimeout: UInt32? = nil, mechanism: String = "ANONYMOUS",
                          incomingWindow: UInt32 = 65536) async throws -> RawAMQPSocket {
        let c = try await RawAMQPSocket.connect(port: port)
        try await c.send(AMQPProtocolHeader.sasl.bytes)
        #expect(try await c.receiveHeader() == AMQPProtocolHeader.sasl.bytes)
        let mechanisms = try #require(try await c.receiveFrame())
        guard case .mechanisms(let offered) = try SASLFrame(mechanisms.split().performative) else { throw WharfError.malformed("no mechanisms") }
        #expect(offered.contains("ANONYMOUS") && offered.contains("MSSBCBS"))
        try await c.send(AMQPFrame(type: AMQPFrame.typeSASL, channel: 0,
                                   performative: SASLFrame.initial(mechanism: mechanism, response: [], hostname: "localhost").value).encoded())
        let outcome = try #require(try await c.receiveFrame())
        #expect(try SASLFrame(outcome.split().performative) == .outcome(code: 0))
        try await c.send(AMQPProtocolHeader.amqp.bytes)
        #expect(try await c.receiveHeader() == AMQPProtocolHeader.amqp.bytes)
        try await c.send(.open(Open(containerId: "raw", hostname: "localhost", maxFrameSize: maxFrameSize, idleTimeout: idleTimeout)))
        guard case (.open(let open), _)? = try await c.receive() else { throw WharfError.malformed("no open") }
        #expect(open.maxFrameSize == 1 << 20 && open.idleTimeout == 120_000)
        try await c.send(channel: 1, .begin(Begin(remoteChannel: nil, nextOutgoingId: 0, incomingWindow: incomingWindow, outgoingWindow: 65536)))
        guard case (.begin(let begin), _)? = try await c.receive() else { throw WharfError.malformed("no begin") }
        #expect(begin.remoteChannel == 1)
        return c
    }

    /// Attaches the `$cbs` pair and puts a token for `sb://localhost/<entity>`; returns the status code.
    static func putToken(_ c: RawAMQPSocket, key: String, entity: String = "q") async throws -> Int64? {
        let cbs = Terminus.make(source: true, address: "$cbs"), cbsTarget = Terminus.make(source: false, address: "$cbs")
        try await c.send(channel: 1, .attach(Attach(name: "cbs-r", handle: 10, isReceiver: true, sndSettleMode: 0, source: cbs, target: cbsTarget)))
        _ = try await c.receive()
        try await c.send(channel: 1, .attach(Attach(name: "cbs-s", handle: 11, isReceiver: false, sndSettleMode: 0, source: cbs, target: cbsTarget,
                                                    initialDeliveryCount: 0)))
        _ = try await c.receive()
        _ = try await c.receive()  // the credit flow
        let token = SharedAccessSignature.token(resource: "sb://localhost/\(entity)", keyName: ServiceBusKeys.defaultKeyName, key: key,
                                                expiry: Int64(Date().timeIntervalSince1970) + 3600)
        let request = AMQPMessage(properties: .init(messageId: .uuid(UUID())),
                                  applicationProperties: [.init(.string("operation"), .string("put-token")), .init(.string("name"), .string("sb://localhost/\(entity)")),
                                                          .init(.string("type"), .string("jwt"))],
                                  body: .value(.string(token)))
        try await c.send(channel: 1, .transfer(Transfer(handle: 11, deliveryId: 0, deliveryTag: [0, 0, 0, 1], messageFormat: 0, settled: false)),
                         payload: request.encoded())
        var status: Int64?
        for _ in 0..<2 {
            guard let (p, payload) = try await c.receive() else { break }
            if case .transfer(let t) = p, t.handle == 10 {
                let response = try AMQPMessage(payload: payload)
                #expect(response.properties?.correlationId == request.properties?.messageId)
                status = AMQPValue.map(response.applicationProperties ?? [])[key: "status-code"]?.integer
            }
        }
        return status
    }

    @Test func garbageAndHostileFramesCloseOnlyThatConnection() async throws {
        try await Fixture.with { f in
            let http = try await RawAMQPSocket.connect(port: f.port)
            try await http.send(Array("GET / HTTP/1.1\r\n\r\n".utf8))
            #expect(try await http.isClosedByServer())
            http.close()
            // A frame declaring 2 GB, after a correct handshake: closed, nothing allocated.
            let huge = try await Self.handshake(f.port)
            try await huge.send([0x7f, 0xff, 0xff, 0xff, 2, 0, 0, 1])
            #expect(try await huge.isClosedByServer())
            huge.close()
            // A performative that lies about its list size: the connection closes with a decode error.
            let liar = try await Self.handshake(f.port)
            try await liar.send(AMQPFrame(channel: 1, body: [0x00, 0x53, 0x12, 0xd0, 0x7f, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x0e]).encoded())
            guard case (.close(let close), _)? = try await liar.receive() else { Issue.record("no close"); return }
            #expect(close.error?.condition == AMQPError.decodeError)
            liar.close()
            // The listener still serves.
            let good = try await Self.handshake(f.port)
            #expect(try await Self.putToken(good, key: Self.key) == 202)
            good.close()
        }
    }

    @Test func linksNeedAValidPutToken() async throws {
        try await Fixture.with { f in
            let c = try await Self.handshake(f.port)
            let source = Terminus.make(source: true, address: "sender-link"), target = Terminus.make(source: false, address: "amqps://localhost/q")
            try await c.send(channel: 1, .attach(Attach(name: "s", handle: 1, isReceiver: false, sndSettleMode: 0, source: source, target: target,
                                                        initialDeliveryCount: 0)))
            guard case (.attach(let reply), _)? = try await c.receive(), case (.detach(let detach), _)? = try await c.receive() else {
                Issue.record("no refusal"); return
        }
        #expect(reply.target == .null && detach.closed && detach.error?.condition == AMQPError.unauthorized)
        #expect(try await Self.putToken(c, key: "d3Jvbmcta2V5") == 401)
        c.close()
        }
    }

    @Test func smallFramesAreSplitBothWaysAndDrainIsEchoed() async throws {
        try await Fixture.with { f in
            let c = try await Self.handshake(f.port, maxFrameSize: 512)
            #expect(try await Self.putToken(c, key: Self.key) == 202)
            // Send 3000 bytes in 512-byte frames, continuation frames without ids (spec form).
            let body = (0..<3000).map { UInt8(truncatingIfNeeded: $0) }
            let payload = AMQPMessage(properties: .init(messageId: .string("big")), body: .data([body])).encoded()
            let source = Terminus.make(source: true, address: "sender-link"), target = Terminus.make(source: false, address: "/q")
            try await c.send(channel: 1, .attach(Attach(name: "s", handle: 1, isReceiver: false, sndSettleMode: 0, source: source, target: target,
                                                        initialDeliveryCount: 0)))
            guard case (.attach(let reply), _)? = try await c.receive() else { Issue.record("no attach"); return }
            #expect(reply.maxMessageSize == 256 * 1024 && reply.target == target)
            _ = try await c.receive()  // credit
            var offset = 0
            var first = true
            while offset < payload.count {
                let end = min(payload.count, offset + 400)
                let t = first ? Transfer(handle: 1, deliveryId: 5, deliveryTag: [1], messageFormat: 0, settled: false, more: end < payload.count)
                    : Transfer(handle: 1, more: end < payload.count)
                try await c.send(channel: 1, .transfer(t), payload: Array(payload[offset..<end]))
                first = false
                offset = end
        }
        guard case (.disposition(let accepted), _)? = try await c.receive() else { Issue.record("no disposition"); return }
        let acceptedState = try DeliveryState(accepted.state)
        #expect(accepted.first == 5 && accepted.settled && acceptedState == .accepted)

        // Receive it back in frames of at most 512 bytes.
        let rsource = Terminus.make(source: true, address: "amqps://localhost/q"), rtarget = Terminus.make(source: false, address: "receiver")
        try await c.send(channel: 1, .attach(Attach(name: "r", handle: 2, isReceiver: true, sndSettleMode: 0, rcvSettleMode: 1,
                                                    source: rsource, target: rtarget)))
        guard case (.attach(let rreply), _)? = try await c.receive() else { Issue.record("no attach"); return }
        #expect(rreply.initialDeliveryCount == 0 && rreply.source == rsource)
        try await c.send(channel: 1, .flow(Flow(nextIncomingId: 0, incomingWindow: 65536, nextOutgoingId: 1, outgoingWindow: 65536,
                                                handle: 2, deliveryCount: 0, linkCredit: 1)))
        var received: [UInt8] = []
        var frames = 0
        var tag: [UInt8]?
        var deliveryId: UInt32?
        while let frame = try await c.receiveFrame() {
            #expect(frame.encoded().count <= 512)
            let (p, part) = try frame.split()
            guard case .transfer(let t) = try Performative(p) else { continue }
            if frames == 0 { (tag, deliveryId) = (t.deliveryTag, t.deliveryId) } else { #expect(t.deliveryId == nil && t.deliveryTag == nil) }
            frames += 1
            received += part
            if !t.more { break }
        }
        #expect(frames > 5)
        let message = try AMQPMessage(payload: received)
        #expect(message.body == .data([body]) && message.properties?.messageId == .string("big"))
        #expect(message.annotation("x-opt-sequence-number") == .long(1) && message.header?.deliveryCount == 0)
        let token = try #require(tag.flatMap(LockToken.uuid(deliveryTag:)))
        #expect(try f.queues.runtimeCounts("q").lockedCount == 1 && token.uuidString.count == 36)
        // Complete it: the echo is a settled accepted.
        let id = try #require(deliveryId)
        try await c.send(channel: 1, .disposition(Disposition(isReceiver: true, first: id, settled: false, state: DeliveryState.accepted.value)))
        guard case (.disposition(let echo), _)? = try await c.receive() else { Issue.record("no echo"); return }
        let echoState = try DeliveryState(echo.state)
        #expect(!echo.isReceiver && echo.settled && echoState == .accepted)
        #expect(try f.queues.runtimeCounts("q").totalCount == 0)
        // Drain with nothing to send: the credit is spent and the flow echoed (.NET waits for it).
        try await c.send(channel: 1, .flow(Flow(nextIncomingId: 1, incomingWindow: 65536, nextOutgoingId: 1, outgoingWindow: 65536,
                                                handle: 2, deliveryCount: 1, linkCredit: 5, drain: true)))
        guard case (.flow(let drained), _)? = try await c.receive() else { Issue.record("no drain echo"); return }
        #expect(drained.handle == 2 && drained.drain && drained.linkCredit == 0 && drained.deliveryCount == 6)
        c.close()
        }
    }

    @Test func heartbeatsAtHalfTheClientsIdleTimeout() async throws {
        try await Fixture.with { f in
            let c = try await Self.handshake(f.port, idleTimeout: 1000)
            let start = ContinuousClock.now
            let frame = try #require(try await c.receiveFrame())
            #expect(frame.isHeartbeat && ContinuousClock.now - start < .seconds(15))
            c.close()
        }
    }

    @Test func aConnectionBeyondTheLimitIsRefusedWithTheAMQPErrorAndTheOthersKeepWorking() async throws {
        var limits = AMQPListenerLimits()
        limits.maxConnections = 1
        try await Fixture.with(limits: limits) { f in
            let first = try await Self.handshake(f.port)
            // The second gets through SASL (MSSBCBS, as .NET offers it); its open is answered with
            // open and a close carrying amqp:resource-limit-exceeded.
            let second = try await RawAMQPSocket.connect(port: f.port)
            try await second.send(AMQPProtocolHeader.sasl.bytes)
            #expect(try await second.receiveHeader() == AMQPProtocolHeader.sasl.bytes)
            _ = try await second.receiveFrame()  // mechanisms
            try await second.send(AMQPFrame(type: AMQPFrame.typeSASL, channel: 0,
                                            performative: SASLFrame.initial(mechanism: "MSSBCBS", response: [], hostname: "localhost").value).encoded())
            let outcome = try #require(try await second.receiveFrame())
            #expect(try SASLFrame(outcome.split().performative) == .outcome(code: 0))
            try await second.send(AMQPProtocolHeader.amqp.bytes)
            #expect(try await second.receiveHeader() == AMQPProtocolHeader.amqp.bytes)
            try await second.send(.open(Open(containerId: "second", hostname: "localhost")))
            guard case (.open, _)? = try await second.receive() else { Issue.record("no open"); return }
            guard case (.close(let close), _)? = try await second.receive() else { Issue.record("no close"); return }
            #expect(close.error?.condition == AMQPError.resourceLimitExceeded)
            // What the client pipelined after its open is dropped; its close ends the connection.
            try await second.send(channel: 1, .begin(Begin(remoteChannel: nil, nextOutgoingId: 0, incomingWindow: 10, outgoingWindow: 10)))
            try await second.send(.close(Close()))
            #expect(try await second.isClosedByServer())
            second.close()
            // The refused connection never counted.
            #expect(f.server.connectionCount == 1)
            // The first is unaffected.
            #expect(try await Self.putToken(first, key: Self.key) == 202)
            first.close()
            // Once it left, a new client gets in.
            for _ in 0..<400 where f.server.connectionCount > 0 { try await Task.sleep(for: .milliseconds(25)) }
            let third = try await Self.handshake(f.port)
            #expect(try await Self.putToken(third, key: Self.key) == 202)
            third.close()
        }
    }
}
