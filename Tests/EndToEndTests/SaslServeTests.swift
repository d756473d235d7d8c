import Foundation
import Testing

/// `wharf serve` with SASL listeners through the real binary: users added with `wharf user add`
/// while the server runs log in with kcat over SASL_SSL (SCRAM-SHA-512) and SASL_PLAINTEXT
/// (PLAIN); a mechanism the user has no credential for is refused with librdkafka's error.
@Suite(.serialized, .endToEnd) struct SaslServeTests {
    @Test func usersAddedWhileServingLogInOverSaslSslAndSaslPlaintext() throws {
        let certs = try TestCertificates()
        let server = try KafkaTLSTests.Server(["--listen", "SASL_SSL://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0"]
                                              + KafkaTLSTests.tlsArgs(certs))
        defer { _ = server.stop() }
        let d = ["--data", server.dir.path]
        #expect(try WharfProcess.run(["user", "add", "alice", "--mechanism", "SCRAM-SHA-512", "--password-stdin"] + d, stdin: "alice-pw").status == 0)
        #expect(try WharfProcess.run(["user", "add", "bob", "--mechanism", "PLAIN", "--password-stdin"] + d, stdin: "bob-pw").status == 0)

        let sslScram = ["-b", server.bootstrap("SASL_SSL"), "-X", "security.protocol=sasl_ssl", "-X", "ssl.ca.location=\(certs.caCert)",
                        "-X", "sasl.mechanisms=SCRAM-SHA-512", "-X", "sasl.username=alice", "-X", "sasl.password=alice-pw"]
        let produced = try KafkaTLSTests.kcat(sslScram + ["-P", "-t", "secure"], stdin: "one\ntwo\n")
        #expect(produced.status == 0, "\(produced.stderr)")
        let consumed = try KafkaTLSTests.kcat(sslScram + ["-C", "-t", "secure", "-o", "beginning", "-e", "-q"])
        #expect(consumed.stdout == "one\ntwo\n", "\(consumed.stderr)")

        let plain = ["-b", server.bootstrap("SASL_PLAINTEXT"), "-X", "security.protocol=sasl_plaintext", "-X", "sasl.mechanisms=PLAIN",
                     "-X", "sasl.username=bob", "-X", "sasl.password=bob-pw"]
        let read = try KafkaTLSTests.kcat(plain + ["-C", "-t", "secure", "-o", "beginning", "-e", "-q"])
        #expect(read.stdout == "one\ntwo\n", "\(read.stderr)")

        // alice has no PLAIN credential: refused, and the server logs who and from where.
        let refused = try KafkaTLSTests.kcat(["-b", server.bootstrap("SASL_PLAINTEXT"), "-X", "security.protocol=sasl_plaintext",
                                              "-X", "sasl.mechanisms=PLAIN", "-X", "sasl.username=alice", "-X", "sasl.password=alice-pw", "-L", "-m", "5"])
        #expect(refused.status != 0 && refused.stderr.contains("Authentication failed"), "\(refused.stderr)")
        #expect(server.stderr.contains("SASL authentication failed") && server.stderr.contains("User:alice"), "\(server.stderr)")
    }
}
