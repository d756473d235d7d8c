import Foundation
import Testing
import WharfSpawn

/// `wharf serve` with Kafka's listener syntax, TLS and mutual TLS, driven by real clients
/// (kcat/librdkafka, confluent-kafka) and certificates the test makes with openssl.
@Suite(.serialized, .endToEnd) struct KafkaTLSTests {
    /// `wharf serve` with the given listeners (port 0), its bound ports read from its start line.
    final class Server {
        let process: ChildProcess
        let dir = TempDir()
        let errPath: String
        /// Bound port per protocol, e.g. ["PLAINTEXT": 40001, "SSL": 40002].
        var ports: [String: Int] = [:]

        init(_ args: [String]) throws {
            errPath = dir.path + "-stderr.log"
            process = try ChildProcess([WharfProcess.binary, "serve", "--data", dir.path, "--group-initial-rebalance-delay-ms", "0"] + args,
                                       environment: ChildProcess.environment(adding: ["WHARF_LOG_LEVEL": "info"]),
                                       stdout: .pipe, stderr: .file(errPath))
            var line = ""
            while !line.contains("\n") {
                let chunk = process.standardOutput!.availableData
                if chunk.isEmpty { break }
                line += String(decoding: chunk, as: UTF8.self)
            }
            // The first line only: the AMQP listener's line may follow in the same chunk.
            line = String(line.prefix { $0 != "\n" })
            // "SSL://127.0.0.1:40002, ..." or, for one PLAINTEXT listener, "0.0.0.0:40001".
            let regex = try NSRegularExpression(pattern: #"(?:([A-Z_]+)://)?(?:127\.0\.0\.1|0\.0\.0\.0):(\d+)"#)
            for m in regex.matches(in: line, range: NSRange(line.startIndex..., in: line)) {
                let security = Range(m.range(at: 1), in: line).map { String(line[$0]) } ?? "PLAINTEXT"
                if let n = Range(m.range(at: 2), in: line) { ports[security] = Int(line[n]) }
            }
            guard !ports.isEmpty else { throw TmuxError("wharf serve did not report its listeners: \(line)") }
        }

        func bootstrap(_ security: String) -> String { "127.0.0.1:\(ports[security] ?? 0)" }
        var stderr: String { (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "" }

        func stop() -> Int32 {
            process.terminate()
            let status = process.waitUntilExit().status
            try? FileManager.default.removeItem(atPath: errPath)
            return status
        }
    }

    static func kcat(_ args: [String], stdin: String? = nil) throws -> WharfProcess.Result {
        try WharfProcess.run(args, stdin: stdin, executable: "/usr/bin/kcat")
    }

    static func tlsArgs(_ certs: TestCertificates) -> [String] { ["--tls-cert", certs.serverCert, "--tls-key", certs.serverKey] }

    @Test func kcatProducesAndConsumesOverSSLAndEachListenerAdvertisesItself() throws {
        let certs = try TestCertificates()
        let server = try Server(["--listen", "PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0"] + Self.tlsArgs(certs))
        let ssl = ["-b", server.bootstrap("SSL"), "-X", "security.protocol=ssl", "-X", "ssl.ca.location=\(certs.caCert)"]
        var r = try Self.kcat(ssl + ["-t", "secure", "-P"], stdin: "one\ntwo\nthree\n")
        #expect(r.status == 0, "\(r.stderr)")
        r = try Self.kcat(ssl + ["-t", "secure", "-C", "-e", "-f", "%s\n"])
        #expect(r.lines == ["one", "two", "three"], "\(r.stderr)")
        // Metadata names the listener the client came through: SSL clients stay on the SSL port.
        r = try Self.kcat(ssl + ["-L", "-t", "secure"])
        #expect(r.stdout.contains("at 127.0.0.1:\(server.ports["SSL"]!)"), "\(r.stdout)")
        r = try Self.kcat(["-b", server.bootstrap("PLAINTEXT"), "-L", "-t", "secure"])
        #expect(r.stdout.contains("at 127.0.0.1:\(server.ports["PLAINTEXT"]!)"), "\(r.stdout)")
        // The same records through the plaintext listener.
        r = try Self.kcat(["-b", server.bootstrap("PLAINTEXT"), "-t", "secure", "-C", "-e", "-f", "%s\n"])
        #expect(r.lines == ["one", "two", "three"])
        #expect(server.stop() == 0)
    }

    @Test func confluentKafkaProducesAndConsumesOverSSL() throws {
        let certs = try TestCertificates()
        let server = try Server(["--listen", "SSL://127.0.0.1:0"] + Self.tlsArgs(certs))
        let script = """
            import sys
            from confluent_kafka import Producer, Consumer
            conf = {"bootstrap.servers": sys.argv[1], "security.protocol": "SSL", "ssl.ca.location": sys.argv[2]}
            p = Producer(conf)
            for i in range(5):
                p.produce("py-secure", value=f"v{i}".encode())
            assert p.flush(15) == 0, "undelivered"
            c = Consumer(dict(conf, **{"group.id": "py", "auto.offset.reset": "earliest"}))
            c.subscribe(["py-secure"])
            got = []
            while len(got) < 5:
                m = c.poll(15)
                assert m is not None, "timed out"
                assert m.error() is None, m.error()
                got.append(m.value().decode())
            c.close()
            print(" ".join(got))
            """
        let r = try WharfProcess.run(["-c", script, server.bootstrap("SSL"), certs.caCert], executable: "/usr/bin/env", prefix: ["python3"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.lines == ["v0 v1 v2 v3 v4"])
        #expect(server.stop() == 0)
    }

    @Test func mutualTLSRefusesAClientWithoutCertificateAndNamesTheOneWithIt() throws {
        let certs = try TestCertificates()
        let server = try Server(["--listen", "SSL://127.0.0.1:0", "--tls-ca", certs.caCert, "--tls-client-auth", "required"]
            + Self.tlsArgs(certs))
        let ssl = ["-b", server.bootstrap("SSL"), "-X", "security.protocol=ssl", "-X", "ssl.ca.location=\(certs.caCert)"]
        var r = try Self.kcat(ssl + ["-L", "-m", "3"])
        #expect(r.status != 0)
        #expect(!r.stdout.contains("broker 0 at"), "\(r.stdout)")
        let client = ["-X", "ssl.certificate.location=\(certs.clientCert)", "-X", "ssl.key.location=\(certs.clientKey)"]
        r = try Self.kcat(ssl + client + ["-t", "mtls", "-P"], stdin: "signed\n")
        #expect(r.status == 0, "\(r.stderr)")
        r = try Self.kcat(ssl + client + ["-t", "mtls", "-C", "-e", "-f", "%s\n"])
        #expect(r.lines == ["signed"], "\(r.stderr)")
        // The certificate's subject is the connection's principal (Kafka's RFC 2253 form).
        #expect(server.stderr.contains(TestCertificates.clientPrincipal), "\(server.stderr)")
        // A certificate from a CA the server does not trust is refused like none at all.
        let mallory = ["-X", "ssl.certificate.location=\(certs.strangerClientCert)", "-X", "ssl.key.location=\(certs.strangerClientKey)"]
        r = try Self.kcat(ssl + mallory + ["-L", "-m", "3"])
        #expect(r.status != 0)
        #expect(!r.stdout.contains("broker 0 at"), "\(r.stdout)")
        #expect(!server.stderr.contains("User:CN=mallory"))
        #expect(server.stop() == 0)
    }

    @Test func requestedClientAuthLetsAnonymousClientsInAndNamesCertifiedOnes() throws {
        let certs = try TestCertificates()
        let server = try Server(["--listen", "SSL://127.0.0.1:0", "--tls-ca", certs.caCert, "--tls-client-auth", "requested"]
            + Self.tlsArgs(certs))
        let ssl = ["-b", server.bootstrap("SSL"), "-X", "security.protocol=ssl", "-X", "ssl.ca.location=\(certs.caCert)"]
        var r = try Self.kcat(ssl + ["-t", "optional", "-P"], stdin: "anonymous\n")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(!server.stderr.contains(TestCertificates.clientPrincipal))
        let client = ["-X", "ssl.certificate.location=\(certs.clientCert)", "-X", "ssl.key.location=\(certs.clientKey)"]
        r = try Self.kcat(ssl + client + ["-t", "optional", "-C", "-e", "-f", "%s\n"])
        #expect(r.lines == ["anonymous"], "\(r.stderr)")
        #expect(server.stderr.contains(TestCertificates.clientPrincipal), "\(server.stderr)")
        #expect(server.stop() == 0)
    }

    @Test func aClientThatDoesNotTrustTheServersCASaysCertificateVerificationFailed() throws {
        let certs = try TestCertificates()
        let server = try Server(["--listen", "SSL://127.0.0.1:0"] + Self.tlsArgs(certs))
        let r = try Self.kcat(["-b", server.bootstrap("SSL"), "-X", "security.protocol=ssl", "-X", "ssl.ca.location=\(certs.strangerCACert)",
                               "-L", "-m", "3"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("certificate verify failed"), "\(r.stderr)")
        #expect(server.stop() == 0)
    }

    @Test func tls12IsTheOldestVersionOffered() throws {
        let certs = try TestCertificates()
        let server = try Server(["--listen", "SSL://127.0.0.1:0"] + Self.tlsArgs(certs))
        let connect = ["s_client", "-connect", server.bootstrap("SSL"), "-CAfile", certs.caCert]
        let old = try WharfProcess.run(connect + ["-tls1_1"], stdin: "", executable: "/usr/bin/openssl")
        #expect(old.status != 0)
        #expect((old.stdout + old.stderr).contains("alert protocol version"), "\(old.stderr)")
        let current = try WharfProcess.run(connect + ["-tls1_2", "-brief"], stdin: "", executable: "/usr/bin/openssl")
        #expect(current.stderr.contains("Protocol version: TLSv1.2"), "\(current.stderr)")
        #expect(server.stop() == 0)
    }

    @Test func anUnauthenticatedListenerBeyondLoopbackIsRefusedUnlessAllowed() throws {
        let dir = TempDir()
        for listen in ["0.0.0.0:0", "SSL://0.0.0.0:0"] {
            let certs = try TestCertificates()
            let r = try WharfProcess.run(["serve", "--data", dir.path, "--listen", listen] + Self.tlsArgs(certs))
            #expect(r.status != 0)
            let lines = r.stderr.split(separator: "\n")
            #expect(lines.count == 1, "\(r.stderr)")
            #expect(r.stderr.contains("refusing to listen on") && r.stderr.contains("--allow-plaintext"), "\(r.stderr)")
        }
        // With --allow-plaintext it opens; a wildcard listener advertises the address the client
        // reached it through (here loopback), never 0.0.0.0.
        let server = try Server(["--listen", "0.0.0.0:0", "--allow-plaintext"])
        let r = try Self.kcat(["-b", server.bootstrap("PLAINTEXT"), "-L"])
        #expect(r.stdout.contains("broker 0 at 127.0.0.1:\(server.ports["PLAINTEXT"]!)"), "\(r.stdout)")
        #expect(server.stop() == 0)
    }

    @Test func aMissingCertificateIsOneLineAndNoListenerOpens() throws {
        let dir = TempDir()
        let r = try WharfProcess.run(["serve", "--data", dir.path, "--listen", "SSL://127.0.0.1:0",
                                      "--tls-cert", dir.path + "/nope.pem", "--tls-key", dir.path + "/nope-key.pem"])
        #expect(r.status != 0)
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        #expect(r.stderr.contains("cannot read TLS certificate \(dir.path)/nope.pem: No such file or directory"), "\(r.stderr)")
        #expect(!r.stdout.contains("serving"))
        let garbage = dir.path + "/garbage.pem"
        try "not a certificate\n".write(toFile: garbage, atomically: true, encoding: .utf8)
        let bad = try WharfProcess.run(["serve", "--data", dir.path, "--listen", "SSL://127.0.0.1:0", "--tls-cert", garbage, "--tls-key", garbage])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("is not a PEM certificate"), "\(bad.stderr)")
        // An SSL listener without any certificate says what it needs.
        let none = try WharfProcess.run(["serve", "--data", dir.path, "--listen", "SSL://127.0.0.1:0"])
        #expect(none.status != 0)
        #expect(none.stderr.contains("needs --tls-cert and --tls-key"), "\(none.stderr)")
    }
}
