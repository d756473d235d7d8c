import Testing
import WharfCore
@testable import WharfAuth

/// Kafka's authorization rule as a table: implied operations, DENY over ALLOW, prefixes,
/// wildcards (name, principal, host), super users and allow.everyone.if.no.acl.found.
@Suite struct AclAuthorizerTests {
    static func acl(_ type: AclResourceType, _ name: String, _ principal: String, _ operation: AclOperation,
                    _ permission: AclPermission = .allow, pattern: AclPatternType = .literal, host: String = "*") -> AclBinding {
        AclBinding(resourceType: type, resourceName: name, patternType: pattern, principal: principal, host: host,
                   operation: operation, permission: permission)
    }

    static let acls = [
        acl(.topic, "orders", "User:alice", .read),
        acl(.topic, "orders", "User:alice", .alterConfigs),
        acl(.topic, "pay-", "User:bob", .all, pattern: .prefixed),
        acl(.topic, "pay-secret", "User:bob", .write, .deny),
        acl(.topic, "public", "User:*", .describe),
        acl(.topic, "*", "User:carol", .write, host: "10.0.0.1"),
        acl(.topic, "orders", "User:eve", .read),
        acl(.topic, "orders", "User:eve", .all, .deny),
        acl(.group, "locked", "User:*", .read, .deny),
        acl(.group, "locked", "User:alice", .read),
        acl(.group, "app-", "User:alice", .read, pattern: .prefixed),
        acl(.cluster, "kafka-cluster", "User:ops", .alter),
    ]

    struct Case: CustomTestStringConvertible, Sendable {
        var principal: String
        var host = "127.0.0.1"
        var operation: AclOperation
        var type: AclResourceType = .topic
        var name: String
        var allowed: Bool
        var testDescription: String { "\(principal)@\(host) \(operation.name) \(type.name):\(name) -> \(allowed)" }
    }

    static let cases: [Case] = [
        Case(principal: "User:alice", operation: .read, name: "orders", allowed: true),
        Case(principal: "User:alice", operation: .describe, name: "orders", allowed: true),  // READ implies DESCRIBE
        Case(principal: "User:alice", operation: .write, name: "orders", allowed: false),
        Case(principal: "User:alice", operation: .describeConfigs, name: "orders", allowed: true),  // ALTER_CONFIGS implies it
        Case(principal: "User:alice", operation: .alter, name: "orders", allowed: false),
        Case(principal: "User:bob", operation: .write, name: "pay-in", allowed: true),  // prefixed ALL
        Case(principal: "User:bob", operation: .write, name: "pay-secret", allowed: false),  // DENY wins
        Case(principal: "User:bob", operation: .read, name: "pay-secret", allowed: true),  // the DENY is for WRITE only
        Case(principal: "User:bob", operation: .describe, name: "pay-secret", allowed: true),  // a DENY does not spread
        Case(principal: "User:bob", operation: .write, name: "payroll", allowed: false),  // "pay-" is not a prefix of it
        Case(principal: "User:dave", operation: .describe, name: "public", allowed: true),  // User:*
        Case(principal: "User:dave", operation: .read, name: "public", allowed: false),
        Case(principal: "User:carol", host: "10.0.0.1", operation: .write, name: "anything", allowed: true),  // literal *
        Case(principal: "User:carol", host: "10.0.0.2", operation: .write, name: "anything", allowed: false),  // other host
        Case(principal: "User:eve", operation: .read, name: "orders", allowed: false),  // DENY ALL beats ALLOW READ
        Case(principal: "User:alice", operation: .read, type: .group, name: "locked", allowed: false),  // DENY User:* wins
        Case(principal: "User:alice", operation: .read, type: .group, name: "app-1", allowed: true),
        Case(principal: "User:alice", operation: .describe, type: .group, name: "app-1", allowed: true),
        Case(principal: "User:alice", operation: .delete, type: .group, name: "app-1", allowed: false),
        Case(principal: "User:alice", operation: .read, type: .group, name: "free", allowed: false),  // no ACL: closed
        Case(principal: "User:ops", operation: .alter, type: .cluster, name: "kafka-cluster", allowed: true),
        Case(principal: "User:ops", operation: .describe, type: .cluster, name: "kafka-cluster", allowed: true),
        Case(principal: "User:alice", operation: .alter, type: .cluster, name: "kafka-cluster", allowed: false),
        Case(principal: "User:admin", operation: .write, name: "pay-secret", allowed: true),  // super user
        Case(principal: "User:admin", operation: .read, type: .group, name: "locked", allowed: true),
    ]

    @Test(arguments: cases) func decides(_ c: Case) {
        let authorizer = AclAuthorizer(acls: Self.acls, superUsers: ["User:admin"])
        #expect(authorizer.isAllowed(principal: c.principal, host: c.host, operation: c.operation, on: c.type, named: c.name) == c.allowed)
    }

    @Test func aResourceNoAclMentionsFollowsAllowEveryoneIfNoAclFound() {
        var authorizer = AclAuthorizer(acls: Self.acls)
        #expect(authorizer.decide(principal: "User:x", host: "h", operation: .read, on: .group, named: "free") == .noAclFound(allowed: false))
        authorizer.allowEveryoneIfNoAclFound = true
        #expect(authorizer.isAllowed(principal: "User:x", host: "h", operation: .read, on: .group, named: "free"))
        // Any ACL on the resource, for anyone, ends the open door (Kafka's rule).
        #expect(!authorizer.isAllowed(principal: "User:x", host: "h", operation: .read, on: .group, named: "app-1"))
        #expect(!authorizer.isAllowed(principal: "User:x", host: "h", operation: .read, on: .topic, named: "orders"))
    }

    @Test func denialsNameTheAclThatDenied() {
        let authorizer = AclAuthorizer(acls: Self.acls)
        #expect(authorizer.decide(principal: "User:bob", host: "h", operation: .write, on: .topic, named: "pay-secret")
            == .deniedBy(Self.acl(.topic, "pay-secret", "User:bob", .write, .deny)))
        #expect(authorizer.decide(principal: "User:alice", host: "h", operation: .write, on: .topic, named: "orders") == .noAllowingAcl)
    }

    @Test func writeOnSomeTopicIsWhatAnIdempotentProducerNeeds() {
        let authorizer = AclAuthorizer(acls: Self.acls)
        #expect(authorizer.mayOnSomeResource(principal: "User:bob", host: "h", operation: .write, of: .topic))
        #expect(authorizer.mayOnSomeResource(principal: "User:carol", host: "10.0.0.1", operation: .write, of: .topic))
        #expect(!authorizer.mayOnSomeResource(principal: "User:carol", host: "10.0.0.2", operation: .write, of: .topic))
        #expect(!authorizer.mayOnSomeResource(principal: "User:alice", host: "h", operation: .write, of: .topic))
        let cancelled = AclAuthorizer(acls: [Self.acl(.topic, "a", "User:z", .write), Self.acl(.topic, "*", "User:z", .write, .deny)])
        #expect(!cancelled.mayOnSomeResource(principal: "User:z", host: "h", operation: .write, of: .topic))
        let byPrefix = AclAuthorizer(acls: [Self.acl(.topic, "ab", "User:z", .write), Self.acl(.topic, "a", "User:z", .write, .deny, pattern: .prefixed)])
        #expect(!byPrefix.mayOnSomeResource(principal: "User:z", host: "h", operation: .write, of: .topic))
    }

    @Test func filtersMatchAsKafkasDo() throws {
        let matchPayIn = AclBindingFilter(resourceType: .topic, resourceName: "pay-in", pattern: .match)
        #expect(Set(Self.acls.filter(matchPayIn.matches)) == [Self.acl(.topic, "pay-", "User:bob", .all, pattern: .prefixed),
                                                               Self.acl(.topic, "*", "User:carol", .write, host: "10.0.0.1")])
        let anyOrders = AclBindingFilter(resourceName: "orders")
        #expect(Self.acls.filter(anyOrders.matches).count == 4)
        let prefixedOnly = AclBindingFilter(pattern: .exactly(.prefixed))
        #expect(Self.acls.filter(prefixedOnly.matches).count == 2)
        let denies = AclBindingFilter(permission: .deny)
        #expect(Self.acls.filter(denies.matches).count == 3)
        #expect(Self.acls.filter(AclBindingFilter.all.matches).count == Self.acls.count)
        let wire = try AclBindingFilter(wireResourceType: 1, resourceName: nil, wirePatternType: 1, principal: "User:alice", host: nil,
                                        wireOperation: 1, wirePermission: 1)
        #expect(Self.acls.filter(wire.matches).count == 4)
        for (type, pattern, operation, permission): (Int8, Int8, Int8, Int8) in [(0, 1, 1, 1), (9, 1, 1, 1), (1, 0, 1, 1), (1, 7, 1, 1), (1, 1, 0, 1), (1, 1, 40, 1), (1, 1, 1, 0), (1, 1, 1, -3)] {
            #expect(throws: WharfError.self) {
                try AclBindingFilter(wireResourceType: type, resourceName: nil, wirePatternType: pattern, principal: nil, host: nil,
                                     wireOperation: operation, wirePermission: permission)
            }
        }
    }

    @Test func onlyWellFormedAclsAreAccepted() throws {
        _ = try Self.acl(.topic, "orders", "User:alice", .read).validated()
        _ = try Self.acl(.cluster, "kafka-cluster", "User:alice", .alter).validated()
        for bad in [Self.acl(.topic, "orders", "alice", .read), Self.acl(.topic, "orders", "User:", .read),
                    Self.acl(.topic, "", "User:a", .read), Self.acl(.cluster, "prod", "User:a", .alter),
                    Self.acl(.topic, "*", "User:a", .read, pattern: .prefixed), Self.acl(.topic, "a", "User:a", .read, host: ""),
                    Self.acl(.topic, "a\u{1}b", "User:a", .read)] {
            #expect(throws: WharfError.self) { try bad.validated() }
        }
    }

    @Test func namesRoundTrip() {
        for op in AclOperation.allCases { #expect(AclOperation(name: op.name) == op) }
        #expect(AclOperation(name: "describe-configs") == .describeConfigs)
        for t in AclResourceType.allCases { #expect(AclResourceType(name: t.name.lowercased()) == t) }
        #expect(AclOperation(name: "ANY") == nil)
    }
}
