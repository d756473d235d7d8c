import Foundation
import KafkaProtocol
import Testing
import WharfCore
@testable import WharfKafkaClient

/// Responses of a Kafka 4.2 broker at the versions the client negotiates with it, built byte by
/// byte from Kafka's 4.x JSON schemas (Fixtures/make_fixtures.py) and decoded by the client path.
@Suite struct Kafka4CaptureTests {
    static func capture(_ name: String) throws -> [UInt8] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/kafka4_responses.txt")
        let text = try String(contentsOf: url, encoding: .utf8)
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix(name + ": ") })
        let hex = Array(line.dropFirst(name.count + 2).utf8)
        return stride(from: 0, to: hex.count, by: 2).map { UInt8(String(decoding: hex[$0..<$0 + 2], as: UTF8.self), radix: 16)! }
    }

    @Test func apiVersionsV3WithFeatureTagsNegotiatesHighestCommon() throws {
        let response = try BrokerConnection.decodeApiVersions(try Self.capture("ApiVersions v3"), version: 3)
        #expect(response.errorCode == 0)
        #expect(response.apiKeys.count == 23)
        let table = ApiVersionTable.negotiate(broker: response.apiKeys)
        // The broker's maxima are above ours: ours win. Its raised minima are below ours.
        #expect(table.versions[.metadata] == 12)
        #expect(table.versions[.fetch] == 12)
        #expect(table.versions[.listOffsets] == 10)
        #expect(table.versions[.offsetFetch] == 9)
        #expect(table.versions[.offsetCommit] == 9)
        #expect(table.versions[.describeGroups] == 5)
        #expect(table.versions[.listGroups] == 5)
        #expect(table.versions[.findCoordinator] == 6)
        #expect(table.versions[.createTopics] == 7)
        #expect(table.versions[.deleteTopics] == 6)
        #expect(table.versions[.deleteRecords] == 2)
        #expect(table.versions[.produce] == 11)
    }

    @Test func metadataV12() throws {
        let r = try BrokerConnection.decodeBody(try Self.capture("Metadata v12"), as: MetadataResponse.self, version: 12)
        #expect(r.brokers.map(\.host) == ["kafka-1.internal"])
        #expect(r.controllerId == 1)
        #expect(r.topics.first?.name == "orders")
        #expect(r.topics.first?.partitions.map(\.leaderId) == [1, 1])
    }

    @Test func listOffsetsV10() throws {
        let r = try BrokerConnection.decodeBody(try Self.capture("ListOffsets v10"), as: ListOffsetsResponse.self, version: 10)
        #expect(r.topics.first?.partitions.map(\.offset) == [1200, 34])
        #expect(r.topics.first?.partitions.map(\.leaderEpoch) == [5, 5])
    }

    @Test func offsetFetchV9BatchesGroups() throws {
        let r = try BrokerConnection.decodeBody(try Self.capture("OffsetFetch v9"), as: OffsetFetchResponse.self, version: 9)
        #expect(r.groups.map(\.groupId) == ["billing", "audit"])
        #expect(r.groups[0].topics[0].partitions.map(\.committedOffset) == [1000, 30])
        #expect(r.groups[1].topics[0].partitions.map(\.committedOffset) == [5])
    }

    @Test func describeGroupsV5WithConsumerAssignment() throws {
        let r = try BrokerConnection.decodeBody(try Self.capture("DescribeGroups v5"), as: DescribeGroupsResponse.self, version: 5)
        let g = try #require(r.groups.first)
        #expect(g.groupState == "Stable")
        #expect(g.members.map(\.clientId) == ["consumer-1"])
        #expect(ConsumerAssignment.decode(g.members[0].memberAssignment) == [TopicPartition("orders", 0), TopicPartition("orders", 1)])
    }

    /// A KIP-848 group is "Dead" with no members to the classic DescribeGroups; only ListGroups
    /// v4+ tells that it is Stable, and v5 that it is a "consumer"-type group. The cluster views
    /// take the listed state for it, so a live group is never offered a remote reset.
    @Test func kip848GroupIsDeadToDescribeGroupsButListedStable() throws {
        let listed = try BrokerConnection.decodeBody(try Self.capture("ListGroups v5"), as: ListGroupsResponse.self, version: 5)
        #expect(listed.groups.map(\.groupId) == ["billing", "payments"])
        #expect(listed.groups.map(\.groupState) == ["Stable", "Stable"])
        #expect(listed.groups.map(\.groupType) == ["classic", "consumer"])
        let described = try BrokerConnection.decodeBody(try Self.capture("DescribeGroups v5 KIP-848 group"), as: DescribeGroupsResponse.self, version: 5)
        let g = try #require(described.groups.first)
        #expect(g.errorCode == 0 && g.groupState == "Dead" && g.members.isEmpty)
    }

    /// ConsumerGroupDescribe gives a KIP-848 group its real state and members, with the topic
    /// names of their assignment.
    @Test func consumerGroupDescribeV0GivesMembersAndAssignment() throws {
        let r = try BrokerConnection.decodeBody(try Self.capture("ConsumerGroupDescribe v0"), as: ConsumerGroupDescribeResponse.self, version: 0)
        let g = try #require(r.groups.first)
        let d = KafkaClient.description(of: g)
        #expect(d.groupId == "payments" && d.state == "Stable" && d.protocolType == "consumer")
        #expect(d.members.map(\.clientId) == ["consumer-2"])
        #expect(d.members.first?.host == "/10.0.0.8")
        #expect(d.members.first?.assignment == [TopicPartition("orders", 0), TopicPartition("orders", 1)])
        // Negotiated with a Kafka 4.2 broker (0-1) at the version this client speaks.
        let api = try BrokerConnection.decodeApiVersions(try Self.capture("ApiVersions v3"), version: 3)
        #expect(ApiVersionTable.negotiate(broker: api.apiKeys).versions[.consumerGroupDescribe] == 0)
    }

    /// Share and streams groups have no consumer offsets: the listing asks for the two consumer
    /// group types only (the filter exists from v5; older versions list consumer groups anyway).
    @Test func listGroupsAsksForConsumerGroupTypesOnly() throws {
        let request = ListGroupsRequest(typesFilter: ["classic", "consumer"])
        let v5 = request.encoded(version: 5)
        #expect(v5.count > request.encoded(version: 4).count)
        let back = try v5.withUnsafeBytes { raw in
            var reader = ByteReader(raw)
            return try ListGroupsRequest(from: &reader, version: 5)
        }
        #expect(back.typesFilter == ["classic", "consumer"])
    }
}

@Suite struct NegotiationTests {
    static func ranges(_ r: [(ApiKey, Int16, Int16)]) -> [ApiVersionsResponse.ApiVersion] {
        r.map { ApiVersionsResponse.ApiVersion(apiKey: $0.0.rawValue, minVersion: $0.1, maxVersion: $0.2) }
    }

    @Test func picksHighestCommonVersion() throws {
        let table = ApiVersionTable.negotiate(broker: Self.ranges([(.metadata, 0, 8), (.fetch, 4, 11), (.listOffsets, 0, 5)]))
        #expect(try table.version(for: .metadata) == 8)
        #expect(try table.version(for: .fetch) == 11)
        #expect(try table.version(for: .listOffsets) == 5)
    }

    @Test func missingApiIsAClearError() {
        let table = ApiVersionTable.negotiate(broker: Self.ranges([(.metadata, 0, 8)]))
        #expect(throws: KafkaClientError.unsupported("broker does not support DeleteRecords")) { try table.version(for: .deleteRecords) }
    }

    @Test func refusesWhenBrokerMinimumIsAboveOurs() {
        // A future broker that raised DeleteRecords' minimum beyond what this client speaks.
        let table = ApiVersionTable.negotiate(broker: Self.ranges([(.deleteRecords, 3, 5)]))
        #expect(table.versions[.deleteRecords] == nil)
        #expect(throws: KafkaClientError.unsupported("broker does not support DeleteRecords at a version this client speaks (broker 3-5, client 0-2)")) {
            try table.version(for: .deleteRecords)
        }
    }

    @Test func kafka4RaisedMinimaStillNegotiate() throws {
        // Kafka 4.0 dropped Fetch < 4, ListOffsets 0, OffsetCommit < 2, CreateTopics < 2 (KIP-896).
        let table = ApiVersionTable.negotiate(broker: Self.ranges([(.fetch, 4, 17), (.listOffsets, 1, 9), (.offsetCommit, 2, 9), (.createTopics, 2, 7)]))
        #expect(try table.version(for: .fetch) == 12)
        #expect(try table.version(for: .listOffsets) == 9)
        #expect(try table.version(for: .offsetCommit) == 9)
        #expect(try table.version(for: .createTopics) == 7)
    }

    @Test func unreachableBootstrapIsAOneLineError() async {
        let client = KafkaClient(bootstrap: [BootstrapAddress(host: "127.0.0.1", port: 1)])
        await #expect(throws: KafkaClientError.unreachable(address: "127.0.0.1:1", reason: "connection refused")) {
            try await client.refreshMetadata()
        }
        #expect(KafkaClientError.unreachable(address: "127.0.0.1:1", reason: "connection refused").description == "cannot reach 127.0.0.1:1: connection refused")
    }

    @Test func bootstrapListParsing() throws {
        #expect(try BootstrapAddress.parseList("a:1, b:2").get() == [.init(host: "a", port: 1), .init(host: "b", port: 2)])
        #expect(try BootstrapAddress.parseList("[::1]:9092").get() == [.init(host: "::1", port: 9092)])
        #expect(throws: BootstrapParseError.self) { try BootstrapAddress.parseList("nohost").get() }
    }
}
