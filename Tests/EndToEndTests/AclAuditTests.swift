import Foundation
import Testing
import WharfTestSupport

/// Issue 18: ACL and user changes are in `<data>/audit.log` from each entry point: `wharf acl`
/// (the unix user and pid), kafka-python's CreateAcls/DeleteAcls and confluent-kafka's
/// AlterUserScramCredentials (logged in as admin over SASL) against `wharf serve --authorize` (the
/// client's address and principal), with the ACL or the credential's mechanism as before/after, never a secret.
@Suite(.serialized, .endToEnd) struct AclAuditTests {
    static let adminScript = """
        import sys
        from kafka.admin import (KafkaAdminClient, ACL, ACLFilter, ACLOperation, ACLPermissionType, ResourcePattern,
                                 ResourcePatternFilter, ResourceType, ACLResourcePatternType)
        from confluent_kafka.admin import (AdminClient, UserScramCredentialUpsertion, UserScramCredentialDeletion,
                                           ScramCredentialInfo, ScramMechanism)
        b, sasl = sys.argv[1], sys.argv[2]
        admin = KafkaAdminClient(bootstrap_servers=b)
        acl = ACL(principal="User:bob", host="*", operation=ACLOperation.READ, permission_type=ACLPermissionType.ALLOW,
                  resource_pattern=ResourcePattern(ResourceType.TOPIC, "orders"))
        created = admin.create_acls([acl])
        assert not created["failed"], created
        deleted = admin.delete_acls([ACLFilter(principal="User:bob", host="*", operation=ACLOperation.ANY,
                                               permission_type=ACLPermissionType.ANY,
                                               resource_pattern=ResourcePatternFilter(ResourceType.TOPIC, "orders",
                                                                                      ACLResourcePatternType.LITERAL))])
        assert len(deleted[0][1]) == 1, deleted
        admin.close()
        # Only an authenticated client may change SCRAM users: admin logs in with SCRAM.
        c = AdminClient({"bootstrap.servers": sasl, "security.protocol": "SASL_PLAINTEXT", "sasl.mechanism": "SCRAM-SHA-256",
                         "sasl.username": "admin", "sasl.password": "admin-pw"})
        info = ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 4096)
        for f in c.alter_user_scram_credentials([UserScramCredentialUpsertion("carol", info, b"carol-Secret-pw", b"salt-salt-salt")]).values():
            f.result()
        for f in c.alter_user_scram_credentials([UserScramCredentialDeletion("carol", ScramMechanism.SCRAM_SHA_256)]).values():
            f.result()
        print("done")
        """

    @Test func aclAndUserChangesAreAuditedFromTheCLIAndTheWire() async throws {
        let dir = TempDir()
        let d = ["--data", dir.path]
        // The CLI: the anonymous client and admin may administer the cluster; alice's ACL comes and goes.
        var r = try await WharfProcess.run(["user", "add", "admin", "--mechanism", "SCRAM-SHA-256", "--password-stdin"] + d, stdin: "admin-pw")
        #expect(r.status == 0, "\(r)")
        for (principal, operation) in [("User:ANONYMOUS", "ALTER"), ("User:ANONYMOUS", "DESCRIBE"), ("User:admin", "ALTER")] {
            r = try await WharfProcess.run(["acl", "add", "--principal", principal, "--operation", operation, "--cluster"] + d)
            #expect(r.status == 0, "\(r)")
        }
        r = try await WharfProcess.run(["acl", "add", "--principal", "User:alice", "--operation", "WRITE", "--topic", "orders", "--deny"] + d)
        #expect(r.status == 0, "\(r)")
        r = try await WharfProcess.run(["acl", "remove", "--principal", "User:alice", "--operation", "WRITE", "--topic", "orders", "--deny"] + d)
        #expect(r.status == 0, "\(r)")
        // Adding what is there changes nothing: no entry.
        r = try await WharfProcess.run(["acl", "add", "--principal", "User:ANONYMOUS", "--operation", "ALTER", "--cluster"] + d)
        #expect(r.status == 0 && r.stdout.hasPrefix("already present"), "\(r)")

        let server = try await ServeProcess.start(dataDirectory: dir.path)
        let admin = try await WharfProcess.run(["-c", Self.adminScript, server.bootstrap("PLAINTEXT"), server.bootstrap("SASL_PLAINTEXT")],
                                               executable: "/usr/bin/env", prefix: ["python3"])
        #expect(try await server.stop() == 0)
        #expect(admin.status == 0 && admin.stdout.contains("done"), "\(admin)")

        let acls = try await AuditCLITests.audit(["--action", "acl"] + d)
        #expect(acls.map(\.action) == ["acl.create", "acl.create", "acl.create", "acl.create", "acl.delete", "acl.create", "acl.delete"],
                "\(acls.map(\.action))")
        #expect(acls.map(\.target) == Array(repeating: "acl:CLUSTER:LITERAL:kafka-cluster", count: 3) + Array(repeating: "acl:TOPIC:LITERAL:orders", count: 4))
        #expect(acls.allSatisfy { $0.result == "ok" })
        guard acls.count == 7 else { return }
        #expect(acls[2].after == ["principal": "User:admin", "host": "*", "operation": "ALTER", "permission": "ALLOW"])
        for e in acls.prefix(5) {
            #expect(e.actor.kind == "process" && e.actor.process == "wharf acl" && e.actor.pid != nil && e.actor.user != nil, "\(e.actor)")
        }
        let alice = ["principal": "User:alice", "host": "*", "operation": "WRITE", "permission": "DENY"]
        #expect(acls[3].before == nil && acls[3].after == alice)
        #expect(acls[4].before == alice && acls[4].after == nil)
        let bob = ["principal": "User:bob", "host": "*", "operation": "READ", "permission": "ALLOW"]
        #expect(acls[5].before == nil && acls[5].after == bob)
        #expect(acls[6].before == bob && acls[6].after == nil)
        for e in acls.suffix(2) {
            #expect(e.actor.kind == "client" && e.actor.principal == "User:ANONYMOUS" && e.actor.address?.hasPrefix("127.0.0.1:") == true,
                    "\(e.actor)")
        }

        // admin by the CLI, then carol over the wire by admin.
        let users = try await AuditCLITests.audit(["--action", "user"] + d)
        #expect(users.map(\.action) == ["user.upsert", "user.upsert", "user.delete"], "\(users.map(\.action))")
        #expect(users.first?.target == "user:admin" && users.first?.actor.process == "wharf user")
        let wire = users.dropFirst()
        #expect(wire.allSatisfy { $0.target == "user:carol" && $0.result == "ok" && $0.actor.kind == "client" })
        #expect(wire.allSatisfy { $0.actor.principal == "User:admin" && $0.actor.address?.hasPrefix("127.0.0.1:") == true })
        #expect(wire.first?.after == ["SCRAM-SHA-256": "4096 iterations"] && wire.last?.after == nil)
        let raw = try String(contentsOfFile: dir.path + "/audit.log", encoding: .utf8)
        #expect(!raw.contains("carol-Secret-pw") && !raw.contains("salt-salt"))
    }
}
