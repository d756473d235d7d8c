import Foundation
import Logging
import WharfCore
import WharfESDBServer
import WharfEvents
import WharfStorage

extension ESDBGrpcBenchmark {
    /// `measure` against a listener started in this process (127.0.0.1, a free port) over a fresh
    /// event store in `directory`: client and server share the process, so its CPU is both.
    public static func measureInProcess(_ w: ESDBGrpcWorkload, fsync: FsyncPolicy, fsyncText: String, in directory: String) async throws -> ESDBGrpcBenchResult {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let quiet = Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() }
        let store = try EventStore.open(dataDirectory: directory, logger: quiet, fsync: fsync)
        defer { try? store.close() }
        var configuration = ESDBServer.Configuration()
        configuration.port = 0
        let server = ESDBServer(store: store, configuration: configuration, logger: quiet)
        let port = try await server.start()
        do {
            let result = try await measure(w, host: "127.0.0.1", port: port, serverPid: nil, target: "in-process listener, fsync \(fsyncText)")
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }
}
