extension SyntheticCluster {
    /// `listener`: the Kafka listener's state, the one listener a synthetic cluster shows.
    public func snapshot(source: String = "synthetic cluster", listener: String? = nil) -> ClusterSnapshot {
        let topicSnaps = topics.map { t in
            TopicSnapshot(name: t.name, partitions: t.partitions.enumerated().map { i, p in
                PartitionSnapshot(partition: Int32(i), logStart: p.logStart, logEnd: p.logEnd,
                                  sizeBytes: (p.logEnd - p.logStart) * p.bytesPerRecord)
            }, retentionMs: t.retentionMs)
        }
        let groupSnaps = groups.map { g -> GroupSnapshot in
            let memberIds = (0..<g.memberCount).map { "\(g.name)-\($0 + 1)-m\($0 * 37 + 5)" }
            var assigned = Array(repeating: [TopicPartitionRef](), count: g.memberCount)
            let parts = g.consumers.enumerated().map { i, c -> GroupPartitionSnapshot in
                let p = topics[c.topic].partitions[c.partition]
                let committed = Int64(c.committed)
                let lag = max(0, p.logEnd - committed)
                let owner = g.memberCount > 0 ? memberIds[i % g.memberCount] : nil
                let ref = TopicPartitionRef(topic: topics[c.topic].name, partition: Int32(c.partition))
                if g.memberCount > 0 { assigned[i % g.memberCount].append(ref) }
                return GroupPartitionSnapshot(topic: ref.topic, partition: ref.partition, committed: committed, logEnd: p.logEnd,
                                              lag: lag, timeLagMs: lag == 0 ? 0 : max(0, nowMs - p.appendTime(of: committed)),
                                              owner: owner, lastCommitMs: c.lastCommitMs)
            }
            let members = (0..<g.memberCount).map {
                GroupMember(memberId: memberIds[$0], clientId: "\(g.name)-\($0 + 1)", host: "/10.0.0.\(11 + $0)", assigned: assigned[$0])
            }
            return GroupSnapshot(name: g.name, state: g.memberCount > 0 ? "Stable" : "Empty", members: members, partitions: parts)
        }
        return ClusterSnapshot(timeMs: nowMs, source: source, listeners: listener.map { [ListenerStatus(name: "kafka", state: $0)] } ?? [], topics: topicSnaps, groups: groupSnaps)
    }

    /// Dry-run of a reset, the way an engine would answer it.
    public func previewReset(group: String, topic: String, partitions: [Int32], spec: ResetSpec) -> Result<[ResetPlanRow], ResetFailure> {
        guard let g = groups.first(where: { $0.name == group }) else { return .failure(ResetFailure("no group \(group)")) }
        guard let t = topics.firstIndex(where: { $0.name == topic }) else { return .failure(ResetFailure("no topic \(topic)")) }
        var rows: [ResetPlanRow] = []
        for c in g.consumers where c.topic == t && (partitions.isEmpty || partitions.contains(Int32(c.partition))) {
            let p = topics[t].partitions[c.partition]
            let current = Int64(c.committed)
            let target: Int64
            switch spec {
            case .earliest: target = p.logStart
            case .latest: target = p.logEnd
            case .offset(let o): target = o
            case .datetime(let ms): target = p.offset(atMs: ms)
            case .shiftBy(let n): target = current + n
            case .duration(let ms): target = p.offset(atMs: nowMs - ms)
            }
            let clamped = max(p.logStart, min(p.logEnd, target))
            rows.append(ResetPlanRow(topic: topic, partition: Int32(c.partition), current: current, new: clamped,
                                     recordsToReread: current - clamped))
        }
        return .success(rows)
    }

    public mutating func executeReset(group: String, plan: [ResetPlanRow]) -> String {
        guard let g = groups.firstIndex(where: { $0.name == group }) else { return "no group \(group)" }
        var previous: [ResetPlanRow] = []
        for row in plan {
            guard let c = groups[g].consumers.firstIndex(where: {
                topics[$0.topic].name == row.topic && Int32($0.partition) == row.partition
            }) else { continue }
            let old = Int64(groups[g].consumers[c].committed)
            previous.append(ResetPlanRow(topic: row.topic, partition: row.partition, current: row.new, new: old, recordsToReread: row.new - old))
            groups[g].consumers[c].committed = Double(row.new)
            groups[g].consumers[c].lastCommitMs = nowMs
        }
        lastReset = (group, previous)
        return "reset \(group): \(plan.count) partition(s) committed"
    }

    public mutating func undoLastReset() -> String? {
        guard let last = lastReset else { return nil }
        _ = executeReset(group: last.group, plan: last.previous)
        lastReset = nil
        return "undid the last reset of \(last.group)"
    }

    public mutating func purge(topic: String, partition: Int32, before: Int64) -> Int64 {
        guard let t = topics.firstIndex(where: { $0.name == topic }), Int(partition) < topics[t].partitions.count else { return 0 }
        var p = topics[t].partitions[Int(partition)]
        let newStart = max(p.logStart, min(before, p.logEnd))
        let removed = newStart - p.logStart
        p.logStart = newStart
        topics[t].partitions[Int(partition)] = p
        return removed
    }

    /// Synthetic records: JSON order events (text for audit.log).
    public func records(topic: String, partition: Int32, from start: RecordStart, max count: Int) -> [RecordRow] {
        guard let t = topics.firstIndex(where: { $0.name == topic }), Int(partition) < topics[t].partitions.count else { return [] }
        let p = topics[t].partitions[Int(partition)]
        var first: Int64
        switch start {
        case .offset(let o): first = o
        case .timestamp(let ms): first = p.offset(atMs: ms)
        }
        first = max(p.logStart, first)
        let last = min(p.logEnd, first + Int64(count))
        guard first < last else { return [] }
        return (first..<last).map { o in
            let value: String
            if topic == "audit.log" {
                value = "user u-\(o % 17) did action #\(o) on resource /items/\(o % 101)"
            } else {
                value = #"{"id":\#(o),"customer":"c-\#(o % 42)","amount":\#(Double(o % 1000) / 4),"items":[\#(o % 3),\#(o % 5)],"note":"\#(topic == "注文イベント" ? "注文を受け付けました" : "ok")","paid":\#(o % 2 == 0)}"#
            }
            return RecordRow(topic: topic, partition: partition, offset: o, timestampMs: p.appendTime(of: o),
                             key: Array("key-\(o % 97)".utf8), value: Array(value.utf8),
                             headers: [RecordHeader(key: "trace-id", value: Array("t-\(o * 7919 % 100_000)".utf8))])
        }
    }
}

public struct ResetFailure: Error, Equatable, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
}
