import Foundation
import Testing
import WharfTestSupport

/// The AMQP listener over TLS (`wharf serve --amqps-listen`, Service Bus's own port 5671) with
/// the real azure-servicebus 7.15.0 SDK, which speaks TLS whenever its connection string lacks
/// `UseDevelopmentEmulator=true`, trusting the test's CA through `connection_verify`; and the
/// rules every listener follows at startup.
@Suite(.serialized, .endToEnd) struct ServiceBusTLSSDKTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("clients/servicebus_tls.py").path
    typealias Background = MetricsPrometheusTests.Background

    static func sdk(_ connectionString: String, port: Int, ca: String, queue: String, _ scenario: String) async throws -> WharfProcess.Result {
        try await WharfProcess.run([script, connectionString, "\(port)", ca, queue, scenario], executable: "/usr/bin/env", prefix: ["python3"])
    }

    /// `wharf_listener_connections` by listener label.
    static func connections(metricsPort: Int) async throws -> [String: Int] {
        let scrape = RawHTTP.body(try await RawHTTP.get(port: metricsPort))
        var out: [String: Int] = [:]
        for line in scrape.split(separator: "\n") where line.hasPrefix("wharf_listener_connections{listener=\"") {
            out[String(line.split(separator: "\"")[1])] = Int(line.split(separator: " ").last ?? "")
        }
        return out
    }

    @Test func theSDKSendsAndReceivesOverTLSAndAPlaintextClientOnTheTLSPortFailsCleanly() async throws {
        let certs = try TestCertificates()
        let dir = TempDir()
        var r = try await WharfProcess.run(["queue", "create", "tls", "--data", dir.path + "/data"])
        #expect(r.status == 0, "\(r.stderr)")
        let serve = try Background(["serve", "--data", dir.path + "/data", "--listen", "127.0.0.1:0", "--no-esdb", "--amqp-listen", "127.0.0.1:0",
                                    "--amqps-listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0"] + KafkaTLSTests.tlsArgs(certs), dir: dir)
        let plainPort = try await serve.port(#"serving AMQP \(Service Bus\) on 127\.0\.0\.1:\d+"#)
        let tlsPort = try await serve.port(#"serving Service Bus over TLS \(amqps\) on 127\.0\.0\.1:\d+"#)
        let metricsPort = try await serve.port(#"metrics on http://127\.0\.0\.1:\d+"#)
        #expect(plainPort != tlsPort)
        let line = try #require(serve.process.stdout.split(separator: "\n").first { $0.hasPrefix("TLS connection string: ") })
        let conn = String(line.dropFirst("TLS connection string: ".count))
        #expect(conn.hasPrefix("Endpoint=sb://127.0.0.1:\(tlsPort);SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=")
                    && !conn.contains("UseDevelopmentEmulator"), "\(conn)")

        r = try await Self.sdk(conn, port: tlsPort, ca: certs.caCert, queue: "tls", "send-receive")
        #expect(r.status == 0 && !r.stdout.contains("FAIL"), "\(r.stdout)\n\(r.stderr.suffix(3000))")
        r = try await Self.sdk(conn, port: tlsPort, ca: certs.caCert, queue: "tls", "untrusted")
        #expect(r.status == 0 && r.stdout.contains("certificate verify failed"), "\(r.stdout)\n\(r.stderr.suffix(3000))")
        r = try await Self.sdk(conn, port: tlsPort, ca: certs.caCert, queue: "tls", "plaintext")
        #expect(r.status == 0 && r.stdout.contains("ok refused"), "\(r.stdout)\n\(r.stderr.suffix(3000))")
        // A plaintext client's protocol header on the TLS port ends the connection at once,
        // with at most a TLS alert (never an AMQP answer).
        let started = ContinuousClock.now
        let answer = try await RawHTTP.exchange(port: tlsPort, [0x41, 0x4d, 0x51, 0x50, 3, 1, 0, 0], timeoutMs: 20_000)
        #expect(ContinuousClock.now - started < .seconds(15) && !answer.hasPrefix("AMQP"), "\(Array(answer.utf8))")

        // A client in its TLS handshake counts as an AMQP connection until it leaves.
        #expect(try await Self.connections(metricsPort: metricsPort)["amqp"] == 0)
        async let held = RawHTTP.exchange(port: tlsPort, [], timeoutMs: 3_000)
        var seen: Int?
        for _ in 0..<100 where seen != 1 {
            try await Task.sleep(for: .milliseconds(20))
            seen = try await Self.connections(metricsPort: metricsPort)["amqp"]
        }
        #expect(seen == 1)
        _ = try await held
        for _ in 0..<200 where seen != 0 {
            try await Task.sleep(for: .milliseconds(20))
            seen = try await Self.connections(metricsPort: metricsPort)["amqp"]
        }
        #expect(seen == 0)
        #expect(try await serve.stop() == 0)
    }

    /// `--tls-client-auth required` applies to the AMQP TLS listener as to Kafka's: the SDK
    /// connects with a client certificate signed by `--tls-ca` (and its SAS token), not without.
    @Test func mutualTLSNeedsAClientCertificate() async throws {
        let certs = try TestCertificates()
        let dir = TempDir()
        let r = try await WharfProcess.run(["queue", "create", "mtls", "--data", dir.path + "/data"])
        #expect(r.status == 0, "\(r.stderr)")
        let serve = try Background(["serve", "--data", dir.path + "/data", "--listen", "127.0.0.1:0", "--no-esdb", "--amqps-listen", "127.0.0.1:0",
                                    "--tls-ca", certs.caCert, "--tls-client-auth", "required"] + KafkaTLSTests.tlsArgs(certs), dir: dir)
        let port = try await serve.port(#"serving Service Bus over TLS \(amqps\) on 127\.0\.0\.1:\d+"#)
        let line = try #require(serve.process.stdout.split(separator: "\n").first { $0.hasPrefix("TLS connection string: ") })
        let conn = String(line.dropFirst("TLS connection string: ".count))
        let with = try await WharfProcess.run([Self.script, conn, "\(port)", certs.caCert, "mtls", "client-certificate", certs.clientCert, certs.clientKey],
                                              executable: "/usr/bin/env", prefix: ["python3"])
        #expect(with.status == 0 && with.stdout.contains("ok sent and received with a client certificate"), "\(with.stdout)\n\(with.stderr.suffix(3000))")
        let without = try await Self.sdk(conn, port: port, ca: certs.caCert, queue: "mtls", "no-client-certificate")
        #expect(without.status == 0 && without.stdout.contains("ok refused without a client certificate"), "\(without.stdout)\n\(without.stderr.suffix(3000))")
        #expect(try await serve.stop() == 0)
    }

    /// `--amqps-listen` alone serves TLS only: the emulator's plain port is not opened.
    @Test func amqpsListenAloneServesOnlyTLS() async throws {
        let certs = try TestCertificates()
        let dir = TempDir()
        let serve = try Background(["serve", "--data", dir.path + "/data", "--listen", "127.0.0.1:0", "--no-esdb", "--amqps-listen", "127.0.0.1:0"]
                                   + KafkaTLSTests.tlsArgs(certs), dir: dir)
        let port = try await serve.port(#"serving Service Bus over TLS \(amqps\) on 127\.0\.0\.1:\d+"#)
        #expect(!serve.process.stdout.contains("serving AMQP (Service Bus)"), "\(serve.process.stdout)")
        // `wharf servicebus connection-string --amqps-listen` prints the string serve printed.
        let printed = try await WharfProcess.run(["servicebus", "connection-string", "--data", dir.path + "/data", "--amqps-listen", "127.0.0.1:\(port)"])
        #expect(printed.status == 0 && serve.process.stdout.contains("TLS connection string: " + printed.stdout.trimmingCharacters(in: .whitespacesAndNewlines) + "\n"),
                "\(printed.stdout) \(printed.stderr) \(serve.process.stdout)")
        let standard = try await WharfProcess.run(["servicebus", "connection-string", "--data", dir.path + "/data", "--amqps-listen", "sb.example:5671"])
        #expect(standard.stdout.hasPrefix("Endpoint=sb://sb.example;SharedAccessKeyName=") && !standard.stdout.contains("UseDevelopmentEmulator"),
                "\(standard.stdout) \(standard.stderr)")
        #expect(try await serve.stop() == 0)
    }

    /// The plain listener beyond loopback carries its clients' SAS tokens in clear text: refused
    /// before anything listens, in one line naming the ways out (as for Kafka and gRPC); a TLS
    /// listener without a certificate is refused the same way.
    @Test func unsafeOrIncompleteListenersAreRefusedAtStartup() async throws {
        let dir = TempDir()
        let base = ["serve", "--data", dir.path, "--listen", "127.0.0.1:0", "--no-esdb"]
        let plain = try await WharfProcess.run(base + ["--amqp-listen", "0.0.0.0:0"], timeout: .seconds(60))
        #expect(plain.status != 0 && plain.stderr.split(separator: "\n").count == 1, "\(plain.stderr)")
        #expect(plain.stderr.contains("refusing to listen on AMQP 0.0.0.0:0") && plain.stderr.contains("--amqps-listen")
                    && plain.stderr.contains("--allow-plaintext"), "\(plain.stderr)")
        #expect(!plain.stdout.contains("serving"), "\(plain.stdout)")
        let noCertificate = try await WharfProcess.run(base + ["--amqps-listen", "127.0.0.1:0"], timeout: .seconds(60))
        #expect(noCertificate.status != 0 && noCertificate.stderr.split(separator: "\n").count == 1, "\(noCertificate.stderr)")
        #expect(noCertificate.stderr.contains("--amqps-listen 127.0.0.1:0 needs --tls-cert and --tls-key"), "\(noCertificate.stderr)")
        #expect(!noCertificate.stdout.contains("serving"), "\(noCertificate.stdout)")
        // --allow-plaintext lets the plain listener out of loopback.
        let allowed = try Background(["serve", "--data", dir.path + "/allowed", "--listen", "127.0.0.1:0", "--no-esdb",
                                      "--amqp-listen", "0.0.0.0:0", "--allow-plaintext"], dir: dir)
        _ = try await allowed.port(#"serving AMQP \(Service Bus\) on 0\.0\.0\.0:\d+"#)
        #expect(try await allowed.stop() == 0)
    }
}
