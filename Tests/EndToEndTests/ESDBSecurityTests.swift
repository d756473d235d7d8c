import Foundation
import Testing
import WharfTestSupport

/// The EventStoreDB gRPC listener's security (issue 20) with the real kurrentdbclient (pinned in
/// `.ci/run`): TLS from the Kafka listener's certificate options, Basic credentials of the data
/// directory's users (`wharf user add`), stream ACLs under `--authorize` with `--super-users` as
/// `$admins`, and the start-up refusals. Scenarios are in clients/esdb_security.py.
@Suite(.serialized, .endToEnd) struct ESDBSecurityTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("clients/esdb_security.py").path

    /// `wharf serve` with its gRPC listener on a free loopback port, over TLS when given
    /// certificates, AMQP off.
    final class Server {
        let process = Process()
        let out = Pipe()
        let certs: TestCertificates!
        let log: String
        var target = ""
        /// What serve logged (security events go to standard error).
        var stderr: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

        init(dir: TempDir, certs: TestCertificates?, _ extra: [String] = []) async throws {
            self.certs = certs
            log = dir.path + "/serve.log"
            FileManager.default.createFile(atPath: log, contents: nil)
            process.executableURL = URL(fileURLWithPath: WharfProcess.binary)
            let tls = certs.map { ["--tls-cert", $0.serverCert, "--tls-key", $0.serverKey] } ?? []
            process.arguments = ["serve", "--data", dir.path, "--listen", "127.0.0.1:0", "--no-amqp", "--esdb-listen", "127.0.0.1:0"] + tls + extra
            process.standardOutput = out
            process.standardError = FileHandle(forWritingAtPath: log)
            try process.run()
            let handle = out.fileHandleForReading
            let printed = try await offThePool { () -> String in
                var text = ""
                while !text.contains("?tls=") || !text.contains(")\n") {
                    let chunk = handle.availableData
                    if chunk.isEmpty { break }
                    text += String(decoding: chunk, as: UTF8.self)
                }
                return text
            }
            let query = certs == nil ? "?tls=false)" : "?tls=true)"
            guard let start = printed.range(of: "(esdb://"), let end = printed.range(of: query, range: start.upperBound..<printed.endIndex) else {
                throw TmuxError("wharf serve printed no esdb://...\(query) URI: \(printed)")
            }
            target = String(printed[start.upperBound..<end.lowerBound])
        }

        func uri(_ user: String, _ password: String) -> String {
            "esdb://\(user):\(password)@\(target)?tls=true&tlsCaFile=\(certs.caCert)"
        }

        func stop() -> Int32 {
            process.terminate()
            process.waitUntilExit()
            return process.terminationStatus
        }
    }

    static func addUser(_ name: String, _ password: String, in dir: TempDir) async throws {
        let r = try await WharfProcess.run(["user", "add", name, "--data", dir.path, "--mechanism", "SCRAM-SHA-512", "--password-stdin"],
                                           stdin: password)
        try #require(r.status == 0, "\(r.stderr)")
    }

    static func client(_ scenario: String, _ uris: [String]) async throws -> WharfProcess.Result {
        try await WharfProcess.run([script, scenario] + uris, executable: "/usr/bin/env", prefix: ["python3"], timeout: .seconds(120))
    }

    static func expectOK(_ r: WharfProcess.Result, _ what: String, _ sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(r.status == 0 && r.stdout.contains("ok "), "\(what):\n\(r.stdout)\n\(r.stderr.suffix(3000))", sourceLocation: sourceLocation)
    }

    /// A user appends and reads over TLS; a wrong password (or an unknown user) gets the client's
    /// UnauthenticatedError and writes nothing. Without --authorize a user may do anything.
    @Test func aUserAppendsAndReadsOverTLSAndAWrongPasswordIsRefused() async throws {
        let dir = TempDir()
        try await Self.addUser("alice", "alice-secret", in: dir)
        let server = try await Server(dir: dir, certs: try TestCertificates())
        defer { _ = server.stop() }
        Self.expectOK(try await Self.client("append-read", [server.uri("alice", "alice-secret")]), "append-read")
        Self.expectOK(try await Self.client("wrong-password", [server.uri("alice", "wrong"), server.uri("alice", "alice-secret")]), "wrong password")
        Self.expectOK(try await Self.client("wrong-password", [server.uri("mallory", "x"), server.uri("alice", "alice-secret")]), "unknown user")
        // Each refusal is a security event in the log (rate-limited, as the Kafka listener's).
        #expect(server.stderr.contains("authentication failed") && server.stderr.contains("User:mallory")
                    && server.stderr.contains("mechanism=Basic"), "\(server.stderr)")
    }

    /// With --authorize, stream metadata `$acl` decides: bob without `$w` gets AccessDenied where
    /// alice appends; `$all` needs `$admins` (the --super-users); `$r` naming alice shuts bob out,
    /// of reads and of persistent-subscription listings of her stream.
    @Test func streamACLsDecideWhoWritesAndReads() async throws {
        let dir = TempDir()
        for (user, password) in [("root", "root-secret"), ("alice", "alice-secret"), ("bob", "bob-secret")] {
            try await Self.addUser(user, password, in: dir)
        }
        let server = try await Server(dir: dir, certs: try TestCertificates(), ["--authorize", "--super-users", "User:root"])
        defer { _ = server.stop() }
        let uris = [server.uri("root", "root-secret"), server.uri("alice", "alice-secret"), server.uri("bob", "bob-secret")]
        Self.expectOK(try await Self.client("acl", uris), "acl")
        #expect(server.stderr.contains("authorization denied") && server.stderr.contains("User:bob"), "\(server.stderr)")
    }

    /// `--tls-ca` with `--tls-client-auth required` means what it means for Kafka: a client without
    /// a certificate signed by the CA fails the handshake (the client's ServiceUnavailableError);
    /// with one (kurrentdbclient's UserCertFile/UserKeyFile) and credentials, calls run.
    @Test func mutualTLSRequiresAClientCertificate() async throws {
        let dir = TempDir()
        try await Self.addUser("alice", "alice-secret", in: dir)
        let certs = try TestCertificates()
        let server = try await Server(dir: dir, certs: certs, ["--tls-ca", certs.caCert, "--tls-client-auth", "required"])
        defer { _ = server.stop() }
        let plain = server.uri("alice", "alice-secret")
        let withCertificate = plain + "&UserCertFile=\(certs.clientCert)&UserKeyFile=\(certs.clientKey)"
        Self.expectOK(try await Self.client("mtls", [plain, withCertificate]), "mtls")
    }

    /// Every code block of kurrentdbclient's README that runs in insecure mode also runs over TLS
    /// against a secure Wharf, as the README's reader would run it against a secure KurrentDB:
    /// `admin` (a --super-users user, so `$admins`) with --authorize, the CA given as the README's
    /// KDB_ROOT_CERTIFICATES and its hard-coded `Tls=false` URI made secure by the runner.
    @Test func theClientsReadmeRunsOverTLSWithCredentials() async throws {
        let dir = TempDir()
        try await Self.addUser("admin", "changeit", in: dir)
        let server = try await Server(dir: dir, certs: try TestCertificates(), ["--authorize", "--super-users", "User:admin"])
        defer { _ = server.stop() }
        let runner = URL(fileURLWithPath: Self.script).deletingLastPathComponent().appendingPathComponent("esdb_readme.py").path
        let r = try await WharfProcess.run([runner, "/opt/kurrentdbclient-sdist/kurrentdbclient-1.3.5.tar.gz", server.target,
                                            server.certs.caCert, "admin:changeit"],
                                           executable: "/usr/bin/env", prefix: ["python3"], timeout: .seconds(300))
        #expect(r.status == 0 && r.stdout.contains("0 failed") && !r.stdout.contains("README blocks: 0 ran"), "\(r.stdout)\n\(r.stderr.suffix(4000))")
    }

    /// `--authorize` without certificates: the h2c listener identifies nobody, so it refuses every
    /// stream call (never bypasses the ACLs), and serve says so when it starts.
    @Test func authorizeOnAPlaintextListenerIsSaidAtStartup() async throws {
        let dir = TempDir()
        let server = try await Server(dir: dir, certs: nil, ["--authorize"])
        defer { _ = server.stop() }
        #expect(server.stderr.contains("the EventStoreDB listener is plaintext (no --tls-cert)")
                    && server.stderr.contains("under --authorize it refuses every stream call"), "\(server.stderr)")
    }

    /// h2c beyond loopback authenticates nobody: refused before anything listens, in one line,
    /// naming the way out (the rule Kafka's listeners follow).
    @Test func plaintextBeyondLoopbackIsRefusedAtStartup() async throws {
        let dir = TempDir()
        let r = try await WharfProcess.run(["serve", "--data", dir.path, "--listen", "127.0.0.1:0", "--no-amqp", "--esdb-listen", "0.0.0.0:0"],
                                           timeout: .seconds(60))
        #expect(r.status != 0)
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        #expect(r.stderr.contains("refusing to listen on EventStoreDB gRPC 0.0.0.0:0") && r.stderr.contains("--tls-cert")
                    && r.stderr.contains("--allow-plaintext"), "\(r.stderr)")
        #expect(!r.stdout.contains("serving"), "\(r.stdout)")
    }

    /// A certificate file that does not load stops serve in one line before any listener opens.
    @Test func aBadCertificateFileIsRefusedAtStartup() async throws {
        let dir = TempDir()
        let garbage = dir.path + "/garbage.pem"
        try "not a certificate\n".write(toFile: garbage, atomically: true, encoding: .utf8)
        let certs = try TestCertificates()
        for (cert, key, says) in [(dir.path + "/nope.pem", certs.serverKey, "cannot read TLS certificate \(dir.path)/nope.pem"),
                                  (garbage, certs.serverKey, "is not a PEM certificate"),
                                  (certs.serverCert, certs.clientKey, "do not belong together")] {
            let r = try await WharfProcess.run(["serve", "--data", dir.path, "--listen", "127.0.0.1:0", "--no-amqp", "--esdb-listen", "127.0.0.1:0",
                                                "--tls-cert", cert, "--tls-key", key], timeout: .seconds(60))
            #expect(r.status != 0)
            #expect(r.stderr.split(separator: "\n").count == 1 && r.stderr.contains(says), "\(r.stderr)")
            #expect(!r.stdout.contains("serving"), "\(r.stdout)")
        }
    }
}
