import Foundation
import KafkaProtocol
import Testing
import WharfAuth
@testable import WharfKafkaServer

/// `--authorize` on the Kafka 3.x admin APIs (`KafkaBroker+AuthorizationConfigs.swift`): a
/// principal changes only what its ACLs allow; the rest of the request is answered
/// TOPIC_AUTHORIZATION_FAILED and changes nothing.
@Suite(.serialized) struct AclAdminApiTests {
    @Test func createPartitionsAndConfigChangesNeedTheirOperationOnTheTopic() async throws {
        let acls = [AclListenerTests.acl(.topic, "mine", "User:alice", .alter),
                    AclListenerTests.acl(.topic, "mine", "User:alice", .alterConfigs)]
        try await AclListenerTests.withAclListener(acls) { f, port, _ in
            try f.engine.createTopic("mine", .init(partitions: 1))
            try f.engine.createTopic("theirs", .init(partitions: 1))
            let alice = try await AclListenerTests.login(port, as: "alice")

            var grow = CreatePartitionsRequest()
            grow.timeoutMs = 5_000
            grow.topics = ["mine", "theirs"].map { name in
                var t = CreatePartitionsRequest.CreatePartitionsTopic()
                t.name = name
                t.count = 2
                t.assignments = nil
                return t
            }
            guard case .createPartitions(let grown) = try await alice.roundTrip(.createPartitions(grow), version: 2, correlationId: 20) else {
                Issue.record("no CreatePartitions answer")
                return
            }
            #expect(grown.results.first { $0.name == "mine" }?.errorCode == 0)
            #expect(grown.results.first { $0.name == "theirs" }?.errorCode == KafkaError.topicAuthorizationFailed)
            #expect(try f.engine.describeTopic("mine").partitions.count == 2)
            #expect(try f.engine.describeTopic("theirs").partitions.count == 1)

            var alter = IncrementalAlterConfigsRequest()
            alter.resources = ["mine", "theirs"].map { name in
                var r = IncrementalAlterConfigsRequest.AlterConfigsResource()
                r.resourceType = AclResourceType.topic.rawValue
                r.resourceName = name
                var c = IncrementalAlterConfigsRequest.AlterableConfig()
                c.name = "retention.ms"
                c.configOperation = 0  // SET
                c.value = "60000"
                r.configs = [c]
                return r
            }
            guard case .incrementalAlterConfigs(let altered) = try await alice.roundTrip(.incrementalAlterConfigs(alter), version: 1,
                                                                                        correlationId: 21) else {
                Issue.record("no IncrementalAlterConfigs answer")
                return
            }
            #expect(altered.responses.first { $0.resourceName == "mine" }?.errorCode == 0)
            #expect(altered.responses.first { $0.resourceName == "theirs" }?.errorCode == KafkaError.topicAuthorizationFailed)
        }
    }
}
