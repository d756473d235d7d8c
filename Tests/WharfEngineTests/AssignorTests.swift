import Testing
import WharfCore
@testable import WharfEngine

@Suite struct AssignorTests {
    func tps(_ topic: String, _ ps: Int32...) -> [TopicPartition] { ps.map { TopicPartition(topic, $0) } }

    @Test func namesMatchKafka() {
        #expect(RangeAssignor.name == "range")
        #expect(RoundRobinAssignor.name == "roundrobin")
    }

    @Test func rangeThreePartitionsTwoMembers() {
        let out = RangeAssignor.assign(subscriptions: ["c1": ["t"], "c0": ["t"]], partitionCounts: ["t": 3])
        #expect(out == ["c0": tps("t", 0, 1), "c1": tps("t", 2)])
    }

    @Test func rangeKafkaDocExampleTwoTopics() {
        // RangeAssignor javadoc: t0 and t1 with 3 partitions each, C0 and C1.
        let out = RangeAssignor.assign(subscriptions: ["C0": ["t0", "t1"], "C1": ["t0", "t1"]], partitionCounts: ["t0": 3, "t1": 3])
        #expect(out == ["C0": tps("t0", 0, 1) + tps("t1", 0, 1), "C1": tps("t0", 2) + tps("t1", 2)])
    }

    @Test func rangeMoreMembersThanPartitionsAndUnknownTopics() {
        let out = RangeAssignor.assign(subscriptions: ["a": ["t", "missing"], "b": ["t"], "c": ["t"]], partitionCounts: ["t": 2])
        #expect(out == ["a": tps("t", 0), "b": tps("t", 1), "c": []])
        let seven = RangeAssignor.assign(subscriptions: ["a": ["t"], "b": ["t"], "c": ["t"]], partitionCounts: ["t": 7])
        #expect(seven == ["a": tps("t", 0, 1, 2), "b": tps("t", 3, 4), "c": tps("t", 5, 6)])
    }

    @Test func roundRobinKafkaDocExampleSameSubscriptions() {
        // RoundRobinAssignor javadoc: C0: [t0p0, t0p2, t1p1], C1: [t0p1, t1p0, t1p2].
        let out = RoundRobinAssignor.assign(subscriptions: ["C1": ["t1", "t0"], "C0": ["t0", "t1"]], partitionCounts: ["t0": 3, "t1": 3])
        #expect(out == ["C0": tps("t0", 0, 2) + tps("t1", 1), "C1": tps("t0", 1) + tps("t1", 0, 2)])
    }

    @Test func roundRobinKafkaDocExampleDifferentSubscriptions() {
        // C0 ⊂ t0, C1 ⊂ t0,t1, C2 ⊂ t0,t1,t2 with 1, 2, 3 partitions:
        // C0: [t0p0], C1: [t1p0], C2: [t1p1, t2p0, t2p1, t2p2].
        let out = RoundRobinAssignor.assign(
            subscriptions: ["C0": ["t0"], "C1": ["t0", "t1"], "C2": ["t0", "t1", "t2"]],
            partitionCounts: ["t0": 1, "t1": 2, "t2": 3])
        #expect(out == ["C0": tps("t0", 0), "C1": tps("t1", 0), "C2": tps("t1", 1) + tps("t2", 0, 1, 2)])
    }

    @Test func everyPartitionAssignedExactlyOnce() {
        let subs = ["m1": ["a", "b"], "m2": ["b"], "m3": ["a", "c"], "m4": ["c", "b", "a"]]
        let counts: [String: Int32] = ["a": 5, "b": 4, "c": 7]
        for out in [RangeAssignor.assign(subscriptions: subs, partitionCounts: counts),
                    RoundRobinAssignor.assign(subscriptions: subs, partitionCounts: counts)] {
            let all = out.values.flatMap { $0 }
            #expect(all.count == 16)
            #expect(Set(all).count == 16)
            for (member, parts) in out { #expect(parts.allSatisfy { subs[member]!.contains($0.topic) }) }
        }
    }
}
