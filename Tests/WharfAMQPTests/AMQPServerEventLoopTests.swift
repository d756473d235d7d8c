import Foundation
import Logging
import Testing
import WharfCore
import WharfEngine
import WharfTestSupport
@testable import WharfAMQPServer

/// The AMQP listener's event loops live from a successful `start` to `stop` (as the Kafka
/// listener's): a server never started, or whose start failed, holds none; one on NIO's shared
/// loops makes none and still closes its clients' connections when it stops.
@Suite struct AMQPServerEventLoopTests {
    @Test func theEventLoopsExistOnlyBetweenStartAndStop() async throws {
        let dir = NSTemporaryDirectory() + "wharf-amqp-loop-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var logger = Logger(label: "test")
        logger.logLevel = .error
        let engine = try Engine.open(config: EngineConfig(dataDirectory: dir, fsync: .never), logger: logger)
        defer { try? engine.close() }
        let queues = try engine.openQueues()
        defer { try? queues.close() }
        let keys = ServiceBusKeys(dataDirectory: dir)
        try keys.save([ServiceBusKeys.defaultKeyName: AMQPListenerTests.key])
        var own = AMQPServer.Configuration()
        own.port = 0
        let server = AMQPServer(queues: queues, keys: keys, configuration: own, logger: logger)
        #expect(!server.holdsEventLoops)
        let port = try await server.start()
        #expect(server.holdsEventLoops && server.boundPort == port)

        // A second listener on the same port fails to start and keeps no thread.
        var taken = own
        taken.port = port
        let refused = AMQPServer(queues: queues, keys: keys, configuration: taken, logger: logger)
        await #expect(throws: WharfError.self) { try await refused.start() }
        #expect(!refused.holdsEventLoops)
        await server.stop()
        #expect(!server.holdsEventLoops && server.boundPort == nil)

        // On the shared loops: none of its own, and stop closes a connected client.
        var shared = own
        shared.sharesEventLoops = true
        let onShared = AMQPServer(queues: queues, keys: keys, configuration: shared, logger: logger)
        let sharedPort = try await onShared.start()
        #expect(!onShared.holdsEventLoops)
        let client = try await AMQPListenerTests.handshake(sharedPort)
        #expect(onShared.connectionCount == 1)
        await onShared.stop()
        #expect(try await client.isClosedByServer())
        client.close()
    }
}
