import Testing
import WharfCore
@testable import WharfKafkaClient

/// `ClusterMetadata.topic` and `leader(of:)`: a binary search over the sorted topics (every
/// partition of a refresh is routed through it), still right if the array is out of order.
@Suite struct ClusterMetadataLookupTests {
    static func metadata(_ names: [String]) -> ClusterMetadata {
        ClusterMetadata(brokers: [:], controllerId: 0, clusterId: nil, topics: names.enumerated().map { i, name in
            .init(name: name, isInternal: false, partitions: [.init(partition: 0, leader: Int32(i), errorCode: 0)])
        })
    }

    @Test func findsEveryTopicOfASortedListAndNothingElse() {
        let names = (0..<2000).map { "topic-\(String($0).count)-\($0)" }.sorted()
        let m = Self.metadata(names)
        for (i, name) in names.enumerated() {
            #expect(m.topic(name)?.name == name)
            #expect(m.leader(of: TopicPartition(name, 0)) == Int32(i))
        }
        #expect(m.topic("") == nil && m.topic("topic-") == nil && m.topic("zzz") == nil && m.topic("a") == nil)
        #expect(m.leader(of: TopicPartition(names[5], 1)) == nil)
    }

    @Test func anOutOfOrderListIsStillAnsweredCorrectly() {
        let m = Self.metadata(["orders", "audit", "payments", "billing"])
        for (i, name) in ["orders", "audit", "payments", "billing"].enumerated() { #expect(m.leader(of: TopicPartition(name, 0)) == Int32(i)) }
        #expect(m.topic("missing") == nil)
    }

    /// Kafka's Metadata lists live brokers only: one that replicas still name is down.
    @Test func brokersNamedAsReplicasButNotListedAreMissing() {
        let broker = { (id: Int32) in ClusterMetadata.Broker(nodeId: id, host: "kafka-\(id)", port: 9092) }
        let m = ClusterMetadata(brokers: [1: broker(1), 2: broker(2)], controllerId: 1, clusterId: nil, topics: [
            .init(name: "orders", isInternal: false, partitions: [
                .init(partition: 0, leader: 1, errorCode: 0, replicas: [1, 2, 3], inSync: [1, 2]),
                .init(partition: 1, leader: 2, errorCode: 0, replicas: [2, 3, 5], inSync: [2]),
            ]),
        ])
        #expect(m.missingBrokers == [3, 5])
        #expect(Self.metadata(["a"]).missingBrokers.isEmpty, "no replica lists (an old answer): nothing is missing")
    }
}
