import Foundation
import Testing

/// kafka-python and aiokafka against `wharf serve` through the real binary, over SASL_SSL with
/// SCRAM-SHA-512 (a `wharf user add` user) and over mutual TLS (the test's CA signs the client),
/// each producing three records and consuming them back; kcat and confluent-kafka are covered by
/// KafkaTLSTests and SaslServeTests.
@Suite(.serialized, .endToEnd) struct PythonTLSClientsTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("clients/tls_clients.py").path

    static func python(_ args: [String]) async throws -> WharfProcess.Result {
        try await WharfProcess.run([script] + args, executable: "/usr/bin/env", prefix: ["python3"])
    }

    @Test(arguments: ["kafka-python", "aiokafka"])
    func produceAndConsumeOverSaslSslWithScram(library: String) async throws {
        let certs = try TestCertificates()
        let server = try KafkaTLSTests.Server(["--listen", "SASL_SSL://127.0.0.1:0"] + KafkaTLSTests.tlsArgs(certs))
        defer { _ = server.stop() }
        #expect(try await WharfProcess.run(["user", "add", "alice", "--mechanism", "SCRAM-SHA-512", "--password-stdin", "--data", server.dir.path],
                                     stdin: "alice-pw").status == 0)
        let r = try await Self.python([library, server.bootstrap("SASL_SSL"), "SASL_SSL", certs.caCert, "secure",
                                 "--sasl", "SCRAM-SHA-512", "alice", "alice-pw"])
        #expect(r.status == 0 && r.stdout.contains("GOT \(library)-SASL_SSL-0,\(library)-SASL_SSL-1,\(library)-SASL_SSL-2"),
                "\(r.stdout) \(r.stderr)")
        // A wrong password is refused, and nothing is written.
        let refused = try await Self.python([library, server.bootstrap("SASL_SSL"), "SASL_SSL", certs.caCert, "refused",
                                       "--sasl", "SCRAM-SHA-512", "alice", "wrong"])
        #expect(refused.status == 2 && refused.stdout.hasPrefix("ERROR "), "\(refused.stdout) \(refused.stderr)")
    }

    @Test(arguments: ["kafka-python", "aiokafka"])
    func produceAndConsumeOverMutualTLS(library: String) async throws {
        let certs = try TestCertificates()
        let server = try KafkaTLSTests.Server(["--listen", "SSL://127.0.0.1:0", "--tls-ca", certs.caCert, "--tls-client-auth", "required"]
                                              + KafkaTLSTests.tlsArgs(certs))
        defer { _ = server.stop() }
        let r = try await Self.python([library, server.bootstrap("SSL"), "SSL", certs.caCert, "mtls", "--cert", certs.clientCert, certs.clientKey])
        #expect(r.status == 0 && r.stdout.contains("GOT \(library)-SSL-0,\(library)-SSL-1,\(library)-SSL-2"), "\(r.stdout) \(r.stderr)")
        #expect(server.stderr.contains(TestCertificates.clientPrincipal), "\(server.stderr)")
        // Without a client certificate the broker refuses the client.
        let refused = try await Self.python([library, server.bootstrap("SSL"), "SSL", certs.caCert, "anonymous"])
        #expect(refused.status == 2, "\(refused.stdout) \(refused.stderr)")
    }
}
