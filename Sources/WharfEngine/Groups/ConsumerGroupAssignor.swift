import WharfCore

/// The server-side assignors of KIP-848 consumer groups (Kafka's `group.consumer.assignors`,
/// default `uniform,range`; the first is the default). Pure functions of the members'
/// subscriptions, the partition counts and, for `uniform`, the current assignment.
public enum ConsumerGroupAssignor: String, Sendable, CaseIterable {
    /// Balanced and sticky: every member's count differs by at most one for identical
    /// subscriptions, and members keep what they own as far as balance allows.
    case uniform
    /// Per topic, the subscribed members in id order take consecutive ranges of partitions,
    /// the first ones one more when the count does not divide (the classic RangeAssignor).
    case range

    public static let `default` = ConsumerGroupAssignor.uniform

    /// One member's input: what it subscribes to (resolved topic names) and what it holds.
    struct Member {
        var id: String
        var topics: Set<String>
        var current: Set<TopicPartition>
    }

    /// The target assignment: every partition of a subscribed topic goes to exactly one
    /// member subscribed to that topic. `partitions` maps a topic to its partition count.
    func assign(_ members: [Member], partitions: [String: Int32]) -> [String: Set<TopicPartition>] {
        let sorted = members.sorted { $0.id < $1.id }
        switch self {
        case .range: return Self.range(sorted, partitions: partitions)
        case .uniform: return Self.uniform(sorted, partitions: partitions)
        }
    }

    private static func range(_ members: [Member], partitions: [String: Int32]) -> [String: Set<TopicPartition>] {
        var out: [String: Set<TopicPartition>] = Dictionary(uniqueKeysWithValues: members.map { ($0.id, []) })
        for (topic, count) in partitions.sorted(by: { $0.key < $1.key }) {
            let takers = members.filter { $0.topics.contains(topic) }
            guard !takers.isEmpty, count > 0 else { continue }
            let each = Int(count) / takers.count, extra = Int(count) % takers.count
            var next = 0
            for (i, m) in takers.enumerated() {
                let n = each + (i < extra ? 1 : 0)
                for p in next..<(next + n) { out[m.id, default: []].insert(TopicPartition(topic, Int32(p))) }
                next += n
            }
        }
        return out
    }

    private static func uniform(_ members: [Member], partitions: [String: Int32]) -> [String: Set<TopicPartition>] {
        var out: [String: Set<TopicPartition>] = Dictionary(uniqueKeysWithValues: members.map { ($0.id, []) })
        guard !members.isEmpty else { return out }
        var all: [TopicPartition] = []
        for (topic, count) in partitions.sorted(by: { $0.key < $1.key }) where members.contains(where: { $0.topics.contains(topic) }) {
            for p in 0..<max(count, 0) { all.append(TopicPartition(topic, p)) }
        }
        let base = all.count / members.count
        var extraSlots = all.count % members.count
        let valid = Set(all)
        var taken = Set<TopicPartition>()
        // Keep: each member keeps what it still may own, up to `base`, and one more while
        // members over `base` remain within the count that divides unevenly.
        for m in members {
            let keepable = m.current.filter { valid.contains($0) && m.topics.contains($0.topic) && !taken.contains($0) }.sorted()
            var limit = base
            if keepable.count > base, extraSlots > 0 {
                limit += 1
                extraSlots -= 1
            }
            for tp in keepable.prefix(limit) {
                out[m.id, default: []].insert(tp)
                taken.insert(tp)
            }
        }
        // Fill: every other partition goes to the least loaded member subscribed to its topic
        // (ties by member id), which keeps identical subscriptions balanced within one.
        for tp in all where !taken.contains(tp) {
            var best: String?
            for m in members where m.topics.contains(tp.topic) {
                if let b = best, out[b, default: []].count <= out[m.id, default: []].count { continue }
                best = m.id
            }
            if let best { out[best, default: []].insert(tp) }
        }
        return out
    }
}
