import Foundation
import Logging
import Testing
import WharfCore
import WharfEngine
import WharfKafkaServer

/// A listener's event-loop thread lives from a successful `start` to `stop`: a server that is
/// never started, or whose start failed, holds none (the parallel suite once had ~128 loops
/// alive at once, each with an epoll, an eventfd and a timerfd).
@Suite struct ListenerEventLoopLifecycleTests {
    @Test func theEventLoopExistsOnlyBetweenStartAndStop() async throws {
        let dir = NSTemporaryDirectory() + "wharf-loop-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let engine = try Engine.open(config: EngineConfig(dataDirectory: dir, fsync: .never), logger: Logger(label: "test"))
        defer { try? engine.close() }
        var own = KafkaServer.Configuration.forTest()
        own.sharesEventLoops = false
        let server = KafkaServer(engine: engine, configuration: own, logger: Logger(label: "test"))
        #expect(!server.holdsEventLoop)
        let port = try await server.start()
        #expect(server.holdsEventLoop)

        // A second listener on the same port fails to start and keeps no thread.
        var taken = own
        taken.port = port
        let refused = KafkaServer(engine: engine, configuration: taken, logger: Logger(label: "test"))
        await #expect(throws: WharfError.self) { try await refused.start() }
        #expect(!refused.holdsEventLoop)

        await server.stop()
        #expect(!server.holdsEventLoop)

        // A listener on the shared loops makes none of its own.
        let shared = KafkaServer(engine: engine, configuration: .forTest(), logger: Logger(label: "test"))
        try await shared.start()
        #expect(!shared.holdsEventLoop)
        await shared.stop()
    }
}
