import Foundation
import KafkaProtocol
import Testing
import WharfAuth
import WharfCore
import WharfKafkaClient
@testable import WharfKafkaServer

/// Wharf's own Kafka client logging in to the real listener with SASL: each mechanism, and the
/// one-line errors of a wrong password, a mechanism the broker does not offer, and SASL sent to
/// a listener without it.
@Suite struct KafkaClientSaslTests {
    static let password = "pw with spaces, commas=and equals"

    static func withListener(_ security: SecurityProtocol, mechanisms: [SaslMechanism] = SaslMechanism.allCases,
                             _ body: (Int) async throws -> Void) async throws {
        let directory = NSTemporaryDirectory() + "wharf-client-sasl-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = UserStore(dataDirectory: directory)
        var users = UserDatabase()
        for mechanism in SaslMechanism.allCases {
            users.users["alice", default: [:]][mechanism] = ScramCredential(password: Array(password.utf8), hash: mechanism.hash)
        }
        try store.save(users)
        try await ListenerLimitsTests.withListener({
            $0.listeners = [KafkaListenerAddress(security: security, host: "127.0.0.1", port: 0)]
            $0.users = store
            $0.saslMechanisms = mechanisms
        }) { _, _, port in try await body(port) }
    }

    static func client(port: Int, _ login: SaslLogin?) -> KafkaClient {
        var configuration = KafkaClient.Configuration(bootstrap: [BootstrapAddress(host: "127.0.0.1", port: port)],
                                                      security: ClientSecurity(securityProtocol: login == nil ? .plaintext : .saslPlaintext, sasl: login))
        configuration.attempts = 1
        return KafkaClient(configuration: configuration)
    }

    @Test(arguments: SaslMechanism.allCases)
    func logsInAndWorks(mechanism: SaslMechanism) async throws {
        try await Self.withListener(.saslPlaintext) { port in
            let client = Self.client(port: port, SaslLogin(mechanism: mechanism, user: "alice", password: Self.password))
            try await client.createTopic("after-login", partitions: 2)
            let metadata = try await client.refreshMetadata()
            #expect(metadata.topic("after-login")?.partitions.count == 2)
            await client.close()
        }
    }

    @Test func wrongPasswordNamesTheBrokersReason() async throws {
        try await Self.withListener(.saslPlaintext) { port in
            let client = Self.client(port: port, SaslLogin(mechanism: .scramSha512, user: "alice", password: "nope"))
            await #expect(throws: KafkaClientError.authentication(
                address: "127.0.0.1:\(port)",
                reason: "Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512")) {
                try await client.refreshMetadata()
            }
            await client.close()
        }
    }

    @Test func aMechanismTheBrokerDoesNotOfferListsTheOnesItDoes() async throws {
        try await Self.withListener(.saslPlaintext, mechanisms: [.scramSha512, .scramSha256]) { port in
            let client = Self.client(port: port, SaslLogin(mechanism: .plain, user: "alice", password: Self.password))
            do {
                try await client.refreshMetadata()
                Issue.record("logged in with a mechanism the broker does not offer")
            } catch {
                #expect("\(error)" == "SASL authentication to 127.0.0.1:\(port) failed: mechanism PLAIN is not enabled "
                        + "(the broker offers: SCRAM-SHA-512, SCRAM-SHA-256)")
            }
            await client.close()
        }
    }

    @Test func saslToAListenerWithoutItSaysSo() async throws {
        try await Self.withListener(.plaintext) { port in
            let client = Self.client(port: port, SaslLogin(mechanism: .scramSha256, user: "alice", password: Self.password))
            do {
                try await client.refreshMetadata()
                Issue.record("SASL on a PLAINTEXT listener went through")
            } catch {
                guard case .authentication(_, let reason)? = error as? KafkaClientError else { Issue.record("\(error)"); return }
                #expect(reason.contains("does not take SASL"))
            }
            await client.close()
        }
    }
}
