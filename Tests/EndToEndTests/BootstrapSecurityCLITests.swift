import Foundation
import Testing

/// `wharf --bootstrap ... --command-config FILE` through the real binary against a real
/// `wharf serve`: CLI commands and the dashboard (in tmux) over SASL_SSL with SCRAM-SHA-512 and
/// over mutual TLS, with certificates the test makes; and the one-line errors of a wrong
/// password, an untrusted CA, a hostname mismatch, an unsupported mechanism and a bad file.
@Suite(.serialized, .endToEnd) struct BootstrapSecurityCLITests {
    /// A properties file in `dir`, as users keep them for kafka-consumer-groups.
    static func properties(_ lines: [String], in dir: TempDir, name: String = "client.properties") throws -> String {
        let path = dir.path + "/" + name
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func scram(ca: String, password: String = "alice-pw") -> [String] {
        ["# shared with the Java tools", "security.protocol=SASL_SSL", "sasl.mechanism=SCRAM-SHA-512",
         #"sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \"#,
         #"    username="alice" password="\#(password)";"#,
         "ssl.ca.location=\(ca)", "client.id=java-admin", "request.timeout.ms=20000"]
    }

    /// The one line a failed command printed, checked to be one line.
    static func oneLine(_ r: WharfProcess.Result) -> String {
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(r.stderr)")
        return lines.first.map(String.init) ?? ""
    }

    @Test func saslSslScramSha512ForTheCLIAndTheDashboard() async throws {
        let certs = try TestCertificates()
        let server = try KafkaTLSTests.Server(["--listen", "SASL_SSL://127.0.0.1:0"] + KafkaTLSTests.tlsArgs(certs))
        defer { _ = server.stop() }
        #expect(try await WharfProcess.run(["user", "add", "alice", "--mechanism", "SCRAM-SHA-512", "--password-stdin",
                                            "--data", server.dir.path], stdin: "alice-pw").status == 0)
        let dir = TempDir()
        let config = try Self.properties(Self.scram(ca: certs.caCert), in: dir)
        let cluster = ["--bootstrap", server.bootstrap("SASL_SSL"), "--command-config", config]

        var r = try await WharfProcess.run(["topic", "create", "secure", "--partitions", "2"] + cluster)
        #expect(r.status == 0, "\(r.stderr)")
        // Keys for Java tools are named once, not refused.
        #expect(r.stderr == "warning: --command-config \(config): ignoring client.id, request.timeout.ms (not used by wharf)\n")
        r = try await WharfProcess.run(["produce", "secure"] + cluster, stdin: "one\ntwo\nthree\n")
        #expect(r.status == 0, "\(r.stderr)")
        r = try await WharfProcess.run(["consume", "secure", "--group", "readers", "--max", "3"] + cluster)
        #expect(r.status == 0 && Set(r.lines) == ["one", "two", "three"], "\(r.stdout) \(r.stderr)")
        r = try await WharfProcess.run(["group", "list", "--json"] + cluster)
        #expect(r.status == 0 && r.stdout.contains("readers"), "\(r.stdout) \(r.stderr)")
        // The same records with kcat, as a check that the CLI really wrote through the broker.
        let kcat = try await WharfProcess.run(["-b", server.bootstrap("SASL_SSL"), "-X", "security.protocol=sasl_ssl",
                                               "-X", "ssl.ca.location=\(certs.caCert)", "-X", "sasl.mechanisms=SCRAM-SHA-512",
                                               "-X", "sasl.username=alice", "-X", "sasl.password=alice-pw",
                                               "-C", "-t", "secure", "-e", "-q"], executable: "/usr/bin/kcat")
        #expect(Set(kcat.lines) == ["one", "two", "three"], "\(kcat.stderr)")

        let tmux = try Tmux(command: [WharfProcess.binary] + cluster, width: 120, height: 40,
                            environment: ["WHARF_THEMES": FileManager.default.currentDirectoryPath + "/themes"])
        let screen = try await tmux.waitFor { $0.contains("kafka \(server.bootstrap("SASL_SSL")) · 1 broker") && $0.contains("secure") }
        #expect(!screen.contains("OFFLINE") && screen.contains("secure"), "\(screen)")
        try await tmux.send("q")
        _ = try await tmux.waitFor { $0.contains("[exit 0]") }
    }

    @Test func mutualTLSForTheCLIAndTheDashboard() async throws {
        let certs = try TestCertificates()
        let server = try KafkaTLSTests.Server(["--listen", "SSL://127.0.0.1:0", "--tls-ca", certs.caCert, "--tls-client-auth", "required"]
                                              + KafkaTLSTests.tlsArgs(certs))
        defer { _ = server.stop() }
        let dir = TempDir()
        let config = try Self.properties(["security.protocol=SSL", "ssl.truststore.type=PEM", "ssl.truststore.location=\(certs.caCert)",
                                          "ssl.certificate.location=\(certs.clientCert)", "ssl.key.location=\(certs.clientKey)"], in: dir)
        let cluster = ["--bootstrap", server.bootstrap("SSL"), "--command-config", config]
        var r = try await WharfProcess.run(["produce", "mtls", "--create"] + cluster, stdin: "signed\n")
        #expect(r.status == 0 && r.stderr.isEmpty, "\(r.stderr)")
        r = try await WharfProcess.run(["consume", "mtls", "--max", "1"] + cluster)
        #expect(r.lines == ["signed"], "\(r.stderr)")
        #expect(server.stderr.contains(TestCertificates.clientPrincipal), "\(server.stderr)")

        // Without the client certificate the broker refuses the handshake: one line that says so.
        let anonymous = try Self.properties(["security.protocol=SSL", "ssl.ca.location=\(certs.caCert)"], in: dir, name: "anon.properties")
        r = try await WharfProcess.run(["topic", "list", "--bootstrap", server.bootstrap("SSL"), "--command-config", anonymous])
        #expect(r.status != 0)
        // With TLS 1.3 the broker's refusal can reach the client after its side of the handshake
        // finished, as the first request's connection closing: either line names the cause.
        #expect(Self.oneLine(r).contains("TLS with \(server.bootstrap("SSL")) failed: the broker refused the handshake with no client certificate")
                || Self.oneLine(r).contains("no Kafka answer to ApiVersions (does the listener expect security.protocol SSL?"),
                "\(r.stderr)")

        let tmux = try Tmux(command: [WharfProcess.binary] + cluster, width: 120, height: 40,
                            environment: ["WHARF_THEMES": FileManager.default.currentDirectoryPath + "/themes"])
        let screen = try await tmux.waitFor { $0.contains("kafka \(server.bootstrap("SSL")) · 1 broker") && $0.contains("mtls") }
        #expect(!screen.contains("OFFLINE"), "\(screen)")
        try await tmux.send("q")
        _ = try await tmux.waitFor { $0.contains("[exit 0]") }
    }

    @Test func eachRefusalIsOneLineThatSaysWhatFailed() async throws {
        let certs = try TestCertificates()
        let wrongName = try certs.issueServerCertificate(name: "elsewhere", subjectAltName: "DNS:elsewhere.example")
        let server = try KafkaTLSTests.Server(["--listen", "SASL_SSL://127.0.0.1:0"] + KafkaTLSTests.tlsArgs(certs))
        defer { _ = server.stop() }
        #expect(try await WharfProcess.run(["user", "add", "alice", "--mechanism", "SCRAM-SHA-512", "--password-stdin",
                                            "--data", server.dir.path], stdin: "alice-pw").status == 0)
        let dir = TempDir()
        let address = server.bootstrap("SASL_SSL")
        func list(_ lines: [String], bootstrap: String? = nil) async throws -> WharfProcess.Result {
            let config = try Self.properties(lines, in: dir, name: UUID().uuidString)
            return try await WharfProcess.run(["topic", "list", "--bootstrap", bootstrap ?? address, "--command-config", config])
        }
        let quiet = { (lines: [String]) in lines.filter { !$0.hasPrefix("client.id") && !$0.hasPrefix("request.timeout") } }

        var r = try await list(quiet(Self.scram(ca: certs.caCert, password: "not-alice-pw")))
        #expect(r.status == 1)
        #expect(Self.oneLine(r) == "Error: SASL authentication to \(address) failed: Authentication failed during authentication "
                + "due to invalid credentials with SASL mechanism SCRAM-SHA-512")

        r = try await list(quiet(Self.scram(ca: certs.strangerCACert)))
        #expect(r.status == 1)
        #expect(Self.oneLine(r) == "Error: TLS with \(address) failed: its certificate is not trusted by the CAs in "
                + "\(certs.strangerCACert) (certificate verify failed)")

        r = try await list(["security.protocol=SASL_SSL", "sasl.mechanisms=OAUTHBEARER", "ssl.ca.location=\(certs.caCert)"])
        #expect(r.status == 64)
        #expect(Self.oneLine(r).hasSuffix(": line 2: sasl.mechanisms: 'OAUTHBEARER' is not supported (PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512)"))

        r = try await list(["security.protocol=SASL_SSL", "sasl.mechanism=SCRAM-SHA-512", #"sasl.jaas.config=ScramLoginModule required username="alice" password=;"#])
        #expect(r.status == 64)
        #expect(Self.oneLine(r).contains("sasl.jaas.config: value not specified for key 'password'"), "\(r.stderr)")

        // A PLAINTEXT client on the SASL_SSL port: the broker drops it; the line says what to check.
        r = try await list(["security.protocol=PLAINTEXT"])
        #expect(r.status == 1)
        #expect(Self.oneLine(r) == "Error: cannot reach \(address): no Kafka answer to ApiVersions (does the listener expect "
                + "security.protocol PLAINTEXT? see --command-config)")

        // A certificate for another name: refused until hostname verification is turned off.
        let renamed = try KafkaTLSTests.Server(["--listen", "SASL_SSL://127.0.0.1:0", "--tls-cert", wrongName.cert, "--tls-key", wrongName.key])
        defer { _ = renamed.stop() }
        #expect(try await WharfProcess.run(["user", "add", "alice", "--mechanism", "SCRAM-SHA-512", "--password-stdin",
                                            "--data", renamed.dir.path], stdin: "alice-pw").status == 0)
        r = try await list(quiet(Self.scram(ca: certs.caCert)), bootstrap: renamed.bootstrap("SASL_SSL"))
        #expect(r.status == 1)
        #expect(Self.oneLine(r).hasPrefix("Error: TLS with \(renamed.bootstrap("SASL_SSL")) failed: its certificate is not issued for the host"))
        r = try await list(quiet(Self.scram(ca: certs.caCert)) + ["ssl.endpoint.identification.algorithm="], bootstrap: renamed.bootstrap("SASL_SSL"))
        #expect(r.status == 0, "\(r.stderr)")
    }
}

extension TestCertificates {
    /// One more server certificate from the test CA, for names other than 127.0.0.1/localhost.
    func issueServerCertificate(name: String, subjectAltName: String) throws -> (cert: String, key: String) {
        try Self.issue(name: name, subject: "/CN=\(name)", extensions: "subjectAltName=\(subjectAltName)", in: dir.path)
        return (dir.path + "/\(name).pem", dir.path + "/\(name)-key.pem")
    }
}
