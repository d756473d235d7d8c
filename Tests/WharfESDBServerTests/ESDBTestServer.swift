import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import WharfCore
import WharfESDBServer
@testable import WharfEvents
import WharfStorage

/// An event store in a fresh directory with the gRPC listener on 127.0.0.1 port 0, and a
/// grpc-swift client connected to it. `stop()` ends both and removes the directory.
final class ESDBTestServer: Sendable {
    static let quiet = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
    let directory: String
    let store: EventStore
    let server: ESDBServer
    let port: Int

    /// `configure`: listener settings beyond port 0 (security, for instance). `faults`: the
    /// store's file-layer test seam (see `FaultInjector`), for tests that hold its fdatasyncs.
    init(directory: String? = nil, fsync: FsyncPolicy = .never, faults: FaultInjector? = nil,
         configure: (inout ESDBServer.Configuration) -> Void = { _ in }) async throws {
        let directory = directory ?? FileManager.default.temporaryDirectory.appendingPathComponent("wharf-esdb-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        self.directory = directory
        store = try EventStore.open(dataDirectory: directory, clock: SystemClock(), logger: Self.quiet, fsync: fsync, faults: faults)
        var configuration = ESDBServer.Configuration()
        configuration.port = 0
        configure(&configuration)
        server = ESDBServer(store: store, configuration: configuration, logger: Self.quiet)
        port = try await server.start()
    }

    /// Runs `body` with a client on its own connection.
    func withClient<T: Sendable>(_ body: @Sendable (GRPCClient<HTTP2ClientTransport.Posix>) async throws -> T) async throws -> T {
        try await withGRPCClient(transport: .http2NIOPosix(target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: .plaintext)) { client in
            try await body(client)
        }
    }

    /// Runs `body` with this server, then stops it (removing its directory) before returning or
    /// rethrowing, so a test never leaves a listener, a store or a directory behind it.
    @discardableResult
    func stopping<T>(_ body: (ESDBTestServer) async throws -> T) async throws -> T {
        try await withAsyncCleanup { try await body(self) } cleanup: { await stop() }
    }

    func stop(removing: Bool = true) async {
        await server.stop()
        try? store.close()
        if removing { try? FileManager.default.removeItem(atPath: directory) }
    }
}
