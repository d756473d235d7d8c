import Foundation
import Testing
import WharfAuth
import WharfCore
import WharfEngine
@testable import WharfKafkaServer

/// Real clients over SASL_PLAINTEXT against the in-process listener: kcat and confluent-kafka
/// (librdkafka) with PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512, kafka-python and aiokafka with
/// SCRAM-SHA-512, each producing three records and consuming them back; a wrong password and
/// an unknown user are refused with the client's own authentication error.
@Suite(.serialized) struct SaslClientTests {
    static let password = SaslListenerTests.password

    static func kcat(_ port: Int, _ mechanism: String, user: String = "alice", password: String = password) -> [String] {
        ["kcat", "-b", "127.0.0.1:\(port)", "-X", "security.protocol=SASL_PLAINTEXT", "-X", "sasl.mechanisms=\(mechanism)",
         "-X", "sasl.username=\(user)", "-X", "sasl.password=\(password)"]
    }

    @Test(arguments: ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"])
    func kcatProducesAndConsumes(mechanism: String) async throws {
        try await SaslListenerTests.withSaslListener { f, port in
            try f.engine.createTopic("k", .init(partitions: 1))
            let produced = try await ClientProcess.run(Self.kcat(port, mechanism) + ["-P", "-t", "k"], stdin: "one\ntwo\nthree\n")
            #expect(produced.status == 0, "\(produced.stderr)")
            let consumed = try await ClientProcess.run(Self.kcat(port, mechanism) + ["-C", "-t", "k", "-o", "beginning", "-e", "-q"])
            #expect(consumed.status == 0, "\(consumed.stderr)")
            #expect(consumed.stdout == "one\ntwo\nthree\n")
        }
    }

    @Test(arguments: [("alice", "wrong"), ("mallory", SaslListenerTests.password)])
    func kcatIsRefused(user: String, password: String) async throws {
        try await SaslListenerTests.withSaslListener { _, port in
            let refused = try await ClientProcess.run(Self.kcat(port, "SCRAM-SHA-512", user: user, password: password) + ["-L", "-m", "5"])
            #expect(refused.status != 0)
            #expect(refused.stderr.contains("SASL authentication error: Authentication failed"), "\(refused.stderr)")
        }
    }

    static func python(_ library: String, _ port: Int, _ mechanism: String, user: String = "alice",
                       password: String = password, topic: String) async throws -> ClientProcess.Result {
        try await ClientProcess.run(["python3", "-c", SaslClientScript.source, library, "127.0.0.1:\(port)", mechanism, user, password, topic])
    }

    @Test(arguments: [("confluent", "PLAIN"), ("confluent", "SCRAM-SHA-256"), ("confluent", "SCRAM-SHA-512"),
                      ("kafka-python", "SCRAM-SHA-512"), ("aiokafka", "SCRAM-SHA-512")])
    func pythonClientsProduceAndConsume(library: String, mechanism: String) async throws {
        try await SaslListenerTests.withSaslListener { f, port in
            try f.engine.createTopic("p", .init(partitions: 1))
            let result = try await Self.python(library, port, mechanism, topic: "p")
            #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
            #expect(result.stdout.contains("GOT \(library)-\(mechanism)-0,\(library)-\(mechanism)-1,\(library)-\(mechanism)-2"))
        }
    }

    @Test(arguments: [("confluent", "alice", "wrong"), ("confluent", "mallory", SaslListenerTests.password),
                      ("aiokafka", "alice", "wrong"), ("kafka-python", "mallory", SaslListenerTests.password)])
    func pythonClientsAreRefused(library: String, user: String, password: String) async throws {
        try await SaslListenerTests.withSaslListener { f, port in
            try f.engine.createTopic("p", .init(partitions: 1))
            let result = try await Self.python(library, port, "SCRAM-SHA-512", user: user, password: password, topic: "p")
            #expect(result.status == 2, "\(result.stdout) \(result.stderr)")
            #expect(result.stdout.hasPrefix("ERROR "), "\(result.stdout) \(result.stderr)")
            #expect((result.stdout + result.stderr).contains("Authentication failed"), "\(result.stdout) \(result.stderr)")
            #expect(try f.engine.offsets(topic: "p", partition: 0).logEnd == 0)
        }
    }
}
