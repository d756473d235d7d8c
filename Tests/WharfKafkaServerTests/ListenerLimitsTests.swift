import Foundation
import KafkaProtocol
import Logging
import Testing
import WharfCore
import WharfEngine
@testable import WharfKafkaServer

/// `KafkaListenerLimits` through the real listener on port 0: no client can hold more of the
/// server than the limits allow, and the other clients keep working meanwhile.
@Suite struct ListenerLimitsTests {
    /// Runs `body` against a listener on a fresh engine, and stops the listener afterwards.
    /// `clock` is the engine's, and so the listener's for `connections.max.idle.ms`.
    static func withListener(clock: any WallClock = SystemClock(),
                             _ configure: (inout KafkaServer.Configuration) -> Void = { _ in },
                             _ body: (KafkaBrokerTests.Fixture, KafkaServer, Int) async throws -> Void) async throws {
        let f = try KafkaBrokerTests.Fixture(clock: clock)
        var config = KafkaServer.Configuration.forTest()
        configure(&config)
        let server = KafkaServer(engine: f.engine, configuration: config, logger: Logger(label: "test"))
        let port = try await server.start()
        do {
            try await body(f, server, port)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    static let apiVersions = KafkaRequestBody.apiVersions(ApiVersionsRequest())

    /// Another client connects, asks something and gets its answer.
    static func anotherClientIsServed(port: Int) async throws {
        let other = try await RawKafkaSocket.connect(port: port)
        defer { other.close() }
        guard case .apiVersions(let versions) = try await other.roundTrip(apiVersions, version: 0) else {
            Issue.record("not an ApiVersions answer")
            return
        }
        #expect(versions.errorCode == 0)
    }

    static func fetch(_ partitions: [Int32], topic: String = "t", maxWaitMs: Int32 = 0, maxBytes: Int32 = .max,
                      partitionMaxBytes: Int32 = .max) -> KafkaRequestBody {
        .fetch(FetchRequest(maxWaitMs: maxWaitMs, minBytes: 1, maxBytes: maxBytes, topics: [
            .init(topic: topic, partitions: partitions.map { .init(partition: $0, fetchOffset: 0, partitionMaxBytes: partitionMaxBytes) })]))
    }

    @Test func theConnectionOverMaxConnectionsIsClosedWhileTheOthersKeepWorking() async throws {
        try await Self.withListener({ $0.limits.maxConnections = 3 }) { _, server, port in
            var admitted: [RawKafkaSocket] = []
            for _ in 0..<3 {
                let s = try await RawKafkaSocket.connect(port: port)
                admitted.append(s)
                _ = try await s.roundTrip(Self.apiVersions, version: 0)
            }
            let refused = try await RawKafkaSocket.connect(port: port)
            #expect(try await refused.isClosedByServer(within: RawKafkaSocket.patience))
            refused.close()
            #expect(server.load.refusedConnections == 1)
            for (i, s) in admitted.enumerated() { _ = try await s.roundTrip(Self.apiVersions, version: 0, correlationId: Int32(10 + i)) }
            // A slot freed is a slot for the next client.
            admitted.removeFirst().close()
            try await FetchWakeOnAppendTests.eventually { server.connectionCount == 2 }
            try await Self.anotherClientIsServed(port: port)
            for s in admitted { s.close() }
        }
    }

    // The idle limit is measured on the engine's clock: the tests below move a ManualClock and
    // run the listener's idle check, so a loaded machine cannot close a connection early (between
    // a test's connect and its first request) nor late.
    static let idleMs = 2000

    /// Moves `clock` past the idle limit and runs the listener's idle check until the server
    /// closes `socket` (a limit that stopped working fails here after a minute). For a client
    /// whose last bytes the server may not have read yet: that read restarts its idle time.
    static func idleUntilClosed(_ socket: RawKafkaSocket, server: KafkaServer, clock: ManualClock) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            clock.advance(byMillis: Int64(idleMs))
            await server.closeIdleConnections()
            if try await socket.isClosedByServer(within: .milliseconds(100)) { return true }
        }
        return false
    }

    @Test func aSilentConnectionIsClosedAfterConnectionsMaxIdleMs() async throws {
        let clock = ManualClock()
        try await Self.withListener(clock: clock, { $0.limits.connectionsMaxIdleMs = Self.idleMs }) { _, server, port in
            let quiet = try await RawKafkaSocket.connect(port: port)
            defer { quiet.close() }
            _ = try await quiet.roundTrip(Self.apiVersions, version: 0)
            // One millisecond short of the limit: kept.
            clock.advance(byMillis: Int64(Self.idleMs - 1))
            await server.closeIdleConnections()
            #expect(server.load.idleConnectionsClosed == 0)
            #expect(server.connectionCount == 1)
            // At the limit: closed.
            clock.advance(byMillis: 1)
            await server.closeIdleConnections()
            #expect(server.load.idleConnectionsClosed == 1)
            #expect(try await quiet.isClosedByServer(within: RawKafkaSocket.patience))
            try await Self.anotherClientIsServed(port: port)
        }
    }

    /// Without a test moving the clock: the listener runs the idle check itself.
    @Test func theListenerChecksForIdleConnectionsOnItsOwn() async throws {
        try await Self.withListener({ $0.limits.connectionsMaxIdleMs = 200 }) { _, server, port in
            // Connects and says nothing (a request could come after the 200 ms on a loaded machine).
            let quiet = try await RawKafkaSocket.connect(port: port)
            defer { quiet.close() }
            #expect(try await quiet.isClosedByServer(within: RawKafkaSocket.patience))
            #expect(server.load.idleConnectionsClosed == 1)
        }
    }

    @Test func aSizePrefixFollowedByNothingIsClosedByTheIdleTimeout() async throws {
        let clock = ManualClock()
        try await Self.withListener(clock: clock, { $0.limits.connectionsMaxIdleMs = Self.idleMs }) { _, server, port in
            let slowloris = try await RawKafkaSocket.connect(port: port)
            defer { slowloris.close() }
            // Promises a 1 MiB request, sends two bytes of it, then nothing.
            _ = try await slowloris.send([0x00, 0x10, 0x00, 0x00, 0x00, 0x12])
            #expect(try await Self.idleUntilClosed(slowloris, server: server, clock: clock))
            #expect(server.load.idleConnectionsClosed == 1)
            try await Self.anotherClientIsServed(port: port)
        }
    }

    @Test func aPipelinedFloodBehindAParkedLongPollIsHeldInTheClientNotTheServer() async throws {
        let maxInFlight = 8
        let maxQueuedBytes = 64 * 1024
        try await Self.withListener({
            $0.limits.maxInFlightRequests = maxInFlight
            $0.limits.maxQueuedRequestBytes = maxQueuedBytes
        }) { f, server, port in
            try f.engine.createTopic("t", .init(partitions: 1))
            let notifier = try f.engine.appendNotifier(topic: "t", partition: 0)
            let flooder = try await RawKafkaSocket.connect(port: port)
            defer { flooder.close() }
            // The worker parks in a 30 s long poll on an empty partition...
            _ = try await flooder.send(RawKafkaSocket.request(Self.fetch([0], maxWaitMs: 30_000), version: 4))
            try await FetchWakeOnAppendTests.eventually { notifier.waitingCount == 1 }
            // ...while the client pipelines 32 MiB of 1 KiB requests behind it.
            let one = RawKafkaSocket.request(Self.apiVersions, version: 0, clientId: String(repeating: "c", count: 1000))
            var flood: [UInt8] = []
            for _ in 0..<(32 * 1024) { flood += one }
            let sent = try await flooder.send(flood, stall: .seconds(2))
            // The listener stopped reading: the rest waits in the client's socket, not in Wharf.
            #expect(sent < flood.count)
            let load = server.load
            #expect(load.peakInFlightRequests <= maxInFlight)
            #expect(load.peakQueuedRequestBytes <= maxQueuedBytes + one.count)
            try await Self.anotherClientIsServed(port: port)
            // An append answers the long poll; the worker then drains the flood at its own pace.
            try f.engine.produce(topic: "t", records: [Record(key: nil, value: "wake")], partition: 0)
            guard case .fetch(let woken) = try await flooder.receiveFrame().map({ try KafkaResponse.decode($0, apiKey: .fetch, version: 4).body }) else {
                Issue.record("not a Fetch answer")
                return
            }
            #expect(woken.responses.first?.partitions.first?.records?.isEmpty == false)
            #expect(server.load.peakInFlightRequests <= maxInFlight)
        }
    }

    @Test func aMutedConnectionThatMakesNoProgressIsClosedWhenIdle() async throws {
        let clock = ManualClock()
        try await Self.withListener(clock: clock, {
            $0.limits.maxInFlightRequests = 2
            $0.limits.connectionsMaxIdleMs = Self.idleMs
        }) { f, server, port in
            try f.engine.createTopic("t", .init(partitions: 1))
            let notifier = try f.engine.appendNotifier(topic: "t", partition: 0)
            let flooder = try await RawKafkaSocket.connect(port: port)
            defer { flooder.close() }
            // A long poll alone is legitimately quiet and stays open...
            _ = try await flooder.send(RawKafkaSocket.request(Self.fetch([0], maxWaitMs: 30_000), version: 4))
            try await FetchWakeOnAppendTests.eventually { notifier.waitingCount == 1 }
            clock.advance(byMillis: Int64(Self.idleMs) + 500)  // longer than the idle limit
            await server.closeIdleConnections()
            #expect(server.load.idleConnectionsClosed == 0)
            #expect(server.connectionCount == 1)
            // ...but one muted for exceeding its in-flight limit is closed, and its poll cancelled.
            var more: [UInt8] = []
            for i in 0..<3 { more += RawKafkaSocket.request(Self.apiVersions, version: 0, correlationId: Int32(i)) }
            _ = try await flooder.send(more)
            #expect(try await Self.idleUntilClosed(flooder, server: server, clock: clock))
            #expect(server.load.idleConnectionsClosed == 1)
            try await FetchWakeOnAppendTests.eventually { notifier.waitingCount == 0 && server.connectionCount == 0 }
        }
    }

    @Test func aClientThatNeverReadsLeavesAtMostOneAnswerBeyondTheHighWaterMark() async throws {
        try await Self.withListener { f, server, port in
            try f.engine.createTopic("t", .init(partitions: 1))
            let mebibyte = 1 << 20
            try f.engine.produce(topic: "t", records: [Record(key: nil, value: String(repeating: "x", count: mebibyte))], partition: 0)
            let deaf = try await RawKafkaSocket.connect(port: port)
            defer { deaf.close() }
            // 100 requests for the same 1 MiB answer, none of which is ever read.
            var requests: [UInt8] = []
            for i in 0..<100 { requests += RawKafkaSocket.request(Self.fetch([0]), version: 4, correlationId: Int32(i)) }
            _ = try await deaf.send(requests)
            // The socket buffers fill, then one more answer is handed over and the worker waits.
            try await FetchWakeOnAppendTests.eventually { server.load.pendingResponseBytes >= mebibyte }
            try await Task.sleep(for: .milliseconds(500))
            // Without the writability wait the worker would hand NIO all 100 MiB at once.
            #expect(server.load.peakPendingResponseBytes < 3 * mebibyte)
            try await Self.anotherClientIsServed(port: port)
            deaf.shutdown()  // the deferred close releases the descriptor
            try await FetchWakeOnAppendTests.eventually { server.load.pendingResponseBytes == 0 && server.connectionCount == 0 }
        }
    }

    @Test func aDisconnectedLongPollStopsWaiting() async throws {
        try await Self.withListener { f, server, port in
            try f.engine.createTopic("t", .init(partitions: 1))
            let notifier = try f.engine.appendNotifier(topic: "t", partition: 0)
            let poller = try await RawKafkaSocket.connect(port: port)
            _ = try await poller.send(RawKafkaSocket.request(Self.fetch([0], maxWaitMs: 30_000), version: 4))
            try await FetchWakeOnAppendTests.eventually { notifier.waitingCount == 1 }
            let closed = ContinuousClock.now
            poller.close()
            try await FetchWakeOnAppendTests.eventually { notifier.waitingCount == 0 }
            // Well before the 30 s max wait: the worker was cancelled, not timed out.
            #expect(ContinuousClock.now - closed < .seconds(20))
            try await FetchWakeOnAppendTests.eventually { server.connectionCount == 0 }
        }
    }

    @Test func aFetchListingOnePartition200TimesIsAnsweredOnceWithinFetchMaxBytes() async throws {
        let fetchMaxBytes = 50 * 1024
        try await Self.withListener({ $0.limits.fetchMaxBytes = fetchMaxBytes }) { f, _, port in
            try f.engine.createTopic("t", .init(partitions: 2))
            for p: Int32 in 0..<2 {
                for _ in 0..<10 {
                    try f.engine.produce(topic: "t", records: [Record(key: nil, value: String(repeating: "x", count: 10 * 1024))], partition: p)
                }
            }
            let client = try await RawKafkaSocket.connect(port: port)
            defer { client.close() }
            guard case .fetch(let once) = try await client.roundTrip(Self.fetch(Array(repeating: 0, count: 200)), version: 4) else {
                Issue.record("not a Fetch answer")
                return
            }
            #expect(once.responses.count == 1)
            #expect(once.responses.first?.partitions.count == 1)
            let records = once.responses.first?.partitions.first?.records ?? []
            #expect(!records.isEmpty)
            #expect(records.count <= fetchMaxBytes)
            // Both partitions, each listed 100 times and in two topic entries: each answered once,
            // and together within fetch.max.bytes.
            var request = FetchRequest(maxWaitMs: 0, minBytes: 1, maxBytes: .max, topics: [])
            for _ in 0..<2 {
                request.topics.append(.init(topic: "t", partitions: (0..<100).map { .init(partition: Int32($0 % 2), fetchOffset: 0, partitionMaxBytes: .max) }))
            }
            guard case .fetch(let both) = try await client.roundTrip(.fetch(request), version: 4, correlationId: 2) else {
                Issue.record("not a Fetch answer")
                return
            }
            let partitions = both.responses.flatMap(\.partitions)
            #expect(partitions.map(\.partitionIndex).sorted() == [0, 1])
            #expect(partitions.reduce(0) { $0 + ($1.records?.count ?? 0) } <= fetchMaxBytes)
        }
    }
}
