import Foundation
import KafkaProtocol
import Logging
import Synchronization
import Testing
import WharfAuth
import WharfCore
import WharfEngine
@testable import WharfKafkaServer

/// `--authorize` through the listener with raw frames: SASL users (alice, bob, admin) log in
/// over SASL_PLAINTEXT and get Kafka's authorization errors for what their ACLs do not allow;
/// the ACL APIs need the cluster, answer SECURITY_DISABLED without an authorizer, and are
/// refused on a read-only listener. Real clients: AclClientTests.
@Suite(.serialized) struct AclListenerTests {
    static func acl(_ type: AclResourceType, _ name: String, _ principal: String, _ operation: AclOperation,
                    _ permission: AclPermission = .allow, pattern: AclPatternType = .literal) -> AclBinding {
        AclBinding(resourceType: type, resourceName: name, patternType: pattern, principal: principal, operation: operation, permission: permission)
    }

    /// A SASL_PLAINTEXT listener with `--authorize` on `acls`; alice, bob and admin (a super user)
    /// have SCRAM-SHA-512 and PLAIN credentials with `SaslListenerTests.password`.
    static func withAclListener(_ acls: [AclBinding], authorize: Bool = true, readOnly: Bool = false,
                                _ body: (KafkaBrokerTests.Fixture, Int, AclStore) async throws -> Void) async throws {
        let directory = NSTemporaryDirectory() + "wharf-acl-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let users = UserStore(dataDirectory: directory)
        var database = UserDatabase()
        for user in ["alice", "bob", "admin"] {
            for mechanism in [SaslMechanism.scramSha512, .plain] {
                database.users[user, default: [:]][mechanism] = ScramCredential(password: Array(SaslListenerTests.password.utf8), hash: mechanism.hash)
            }
        }
        try users.save(database)
        let store = AclStore(dataDirectory: directory)
        try store.update { (stored: inout [AclBinding]) throws(WharfError) in stored = acls }
        try await ListenerLimitsTests.withListener({
            $0.listeners = [KafkaListenerAddress(security: .saslPlaintext, host: "127.0.0.1", port: 0)]
            $0.users = users
            $0.readOnly = readOnly
            if authorize { $0.authorization = KafkaAuthorization(store: store, superUsers: ["User:admin"]) }
        }) { f, _, port in
            try await body(f, port, store)
        }
    }

    static func login(_ port: Int, as user: String) async throws -> RawKafkaSocket {
        let client = try await RawKafkaSocket.connect(port: port)
        let done = try await SaslListenerTests.scramLogin(client, mechanism: .scramSha512, user: user)
        #expect(done.errorCode == 0)
        return client
    }

    static func produceCode(_ client: RawKafkaSocket, _ topic: String, id: Int32) async throws -> Int16? {
        guard case .produce(let r) = try await client.roundTrip(KafkaBrokerTests.produce(topic, KafkaBrokerTests.batch(values: ["v"])),
                                                               version: 7, correlationId: id) else { return nil }
        return r.responses.first { $0.name == topic }?.partitionResponses.first?.errorCode
    }

    @Test func writeIsRefusedWithTopicAuthorizationFailedWhileReadWorks() async throws {
        try await Self.withAclListener([Self.acl(.topic, "t", "User:alice", .read)]) { f, port, _ in
            try f.engine.createTopic("t", .init(partitions: 1))
            try f.engine.produce(topic: "t", records: [Record(key: nil, value: "kept")], partition: 0)
            let alice = try await Self.login(port, as: "alice")
            defer { alice.close() }
            #expect(try await Self.produceCode(alice, "t", id: 10) == KafkaError.topicAuthorizationFailed)
            #expect(try f.engine.offsets(topic: "t", partition: 0).logEnd == 1)
            guard case .fetch(let fetched) = try await alice.roundTrip(ListenerLimitsTests.fetch([0]), version: 4, correlationId: 11) else {
                Issue.record("not a Fetch answer")
                return
            }
            #expect(fetched.responses.first?.partitions.first?.errorCode == 0)
            let records = try RecordBatchReader.records(in: fetched.responses.first?.partitions.first?.records ?? [])
            #expect(records.map { String(decoding: $0.value ?? [], as: UTF8.self) } == ["kept"])
            // bob has no ACL at all: no read either.
            let bob = try await Self.login(port, as: "bob")
            defer { bob.close() }
            guard case .fetch(let refused) = try await bob.roundTrip(ListenerLimitsTests.fetch([0]), version: 4, correlationId: 12) else {
                Issue.record("not a Fetch answer")
                return
            }
            #expect(refused.responses.first?.partitions.first?.errorCode == KafkaError.topicAuthorizationFailed)
        }
    }

    @Test func metadataListsOnlyDescribableTopicsAndAutoCreationNeedsCreate() async throws {
        // Kafka creates only what the principal may both describe and create.
        let acls = [Self.acl(.topic, "visible", "User:alice", .describe), Self.acl(.topic, "new-", "User:alice", .create, pattern: .prefixed),
                    Self.acl(.topic, "new-", "User:alice", .describe, pattern: .prefixed), Self.acl(.topic, "other", "User:alice", .describe)]
        try await Self.withAclListener(acls) { f, port, _ in
            for name in ["visible", "hidden"] { try f.engine.createTopic(name, .init(partitions: 1)) }
            let alice = try await Self.login(port, as: "alice")
            defer { alice.close() }
            guard case .metadata(let all) = try await alice.roundTrip(.metadata(MetadataRequest(topics: nil)), version: 8, correlationId: 10) else {
                Issue.record("not a Metadata answer")
                return
            }
            #expect(all.topics.compactMap(\.name) == ["visible"])
            let named = MetadataRequest(topics: ["visible", "hidden", "other", "new-one"].map { .init(name: $0) }, allowAutoTopicCreation: true)
            guard case .metadata(let some) = try await alice.roundTrip(.metadata(named), version: 8, correlationId: 11) else {
                Issue.record("not a Metadata answer")
                return
            }
            let codes = Dictionary(uniqueKeysWithValues: some.topics.map { ($0.name ?? "", $0.errorCode) })
            #expect(codes == ["visible": 0, "hidden": KafkaError.topicAuthorizationFailed, "other": KafkaError.topicAuthorizationFailed,
                              "new-one": 0])
            #expect(Set(f.engine.listTopics(includeInternal: false)) == ["visible", "hidden", "new-one"])
        }
    }

    @Test func superUsersPassDenyBeatsAllowAndPrefixesMatch() async throws {
        let acls = [Self.acl(.topic, "pay-", "User:bob", .all, pattern: .prefixed), Self.acl(.topic, "pay-secret", "User:bob", .write, .deny),
                    Self.acl(.topic, "*", "User:*", .all, .deny)]
        try await Self.withAclListener(acls) { f, port, _ in
            for name in ["pay-in", "pay-secret", "other"] { try f.engine.createTopic(name, .init(partitions: 1)) }
            let bob = try await Self.login(port, as: "bob")
            defer { bob.close() }
            // The DENY of everything to User:* beats bob's prefixed ALLOW too.
            #expect(try await Self.produceCode(bob, "pay-in", id: 10) == KafkaError.topicAuthorizationFailed)
            let admin = try await Self.login(port, as: "admin")
            defer { admin.close() }
            #expect(try await Self.produceCode(admin, "pay-secret", id: 10) == 0)
            #expect(try await Self.produceCode(admin, "other", id: 11) == 0)
        }
        try await Self.withAclListener(Array(acls.dropLast())) { f, port, _ in
            for name in ["pay-in", "pay-secret", "payroll"] { try f.engine.createTopic(name, .init(partitions: 1)) }
            let bob = try await Self.login(port, as: "bob")
            defer { bob.close() }
            #expect(try await Self.produceCode(bob, "pay-in", id: 10) == 0)
            #expect(try await Self.produceCode(bob, "pay-secret", id: 11) == KafkaError.topicAuthorizationFailed)
            #expect(try await Self.produceCode(bob, "payroll", id: 12) == KafkaError.topicAuthorizationFailed)
            // One request, two topics: the allowed one is written, the other refused.
            let both = ProduceRequest(acks: -1, timeoutMs: 1000, topicData: ["pay-in", "pay-secret"].map {
                .init(name: $0, partitionData: [.init(index: 0, records: KafkaBrokerTests.batch(values: ["x"]))])
            })
            guard case .produce(let mixed) = try await bob.roundTrip(.produce(both), version: 7, correlationId: 13) else {
                Issue.record("not a Produce answer")
                return
            }
            let codes = Dictionary(uniqueKeysWithValues: mixed.responses.map { ($0.name, $0.partitionResponses.first?.errorCode) })
            #expect(codes == ["pay-in": 0, "pay-secret": KafkaError.topicAuthorizationFailed])
            #expect(try f.engine.offsets(topic: "pay-in", partition: 0).logEnd == 2)
            #expect(try f.engine.offsets(topic: "pay-secret", partition: 0).logEnd == 0)
        }
    }

    @Test func groupApisNeedReadOnTheGroupAndListGroupsFilters() async throws {
        let acls = [Self.acl(.group, "mine", "User:alice", .read), Self.acl(.topic, "t", "User:alice", .read)]
        try await Self.withAclListener(acls) { f, port, _ in
            try f.engine.createTopic("t", .init(partitions: 1))
            let alice = try await Self.login(port, as: "alice")
            defer { alice.close() }
            let join = JoinGroupRequest(groupId: "theirs", sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, memberId: "",
                                        protocolType: "consumer", protocols: [.init(name: "range", metadata: [])])
            guard case .joinGroup(let joined) = try await alice.roundTrip(.joinGroup(join), version: 5, correlationId: 10) else {
                Issue.record("not a JoinGroup answer")
                return
            }
            #expect(joined.errorCode == KafkaError.groupAuthorizationFailed)
            let commit = { (group: String) in OffsetCommitRequest(groupId: group, generationIdOrMemberEpoch: -1, memberId: "",
                                                                   topics: [.init(name: "t", partitions: [.init(partitionIndex: 0, committedOffset: 0)])]) }
            guard case .offsetCommit(let refused) = try await alice.roundTrip(.offsetCommit(commit("theirs")), version: 7, correlationId: 11),
                  case .offsetCommit(let accepted) = try await alice.roundTrip(.offsetCommit(commit("mine")), version: 7, correlationId: 12)
            else {
                Issue.record("not OffsetCommit answers")
                return
            }
            #expect(refused.topics.first?.partitions.first?.errorCode == KafkaError.groupAuthorizationFailed)
            #expect(accepted.topics.first?.partitions.first?.errorCode == 0)
            let admin = try await Self.login(port, as: "admin")
            defer { admin.close() }
            _ = try await admin.roundTrip(.offsetCommit(commit("theirs")), version: 7, correlationId: 10)
            guard case .listGroups(let listed) = try await alice.roundTrip(.listGroups(ListGroupsRequest()), version: 2, correlationId: 13),
                  case .listGroups(let everything) = try await admin.roundTrip(.listGroups(ListGroupsRequest()), version: 2, correlationId: 11)
            else {
                Issue.record("not ListGroups answers")
                return
            }
            #expect(listed.groups.map(\.groupId) == ["mine"])
            #expect(Set(everything.groups.map(\.groupId)) == ["mine", "theirs"])
            guard case .deleteGroups(let deleted) = try await alice.roundTrip(.deleteGroups(DeleteGroupsRequest(groupsNames: ["mine"])), version: 1, correlationId: 14)
            else {
                Issue.record("not a DeleteGroups answer")
                return
            }
            #expect(deleted.results.first?.errorCode == KafkaError.groupAuthorizationFailed)  // READ is not DELETE
        }
    }

    @Test func aclApisNeedTheClusterAndCreatedAclsApplyAtOnce() async throws {
        try await Self.withAclListener([]) { f, port, store in
            try f.engine.createTopic("t", .init(partitions: 1))
            let alice = try await Self.login(port, as: "alice")
            defer { alice.close() }
            let allowAlice = CreateAclsRequest(creations: [.init(resourceType: 2, resourceName: "t", resourcePatternType: 3,
                                                                 principal: "User:alice", host: "*", operation: 4, permissionType: 3)])
            guard case .createAcls(let refused) = try await alice.roundTrip(.createAcls(allowAlice), version: 3, correlationId: 10) else {
                Issue.record("not a CreateAcls answer")
                return
            }
            #expect(refused.results.map(\.errorCode) == [KafkaError.clusterAuthorizationFailed])
            #expect(try await Self.produceCode(alice, "t", id: 11) == KafkaError.topicAuthorizationFailed)

            let admin = try await Self.login(port, as: "admin")
            defer { admin.close() }
            var withBad = allowAlice
            withBad.creations.append(.init(resourceType: 4, resourceName: "prod", resourcePatternType: 3, principal: "User:alice",
                                           host: "*", operation: 7, permissionType: 3))
            withBad.creations.append(.init(resourceType: 1, resourceName: "t", resourcePatternType: 3, principal: "User:alice",
                                           host: "*", operation: 4, permissionType: 3))
            guard case .createAcls(let created) = try await admin.roundTrip(.createAcls(withBad), version: 3, correlationId: 10) else {
                Issue.record("not a CreateAcls answer")
                return
            }
            #expect(created.results.map(\.errorCode) == [0, KafkaError.invalidRequest, KafkaError.invalidRequest])
            #expect(try store.load() == [Self.acl(.topic, "t", "User:alice", .write)])
            #expect(try await Self.produceCode(alice, "t", id: 12) == 0)

            let any = DescribeAclsRequest(resourceTypeFilter: 1, resourceNameFilter: nil, patternTypeFilter: 1, principalFilter: nil,
                                          hostFilter: nil, operation: 1, permissionType: 1)
            for version: Int16 in [1, 3] {
                guard case .describeAcls(let described) = try await admin.roundTrip(.describeAcls(any), version: version, correlationId: 11) else {
                    Issue.record("not a DescribeAcls answer")
                    return
                }
                #expect(described.errorCode == 0)
                #expect(described.resources.map(\.resourceName) == ["t"])
                #expect(described.resources.first?.acls.map(\.principal) == ["User:alice"])
            }
            guard case .describeAcls(let aliceLooks) = try await alice.roundTrip(.describeAcls(any), version: 3, correlationId: 13) else {
                Issue.record("not a DescribeAcls answer")
                return
            }
            #expect(aliceLooks.errorCode == KafkaError.clusterAuthorizationFailed)

            let remove = DeleteAclsRequest(filters: [.init(resourceTypeFilter: 2, resourceNameFilter: "t", patternTypeFilter: 1,
                                                           principalFilter: nil, hostFilter: nil, operation: 1, permissionType: 1)])
            guard case .deleteAcls(let removed) = try await admin.roundTrip(.deleteAcls(remove), version: 3, correlationId: 12) else {
                Issue.record("not a DeleteAcls answer")
                return
            }
            #expect(removed.filterResults.first?.matchingAcls.map(\.principal) == ["User:alice"])
            #expect(try store.load().isEmpty)
            #expect(try await Self.produceCode(alice, "t", id: 14) == KafkaError.topicAuthorizationFailed)
        }
    }

    @Test func withoutAuthorizeTheAclApisAnswerSecurityDisabled() async throws {
        try await Self.withAclListener([], authorize: false) { _, port, _ in
            let admin = try await Self.login(port, as: "admin")
            defer { admin.close() }
            let any = DescribeAclsRequest(resourceTypeFilter: 1, resourceNameFilter: nil, patternTypeFilter: 1, principalFilter: nil,
                                          hostFilter: nil, operation: 1, permissionType: 1)
            guard case .describeAcls(let described) = try await admin.roundTrip(.describeAcls(any), version: 3, correlationId: 10) else {
                Issue.record("not a DescribeAcls answer")
                return
            }
            #expect(described.errorCode == KafkaError.securityDisabled)
        }
    }

    @Test func aReadOnlyListenerRefusesTheAclWrites() async throws {
        try await Self.withAclListener([Self.acl(.topic, "t", "User:alice", .read)], readOnly: true) { _, port, store in
            let admin = try await Self.login(port, as: "admin")
            defer { admin.close() }
            let create = CreateAclsRequest(creations: [.init(resourceType: 2, resourceName: "x", resourcePatternType: 3,
                                                             principal: "User:bob", host: "*", operation: 3, permissionType: 3)])
            let delete = DeleteAclsRequest(filters: [.init(resourceTypeFilter: 1, resourceNameFilter: nil, patternTypeFilter: 1,
                                                           principalFilter: nil, hostFilter: nil, operation: 1, permissionType: 1)])
            guard case .createAcls(let created) = try await admin.roundTrip(.createAcls(create), version: 2, correlationId: 10),
                  case .deleteAcls(let deleted) = try await admin.roundTrip(.deleteAcls(delete), version: 2, correlationId: 11)
            else {
                Issue.record("not CreateAcls/DeleteAcls answers")
                return
            }
            #expect(created.results.map(\.errorCode) == [KafkaError.clusterAuthorizationFailed])
            #expect(deleted.filterResults.map(\.errorCode) == [KafkaError.clusterAuthorizationFailed])
            #expect(try store.load() == [Self.acl(.topic, "t", "User:alice", .read)])
        }
    }

    @Test func aclHostsAreComparedWithTheClientsAddress() async throws {
        let acls = [AclBinding(resourceType: .topic, resourceName: "here", principal: "User:alice", host: "127.0.0.1", operation: .write),
                    AclBinding(resourceType: .topic, resourceName: "there", principal: "User:alice", host: "10.0.0.1", operation: .write)]
        try await Self.withAclListener(acls) { f, port, _ in
            for name in ["here", "there"] { try f.engine.createTopic(name, .init(partitions: 1)) }
            let alice = try await Self.login(port, as: "alice")
            defer { alice.close() }
            #expect(try await Self.produceCode(alice, "here", id: 10) == 0)
            #expect(try await Self.produceCode(alice, "there", id: 11) == KafkaError.topicAuthorizationFailed)
        }
    }

    /// Denials go to the security log with principal, client address, operation and resource;
    /// ACL hosts are compared with the client's IP address.
    @Test func denialsAreLoggedAndHostsMatchTheClientAddress() async throws {
        let f = try KafkaBrokerTests.Fixture()
        try f.engine.createTopic("t", .init(partitions: 1))
        let directory = NSTemporaryDirectory() + "wharf-acl-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = AclStore(dataDirectory: directory)
        try store.update { (acls: inout [AclBinding]) throws(WharfError) in
            acls = [AclBinding(resourceType: .topic, resourceName: "t", principal: "User:alice", host: "10.1.2.3", operation: .write)]
        }
        var configuration = KafkaServer.Configuration()
        configuration.authorization = KafkaAuthorization(store: store)
        let lines = LoggedEvents()
        let broker = KafkaBroker(engine: f.engine, configuration: configuration, logger: Logger(label: "test") { _ in lines })
        func produce(from peer: String) async throws -> Int16? {
            var session = ConnectionSession(peer: peer)
            session.saslPrincipal = "User:alice"
            let payload = Array(RawKafkaSocket.request(KafkaBrokerTests.produce("t", KafkaBrokerTests.batch(values: ["x"])), version: 7).dropFirst(4))
            guard case .respond(let frame) = await broker.handle(payload, session: &session),
                  case .produce(let r) = try KafkaResponse.decode(Array(frame.dropFirst(4)), apiKey: .produce, version: 7).body else { return nil }
            return r.responses.first?.partitionResponses.first?.errorCode
        }
        #expect(try await produce(from: "[IPv4]10.1.2.3/10.1.2.3:50000") == 0)
        #expect(try await produce(from: "[IPv4]10.1.2.3:50002") == 0)
        #expect(lines.events.isEmpty)
        #expect(try await produce(from: "[IPv4]10.9.9.9/10.9.9.9:50001") == KafkaError.topicAuthorizationFailed)
        let denial = lines.events.first { $0.message == "authorization denied" }
        #expect(denial?.metadata["principal"] == "User:alice")
        #expect(denial?.metadata["peer"] == "[IPv4]10.9.9.9/10.9.9.9:50001")
        #expect(denial?.metadata["operation"] == "WRITE")
        #expect(denial?.metadata["resource"] == "TOPIC:t")
    }
}

/// The events logged through it, with their metadata.
struct LoggedEvents: LogHandler {
    struct Event: Sendable {
        var message: String
        var metadata: [String: String]
    }

    private final class Sink: Sendable {
        let events = Mutex<[Event]>([])
    }

    private let sink = Sink()
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    var events: [Event] { sink.events.withLock { $0 } }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let flat = (event.metadata ?? [:]).mapValues { "\($0)" }
        sink.events.withLock { $0.append(Event(message: "\(event.message)", metadata: flat)) }
    }
}

