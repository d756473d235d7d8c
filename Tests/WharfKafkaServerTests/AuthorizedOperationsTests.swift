import KafkaProtocol
import Testing
import WharfAuth
import WharfCore
@testable import WharfKafkaServer

/// KIP-430 through the listener with raw frames: Metadata, DescribeCluster and DescribeGroups
/// tell a client that asks which operations it may perform (librdkafka 2.15's 0081 asks with
/// `include_authorized_operations`): every operation of the resource type without an
/// authorizer, those its ACLs allow with `--authorize`, and Kafka's INT32_MIN when not asked.
@Suite(.serialized) struct AuthorizedOperationsTests {
    static func bits(_ operations: [AclOperation]) -> Int32 {
        operations.reduce(0) { $0 | (1 << Int32($1.rawValue)) }
    }

    static let allTopic = bits([.read, .write, .create, .delete, .alter, .describe, .describeConfigs, .alterConfigs])
    static let allCluster = bits([.create, .clusterAction, .describeConfigs, .alterConfigs, .idempotentWrite, .alter, .describe])
    static let allGroup = bits([.read, .describe, .delete])

    /// (topic "t", cluster from Metadata, cluster from DescribeCluster, group "g")
    static func ask(_ client: RawKafkaSocket, include: Bool) async throws -> (Int32?, Int32?, Int32?, Int32?) {
        let metadata = MetadataRequest(topics: [.init(name: "t")], allowAutoTopicCreation: false,
                                       includeClusterAuthorizedOperations: include, includeTopicAuthorizedOperations: include)
        guard case .metadata(let m) = try await client.roundTrip(.metadata(metadata), version: 9, correlationId: 11) else { return (nil, nil, nil, nil) }
        guard case .describeCluster(let c) = try await client.roundTrip(.describeCluster(DescribeClusterRequest(includeClusterAuthorizedOperations: include)),
                                                                       version: 0, correlationId: 12) else { return (nil, nil, nil, nil) }
        guard case .describeGroups(let g) = try await client.roundTrip(.describeGroups(DescribeGroupsRequest(groups: ["g"], includeAuthorizedOperations: include)),
                                                                      version: 3, correlationId: 13) else { return (nil, nil, nil, nil) }
        #expect(m.topics.first?.errorCode == 0 && g.groups.first?.errorCode == 0)
        return (m.topics.first?.topicAuthorizedOperations, m.clusterAuthorizedOperations, c.clusterAuthorizedOperations, g.groups.first?.authorizedOperations)
    }

    @Test func withoutAnAuthorizerEveryOperationOfTheResourceTypeIsAuthorized() async throws {
        try await ListenerLimitsTests.withListener { f, _, port in
            try f.engine.createTopic("t", .init(partitions: 1))
            let client = try await RawKafkaSocket.connect(port: port)
            defer { client.close() }
            let asked = try await Self.ask(client, include: true)
            #expect(asked.0 == Self.allTopic && Self.allTopic == 3576)
            #expect(asked.1 == Self.allCluster && asked.2 == Self.allCluster && Self.allCluster == 8096)
            #expect(asked.3 == Self.allGroup && Self.allGroup == 328)
            let notAsked = try await Self.ask(client, include: false)
            #expect([notAsked.0, notAsked.1, notAsked.2, notAsked.3] == [Int32.min, Int32.min, Int32.min, Int32.min])
        }
    }

    @Test func withAnAuthorizerTheOperationsThePrincipalsAclsAllow() async throws {
        let acls = [AclListenerTests.acl(.topic, "t", "User:alice", .read), AclListenerTests.acl(.group, "g", "User:alice", .describe),
                    AclListenerTests.acl(.cluster, AclBinding.clusterName, "User:alice", .describe)]  // DescribeCluster needs it
        try await AclListenerTests.withAclListener(acls) { f, port, _ in
            try f.engine.createTopic("t", .init(partitions: 1))
            let alice = try await AclListenerTests.login(port, as: "alice")
            defer { alice.close() }
            let asked = try await Self.ask(alice, include: true)
            #expect(asked.0 == Self.bits([.read, .describe]), "READ implies DESCRIBE")
            #expect(asked.1 == Self.bits([.describe]) && asked.2 == Self.bits([.describe]))
            #expect(asked.3 == Self.bits([.describe]))
            let admin = try await AclListenerTests.login(port, as: "admin")
            defer { admin.close() }
            let superUser = try await Self.ask(admin, include: true)
            #expect(superUser.0 == Self.allTopic && superUser.1 == Self.allCluster && superUser.3 == Self.allGroup)
        }
    }
}
