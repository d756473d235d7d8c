import Foundation
import KafkaProtocol
import Testing
import WharfAuth
import WharfCore
@testable import WharfKafkaServer

/// KIP-554 through the listener: confluent-kafka's admin client adds a SCRAM user who can then
/// log in with kcat, describes it, and gets Kafka's error for deleting what does not exist;
/// raw frames check the per-user refusals.
@Suite(.serialized) struct ScramCredentialsAdminTests {
    static let adminScript = #"""
import sys
from confluent_kafka.admin import (AdminClient, ScramCredentialInfo, ScramMechanism, UserScramCredentialDeletion,
                                   UserScramCredentialUpsertion)
bootstrap, password = sys.argv[1:3]
admin = AdminClient({"bootstrap.servers": bootstrap, "security.protocol": "SASL_PLAINTEXT", "sasl.mechanism": "SCRAM-SHA-512",
                     "sasl.username": "alice", "sasl.password": password})
upsert = UserScramCredentialUpsertion("carol", ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 8192), b"carol-pw")
for user, future in admin.alter_user_scram_credentials([upsert]).items():
    future.result(timeout=20)
print("ALTERED", flush=True)
described = admin.describe_user_scram_credentials(["carol"])["carol"].result(timeout=20)
print("DESCRIBED", sorted((i.mechanism.name, i.iterations) for i in described.scram_credential_infos), flush=True)
deletion = UserScramCredentialDeletion("carol", ScramMechanism.SCRAM_SHA_512)
try:
    admin.alter_user_scram_credentials([deletion])["carol"].result(timeout=20)
    print("DELETED", flush=True)
except Exception as e:
    print("DELETE-REFUSED", e, flush=True)
"""#

    @Test func confluentAdminAddsAUserWhoCanThenLogIn() async throws {
        try await SaslListenerTests.withSaslListener { _, port in
            let admin = try await ClientProcess.run(["python3", "-c", Self.adminScript, "127.0.0.1:\(port)", SaslListenerTests.password])
            #expect(admin.status == 0, "\(admin.stdout) \(admin.stderr)")
            #expect(admin.stdout.contains("ALTERED"), "\(admin.stdout) \(admin.stderr)")
            #expect(admin.stdout.contains("DESCRIBED [('SCRAM_SHA_256', 8192)]"), "\(admin.stdout)")
            #expect(admin.stdout.contains("DELETE-REFUSED") && admin.stdout.contains("does not exist"), "\(admin.stdout)")
            let carol = try await ClientProcess.run(SaslClientTests.kcat(port, "SCRAM-SHA-256", user: "carol", password: "carol-pw") + ["-L", "-m", "10"])
            #expect(carol.status == 0, "\(carol.stderr)")
            #expect(carol.stdout.contains("1 brokers"), "\(carol.stdout)")
        }
    }

    @Test func anAnonymousClientCannotChangeUsers() async throws {
        try await SaslListenerTests.withSaslListener(.plaintext) { _, port in
            let client = try await RawKafkaSocket.connect(port: port)
            defer { client.close() }
            let request = AlterUserScramCredentialsRequest(upsertions: [
                .init(name: "mallory", mechanism: 2, iterations: 4096, salt: [1], saltedPassword: [UInt8](repeating: 1, count: 64))])
            guard case .alterUserScramCredentials(let altered) = try await client.roundTrip(.alterUserScramCredentials(request), version: 0)
            else {
                Issue.record("not an AlterUserScramCredentials answer")
                return
            }
            #expect(altered.results.map(\.errorCode) == [KafkaError.clusterAuthorizationFailed])
            let describe = DescribeUserScramCredentialsRequest(users: [.init(name: "mallory")])
            guard case .describeUserScramCredentials(let described) = try await client.roundTrip(.describeUserScramCredentials(describe), version: 0, correlationId: 2)
            else {
                Issue.record("not a DescribeUserScramCredentials answer")
                return
            }
            #expect(described.results.first?.errorCode == KafkaError.resourceNotFound)
        }
    }

    @Test func aRequestWithTooManyChangesIsRefusedQuickly() async throws {
        try await SaslListenerTests.withSaslListener { _, port in
            let client = try await RawKafkaSocket.connect(port: port)
            defer { client.close() }
            #expect(try await SaslListenerTests.scramLogin(client, mechanism: .scramSha512).errorCode == 0)
            let request = AlterUserScramCredentialsRequest(upsertions: (0..<50_000).map {
                .init(name: "u\($0)", mechanism: 2, iterations: 4096, salt: [1], saltedPassword: [UInt8](repeating: 1, count: 64))
            })
            guard case .alterUserScramCredentials(let altered) = try await client.roundTrip(.alterUserScramCredentials(request), version: 0, correlationId: 4)
            else {
                Issue.record("not an AlterUserScramCredentials answer")
                return
            }
            #expect(altered.results.count == KafkaBroker.maxScramAlterationsPerRequest)
            #expect(altered.results.allSatisfy { $0.errorCode == KafkaError.policyViolation })
            guard case .describeUserScramCredentials(let described) = try await client.roundTrip(
                .describeUserScramCredentials(DescribeUserScramCredentialsRequest(users: nil)), version: 0, correlationId: 5)
            else {
                Issue.record("not a DescribeUserScramCredentials answer")
                return
            }
            #expect(described.results.map(\.user) == ["alice"])
        }
    }

    @Test func eachUsersAlterationsApplyAllOrNone() async throws {
        try await SaslListenerTests.withSaslListener { _, port in
            let client = try await RawKafkaSocket.connect(port: port)
            defer { client.close() }
            #expect(try await SaslListenerTests.scramLogin(client, mechanism: .scramSha512).errorCode == 0)
            let salted = [UInt8](repeating: 1, count: 32)
            let request = AlterUserScramCredentialsRequest(
                deletions: [.init(name: "alice", mechanism: 1), .init(name: "nobody", mechanism: 2)],
                upsertions: [
                    .init(name: "dave", mechanism: 1, iterations: 4096, salt: [1, 2], saltedPassword: salted),
                    .init(name: "erin", mechanism: 1, iterations: 100, salt: [1, 2], saltedPassword: salted),
                    .init(name: "frank", mechanism: 7, iterations: 4096, salt: [1, 2], saltedPassword: salted),
                    .init(name: "alice", mechanism: 1, iterations: 4096, salt: [1, 2], saltedPassword: salted),
                ])
            guard case .alterUserScramCredentials(let altered) = try await client.roundTrip(.alterUserScramCredentials(request), version: 0, correlationId: 4)
            else {
                Issue.record("not an AlterUserScramCredentials answer")
                return
            }
            let codes = Dictionary(uniqueKeysWithValues: altered.results.map { ($0.user, $0.errorCode) })
            #expect(codes == ["alice": KafkaError.duplicateResource, "nobody": KafkaError.resourceNotFound, "dave": KafkaError.none,
                              "erin": KafkaError.unacceptableCredential, "frank": KafkaError.unsupportedSaslMechanism])
            let describe = DescribeUserScramCredentialsRequest(users: nil)
            guard case .describeUserScramCredentials(let described) = try await client.roundTrip(.describeUserScramCredentials(describe), version: 0, correlationId: 5)
            else {
                Issue.record("not a DescribeUserScramCredentials answer")
                return
            }
            // alice keeps both SCRAM credentials (her alterations were refused), dave was added.
            #expect(described.results.map(\.user) == ["alice", "dave"])
            #expect(described.results.first?.credentialInfos.map(\.mechanism) == [1, 2])
        }
    }
}
