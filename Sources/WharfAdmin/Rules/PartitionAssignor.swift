import WharfCore

/// A client-side partition assignor, run by the group leader after JoinGroup (the coordinator
/// never assigns: it relays the leader's bytes). Implementations are pure and deterministic.
///
/// Input: member id -> subscribed topics, and topic -> partition count. Topics missing from
/// `partitionCounts` (unknown to the cluster) are not assigned. Output: every member id of
/// `subscriptions`, each with its partitions (possibly none).
public protocol PartitionAssignor {
    /// The protocol name members list in JoinGroup ("range", "roundrobin").
    static var name: String { get }
    static func assign(subscriptions: [String: [String]], partitionCounts: [String: Int32]) -> [String: [TopicPartition]]
}

/// Kafka's `RangeAssignor`: per topic, the members subscribed to it sorted by member id get
/// contiguous ranges of partitions; with `n` partitions and `c` members each gets `n / c`, and
/// the first `n % c` members one more. (Kafka's rack-aware variant applies only with racks.)
public enum RangeAssignor: PartitionAssignor {
    public static let name = "range"

    public static func assign(subscriptions: [String: [String]], partitionCounts: [String: Int32]) -> [String: [TopicPartition]] {
        var result = subscriptions.mapValues { _ in [TopicPartition]() }
        var membersByTopic: [String: [String]] = [:]
        for (member, topics) in subscriptions {
            for topic in Set(topics) { membersByTopic[topic, default: []].append(member) }
        }
        for topic in membersByTopic.keys.sorted() {
            guard let count = partitionCounts[topic], count > 0 else { continue }
            let members = membersByTopic[topic, default: []].sorted()
            let perMember = Int(count) / members.count
            let withExtra = Int(count) % members.count
            for (i, member) in members.enumerated() {
                let start = perMember * i + min(i, withExtra)
                let length = perMember + (i < withExtra ? 1 : 0)
                for p in start..<(start + length) { result[member, default: []].append(TopicPartition(topic, Int32(p))) }
            }
        }
        return result
    }
}

/// Kafka's `RoundRobinAssignor`: all subscribed topic-partitions sorted by topic then
/// partition are dealt in turn over the members sorted by member id; a member not subscribed
/// to a partition's topic is passed over for it (the turn moves on to the next one that is).
public enum RoundRobinAssignor: PartitionAssignor {
    public static let name = "roundrobin"

    public static func assign(subscriptions: [String: [String]], partitionCounts: [String: Int32]) -> [String: [TopicPartition]] {
        var result = subscriptions.mapValues { _ in [TopicPartition]() }
        let members = subscriptions.keys.sorted()
        guard !members.isEmpty else { return result }
        let subscribed = subscriptions.mapValues(Set.init)
        let topics = Set(subscriptions.values.joined()).sorted()
        var turn = 0
        for topic in topics {
            guard let count = partitionCounts[topic], count > 0 else { continue }
            for p in 0..<count {
                // Some member subscribes to `topic` (it came from the union), so this ends.
                while !(subscribed[members[turn]]?.contains(topic) ?? false) { turn = (turn + 1) % members.count }
                result[members[turn], default: []].append(TopicPartition(topic, p))
                turn = (turn + 1) % members.count
            }
        }
        return result
    }
}
