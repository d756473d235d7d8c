import Foundation
import Synchronization
import WharfSpawn

/// The PostgreSQL server the PostgreSQL tests use: `WHARF_TEST_POSTGRES_URL` (set by `.ci/run`,
/// which starts a throwaway cluster). In CI a missing variable is a failure, never a skip.
/// Outside CI, without the variable, a throwaway cluster is started here with the local
/// PostgreSQL binaries (as user `postgres` when running as root) and stopped at exit; without
/// binaries the tests fail with a message saying how to provide a server.
public enum PostgresTestCluster {
    public struct Unavailable: Error, CustomStringConvertible { public let description: String }

    /// The URL of a server for tests (see above); starts the local one at most once per process.
    public static func url() throws -> String {
        let env = ProcessInfo.processInfo.environment
        if let text = env["WHARF_TEST_POSTGRES_URL"], !text.isEmpty { return text }
        if env["CI"] == "true" {
            throw Unavailable(description: "WHARF_TEST_POSTGRES_URL is not set in CI: .ci/run must start PostgreSQL before swift test")
        }
        return try local.withLock { state in
            if let url = state { return url }
            let url = try startLocalCluster()
            state = url
            return url
        }
    }

    private static let local = Mutex<String?>(nil)
    private static let localDirectory = Mutex<String?>(nil)

    private static func startLocalCluster() throws -> String {
        let bins = ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? [])
            .sorted { $0.compare($1, options: .numeric) == .orderedAscending }
            .map { "/usr/lib/postgresql/\($0)/bin" }
            .filter { FileManager.default.isExecutableFile(atPath: $0 + "/initdb") }
        guard let bin = bins.last else {
            throw Unavailable(description: """
                no PostgreSQL for the outbox tests: set WHARF_TEST_POSTGRES_URL=postgres://USER@127.0.0.1:PORT/DB, \
                or install Debian's postgresql package (bash .ci/run does both)
                """)
        }
        let dir = NSTemporaryDirectory() + "wharf-test-pg-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let asRoot = getuid() == 0
        if asRoot { try FileManager.default.setAttributes([.ownerAccountName: "postgres"], ofItemAtPath: dir) }
        let port = 40_000 + Int(getpid() % 20_000)
        func run(_ tool: String, _ args: [String]) throws {
            // `ChildProcess` closes every inherited descriptor above 2 in the child: the server
            // outlives this call, and an inherited pipe (swift test's event stream) would keep
            // the test runner waiting for its end.
            let p = try ChildProcess((asRoot ? ["/usr/sbin/runuser", "-u", "postgres", "--"] : []) + [bin + "/" + tool] + args,
                                     stdout: .null, stderr: .null)
            guard p.waitUntilExit() == .exited(0) else {
                throw Unavailable(description: "starting a local PostgreSQL for the tests failed at \(tool) (see \(dir)/server.log)")
            }
        }
        try run("initdb", ["-D", dir + "/data", "-U", "wharf", "--auth=trust", "-E", "UTF8"])
        try run("pg_ctl", ["-D", dir + "/data", "-l", dir + "/server.log", "-w", "-o",
                           "-c listen_addresses=127.0.0.1 -p \(port) -k \(dir) -c fsync=off", "start"])
        localDirectory.withLock { $0 = dir }
        atexit {
            guard let dir = PostgresTestCluster.localDirectory.withLock({ $0 }) else { return }
            let asRoot = getuid() == 0
            let pgctl = ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []).sorted().last
                .map { "/usr/lib/postgresql/\($0)/bin/pg_ctl" } ?? "pg_ctl"
            let p = try? ChildProcess((asRoot ? ["/usr/sbin/runuser", "-u", "postgres", "--"] : []) + [pgctl, "-D", dir + "/data", "-m", "immediate", "stop"])
            p?.waitUntilExit()
            try? FileManager.default.removeItem(atPath: dir)
        }
        return "postgres://wharf@127.0.0.1:\(port)/postgres"
    }
}
