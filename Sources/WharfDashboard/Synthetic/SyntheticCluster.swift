/// A deterministic simulated cluster: topics with uneven produce rates, groups that keep up,
/// fall behind or have stopped. Used by the preview executable, the render benchmark and
/// tests; it also answers reset, undo, purge and record reads so every dialog can be tried
/// without an engine. Record `o` of a partition was appended at `createdMs + o / rate`.
public struct SyntheticCluster: Sendable {
    struct Partition: Sendable {
        var logStart: Int64 = 0
        var produced: Double
        var rate: Double
        var bytesPerRecord: Int64
        var createdMs: Int64
        var logEnd: Int64 { Int64(produced) }
        func offset(atMs ms: Int64) -> Int64 { max(logStart, min(logEnd, Int64(Double(ms - createdMs) * rate / 1000))) }
        func appendTime(of offset: Int64) -> Int64 { createdMs + Int64(Double(offset) / max(rate, 0.001) * 1000) }
    }
    struct Topic: Sendable {
        var name: String
        var partitions: [Partition]
        var retentionMs: Int64?
    }
    struct Consumer: Sendable {
        var topic: Int
        var partition: Int
        var committed: Double
        var lastCommitMs: Int64
    }
    struct Group: Sendable {
        var name: String
        /// Consume speed relative to the produce rate of each partition (0 = stopped).
        var speed: Double
        var memberCount: Int
        var consumers: [Consumer]
    }

    var topics: [Topic] = []
    var groups: [Group] = []
    public private(set) var nowMs: Int64
    var lastReset: (group: String, previous: [ResetPlanRow])?

    /// The demo cluster: 4 topics (one with a CJK name), 4 groups: keeping up, slower than
    /// its input, stopped, and a CJK-named one.
    public init(demoAt startMs: Int64) {
        nowMs = startMs
        let created = startMs - 600_000
        func topic(_ name: String, _ rates: [Double], bytes: Int64, retention: Int64?) -> Topic {
            Topic(name: name, partitions: rates.map { Partition(produced: $0 * 600, rate: $0, bytesPerRecord: bytes, createdMs: created) },
                  retentionMs: retention)
        }
        topics = [
            topic("orders", [40, 25, 10], bytes: 310, retention: 7 * 86_400_000),
            topic("payments", [15, 15], bytes: 220, retention: 86_400_000),
            topic("注文イベント", [5, 3], bytes: 180, retention: nil),
            topic("audit.log", [2, 2, 2, 2], bytes: 90, retention: 3_600_000),
        ]
        // audit.log retention has already removed the oldest part.
        for p in topics[3].partitions.indices { topics[3].partitions[p].logStart = 600 }
        groups = [
            makeGroup("billing", speed: 1.5, members: 2, topics: [0], lag: 0.01),
            makeGroup("analytics", speed: 0.6, members: 3, topics: [0, 1], lag: 0.3),
            makeGroup("legacy-export", speed: 0, members: 0, topics: [1], lag: 0.5),
            makeGroup("通知サービス", speed: 1.2, members: 1, topics: [2], lag: 0.05),
        ]
        for c in groups[2].consumers.indices { groups[2].consumers[c].lastCommitMs = startMs - 120_000 }
    }

    /// A large cluster for the render benchmark.
    public init(largeAt startMs: Int64, topics topicCount: Int, partitionsPerTopic: Int, groups groupCount: Int) {
        nowMs = startMs
        let created = startMs - 600_000
        for t in 0..<topicCount {
            let parts = (0..<partitionsPerTopic).map { p -> Partition in
                let rate = Double((t * 31 + p * 7) % 50 + 1)
                return Partition(produced: rate * 600, rate: rate, bytesPerRecord: 200, createdMs: created)
            }
            let digits = String(t)
            topics.append(Topic(name: "topic-" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits, partitions: parts,
                                retentionMs: t % 3 == 0 ? nil : 86_400_000))
        }
        for g in 0..<groupCount where topicCount > 0 {
            let digits = String(g)
            let name = "group-" + String(repeating: "0", count: max(0, 3 - digits.count)) + digits
            let speeds = [1.5, 0.7, 0, 1.1]
            groups.append(makeGroup(name, speed: speeds[g % 4], members: g % 4 == 2 ? 0 : 1 + g % 3,
                                    topics: [g % topicCount, (g * 7 + 1) % topicCount], lag: Double(g % 5) / 10))
        }
    }

    private func makeGroup(_ name: String, speed: Double, members: Int, topics ts: [Int], lag: Double) -> Group {
        var consumers: [Consumer] = []
        for t in Set(ts).sorted() {
            for p in topics[t].partitions.indices {
                let end = topics[t].partitions[p].produced
                consumers.append(Consumer(topic: t, partition: p, committed: (end * (1 - lag)).rounded(.down), lastCommitMs: nowMs))
            }
        }
        return Group(name: name, speed: speed, memberCount: members, consumers: consumers)
    }

    /// Moves time forward: producers append, live consumers consume and commit.
    public mutating func advance(to ms: Int64) {
        guard ms > nowMs else { return }
        let dt = Double(ms - nowMs) / 1000
        nowMs = ms
        for t in topics.indices {
            for p in topics[t].partitions.indices { topics[t].partitions[p].produced += topics[t].partitions[p].rate * dt }
        }
        for g in groups.indices where groups[g].speed > 0 {
            for c in groups[g].consumers.indices {
                let consumer = groups[g].consumers[c]
                let part = topics[consumer.topic].partitions[consumer.partition]
                let next = min(Double(part.logEnd), consumer.committed + part.rate * groups[g].speed * dt)
                groups[g].consumers[c].committed = max(consumer.committed, next)
                groups[g].consumers[c].lastCommitMs = ms
            }
        }
    }
}
