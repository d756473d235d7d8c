import Testing
import WharfCore
import WharfMetricsServer

/// The metrics listener's event-loop thread lives from a successful `start` to `stop`: one that
/// is never started, or whose port was taken, holds none.
@Suite struct MetricsHTTPServerLifecycleTests {
    @Test func theEventLoopExistsOnlyBetweenStartAndStop() async throws {
        let server = MetricsHTTPServer(host: "127.0.0.1", port: 0) { "" }
        #expect(!server.holdsEventLoop)
        let port = try await server.start()
        #expect(server.holdsEventLoop)

        let refused = MetricsHTTPServer(host: "127.0.0.1", port: port) { "" }
        await #expect(throws: WharfError.self) { try await refused.start() }
        #expect(!refused.holdsEventLoop)

        await server.stop()
        #expect(!server.holdsEventLoop)
    }
}
