import Foundation
import Testing
import WharfAuth
import WharfCore
import WharfEngine
@testable import WharfKafkaServer

/// `--authorize` against real clients over SASL_PLAINTEXT: kcat and confluent-kafka producers
/// denied WRITE get TOPIC_AUTHORIZATION_FAILED while reading works; ACLs created by
/// kafka-python's KafkaAdminClient and by confluent-kafka's AdminClient are listed back and
/// enforced at once.
@Suite(.serialized) struct AclClientTests {
    static let password = SaslListenerTests.password

    @Test func kcatAndConfluentProducersAreDeniedWriteWhileReadWorks() async throws {
        let acls = [AclListenerTests.acl(.topic, "t", "User:alice", .read)]
        try await AclListenerTests.withAclListener(acls) { f, port, _ in
            try f.engine.createTopic("t", .init(partitions: 1))
            try f.engine.produce(topic: "t", records: [Record(key: nil, value: "kept")], partition: 0)
            let produced = try await ClientProcess.run(SaslClientTests.kcat(port, "SCRAM-SHA-512") + ["-P", "-t", "t"], stdin: "x\n")
            #expect(produced.stderr.contains("Topic authorization failed"), "\(produced.status) \(produced.stderr)")
            let confluent = try await ClientProcess.run(["python3", "-c", Self.confluentProduce, "127.0.0.1:\(port)", Self.password, "t"])
            #expect(confluent.stdout.contains("DELIVERY-FAILED TOPIC_AUTHORIZATION_FAILED"), "\(confluent.stdout) \(confluent.stderr)")
            #expect(try f.engine.offsets(topic: "t", partition: 0).logEnd == 1)
            let consumed = try await ClientProcess.run(SaslClientTests.kcat(port, "SCRAM-SHA-512") + ["-C", "-t", "t", "-o", "beginning", "-e", "-q"])
            #expect(consumed.status == 0, "\(consumed.stderr)")
            #expect(consumed.stdout == "kept\n")
        }
    }

    static let confluentProduce = #"""
import sys
from confluent_kafka import Producer
bootstrap, password, topic = sys.argv[1:4]
user = sys.argv[4] if len(sys.argv) > 4 else "alice"
idempotent = len(sys.argv) > 5
p = Producer({"bootstrap.servers": bootstrap, "security.protocol": "SASL_PLAINTEXT", "sasl.mechanism": "SCRAM-SHA-512",
              "sasl.username": user, "sasl.password": password, "message.timeout.ms": 10000, "enable.idempotence": idempotent})
def report(err, msg):
    print("DELIVERY-FAILED " + err.name() if err else "DELIVERED", flush=True)
p.produce(topic, b"x", on_delivery=report)
p.flush(15)
"""#

    /// KIP-679: an idempotent producer needs IDEMPOTENT_WRITE on the cluster or WRITE on some
    /// topic (InitProducerId); with neither, librdkafka reports CLUSTER_AUTHORIZATION_FAILED.
    @Test func anIdempotentProducerNeedsWriteOnSomeTopic() async throws {
        // bob may see the topic (so the refusal is InitProducerId's, not Metadata's) but write nowhere.
        let acls = [AclListenerTests.acl(.topic, "idem", "User:alice", .write), AclListenerTests.acl(.topic, "idem", "User:bob", .describe)]
        try await AclListenerTests.withAclListener(acls) { f, port, _ in
            try f.engine.createTopic("idem", .init(partitions: 1))
            let alice = try await ClientProcess.run(["python3", "-c", Self.confluentProduce, "127.0.0.1:\(port)", Self.password, "idem", "alice", "idempotent"])
            #expect(alice.stdout.contains("DELIVERED"), "\(alice.stdout) \(alice.stderr)")
            let bob = try await ClientProcess.run(["python3", "-c", Self.confluentProduce, "127.0.0.1:\(port)", Self.password, "idem", "bob", "idempotent"])
            // librdkafka makes it a fatal error of the producer.
            #expect(!bob.stdout.contains("DELIVERED\n"), "\(bob.stdout)")
            #expect(bob.stderr.contains("CLUSTER_AUTHORIZATION_FAILED"), "\(bob.stdout) \(bob.stderr)")
            #expect(try f.engine.offsets(topic: "idem", partition: 0).logEnd == 1)
        }
    }

    static let confluentGroupConsumer = #"""
import sys
from confluent_kafka import Consumer, KafkaException
bootstrap, password, topic, group = sys.argv[1:5]
c = Consumer({"bootstrap.servers": bootstrap, "security.protocol": "SASL_PLAINTEXT", "sasl.mechanism": "SCRAM-SHA-512",
              "sasl.username": "alice", "sasl.password": password, "group.id": group, "auto.offset.reset": "earliest",
              "enable.auto.commit": False})
c.subscribe([topic])
got = []
for _ in range(60):
    m = c.poll(0.5)
    if m is None:
        continue
    if m.error():
        print("ERROR " + m.error().name(), flush=True)
        break
    got.append(m.value().decode())
    if len(got) == 2:
        try:
            c.commit(asynchronous=False)
            print("COMMITTED", flush=True)
        except KafkaException as e:
            print("COMMIT-FAILED " + e.args[0].name(), flush=True)
        break
print("GOT " + ",".join(got), flush=True)
c.close()
"""#

    /// A consumer group through the whole protocol (FindCoordinator, JoinGroup, SyncGroup,
    /// OffsetFetch, Fetch, OffsetCommit): it works with READ on the topic and the group, and
    /// stops at GROUP_AUTHORIZATION_FAILED without the group's ACL.
    @Test func aConfluentGroupConsumerNeedsReadOnTheGroup() async throws {
        let acls = [AclListenerTests.acl(.topic, "g-topic", "User:alice", .read), AclListenerTests.acl(.group, "allowed", "User:alice", .read)]
        try await AclListenerTests.withAclListener(acls) { f, port, _ in
            try f.engine.createTopic("g-topic", .init(partitions: 1))
            try f.engine.produce(topic: "g-topic", records: [Record(key: nil, value: "a"), Record(key: nil, value: "b")], partition: 0)
            let consumed = try await ClientProcess.run(["python3", "-c", Self.confluentGroupConsumer, "127.0.0.1:\(port)", Self.password, "g-topic", "allowed"])
            #expect(consumed.stdout.contains("COMMITTED") && consumed.stdout.contains("GOT a,b"), "\(consumed.stdout) \(consumed.stderr)")
            let refused = try await ClientProcess.run(["python3", "-c", Self.confluentGroupConsumer, "127.0.0.1:\(port)", Self.password, "g-topic", "other"])
            #expect(refused.stdout.contains("ERROR GROUP_AUTHORIZATION_FAILED"), "\(refused.stdout) \(refused.stderr)")
        }
    }

    static let kafkaPythonAdmin = #"""
import sys
from kafka import KafkaAdminClient
from kafka.admin import (ACL, ACLFilter, ACLOperation, ACLPermissionType, ACLResourcePatternType, ResourcePattern,
                         ResourcePatternFilter, ResourceType)
bootstrap, password = sys.argv[1:3]
admin = KafkaAdminClient(bootstrap_servers=bootstrap, security_protocol="SASL_PLAINTEXT", sasl_mechanism="SCRAM-SHA-512",
                         sasl_plain_username="admin", sasl_plain_password=password)
write = ACL(principal="User:alice", host="*", operation=ACLOperation.WRITE, permission_type=ACLPermissionType.ALLOW,
            resource_pattern=ResourcePattern(ResourceType.TOPIC, "kp-", ACLResourcePatternType.PREFIXED))
result = admin.create_acls([write])
print("CREATED", len(result["succeeded"]), len(result["failed"]), flush=True)
acls, error = admin.describe_acls(ACLFilter(principal=None, host=None, operation=ACLOperation.ANY,
                                            permission_type=ACLPermissionType.ANY,
                                            resource_pattern=ResourcePatternFilter(ResourceType.ANY, None, ACLResourcePatternType.ANY)))
for acl in acls:
    print("ACL", acl.principal, acl.operation.name, acl.resource_pattern.resource_type.name,
          acl.resource_pattern.pattern_type.name, acl.resource_pattern.resource_name, flush=True)
admin.close()
"""#

    @Test func aclsCreatedByKafkaPythonsAdminClientAreListedAndEnforced() async throws {
        try await AclListenerTests.withAclListener([]) { f, port, store in
            for name in ["kp-orders", "other"] { try f.engine.createTopic(name, .init(partitions: 1)) }
            let before = try await ClientProcess.run(SaslClientTests.kcat(port, "SCRAM-SHA-512") + ["-P", "-t", "kp-orders"], stdin: "x\n")
            #expect(before.stderr.contains("Topic authorization failed"), "\(before.stderr)")
            let admin = try await ClientProcess.run(["python3", "-c", Self.kafkaPythonAdmin, "127.0.0.1:\(port)", Self.password])
            #expect(admin.status == 0, "\(admin.stdout) \(admin.stderr)")
            #expect(admin.stdout.contains("CREATED 1 0"), "\(admin.stdout) \(admin.stderr)")
            #expect(admin.stdout.contains("ACL User:alice WRITE TOPIC PREFIXED kp-"), "\(admin.stdout)")
            #expect(try store.load() == [AclListenerTests.acl(.topic, "kp-", "User:alice", .write, pattern: .prefixed)])
            let after = try await ClientProcess.run(SaslClientTests.kcat(port, "SCRAM-SHA-512") + ["-P", "-t", "kp-orders"], stdin: "x\n")
            #expect(after.status == 0, "\(after.stderr)")
            #expect(try f.engine.offsets(topic: "kp-orders", partition: 0).logEnd == 1)
            let elsewhere = try await ClientProcess.run(SaslClientTests.kcat(port, "SCRAM-SHA-512") + ["-P", "-t", "other"], stdin: "x\n")
            #expect(elsewhere.stderr.contains("Topic authorization failed"), "\(elsewhere.stderr)")
        }
    }

    static let confluentAdmin = #"""
import sys
from confluent_kafka.admin import (AdminClient, AclBinding, AclBindingFilter, AclOperation, AclPermissionType,
                                   ResourcePatternType, ResourceType)
bootstrap, password = sys.argv[1:3]
admin = AdminClient({"bootstrap.servers": bootstrap, "security.protocol": "SASL_PLAINTEXT", "sasl.mechanism": "SCRAM-SHA-512",
                     "sasl.username": "admin", "sasl.password": password})
binding = AclBinding(ResourceType.TOPIC, "cf", ResourcePatternType.LITERAL, "User:alice", "*", AclOperation.WRITE,
                     AclPermissionType.ALLOW)
for b, future in admin.create_acls([binding]).items():
    future.result(timeout=20)
print("CREATED", flush=True)
everything = AclBindingFilter(ResourceType.ANY, None, ResourcePatternType.ANY, None, None, AclOperation.ANY, AclPermissionType.ANY)
for acl in admin.describe_acls(everything).result(timeout=20):
    print("ACL", acl.principal, acl.operation.name, acl.restype.name, acl.resource_pattern_type.name, acl.name, flush=True)
for f, future in admin.delete_acls([everything]).items():
    print("DELETED", len(future.result(timeout=20)), flush=True)
"""#

    @Test func aclsCreatedByConfluentsAdminClientAreListedEnforcedAndDeleted() async throws {
        try await AclListenerTests.withAclListener([AclListenerTests.acl(.topic, "cf", "User:alice", .read)]) { f, port, store in
            try f.engine.createTopic("cf", .init(partitions: 1))
            let admin = try await ClientProcess.run(["python3", "-c", Self.confluentAdmin, "127.0.0.1:\(port)", Self.password])
            #expect(admin.status == 0, "\(admin.stdout) \(admin.stderr)")
            #expect(admin.stdout.contains("CREATED"), "\(admin.stdout) \(admin.stderr)")
            #expect(admin.stdout.contains("ACL User:alice WRITE TOPIC LITERAL cf"), "\(admin.stdout)")
            #expect(admin.stdout.contains("ACL User:alice READ TOPIC LITERAL cf"), "\(admin.stdout)")
            #expect(admin.stdout.contains("DELETED 2"), "\(admin.stdout)")
            #expect(try store.load().isEmpty)
            let denied = try await ClientProcess.run(SaslClientTests.kcat(port, "SCRAM-SHA-512") + ["-P", "-t", "cf"], stdin: "x\n")
            #expect(denied.stderr.contains("Topic authorization failed"), "\(denied.stderr)")
        }
    }
}
