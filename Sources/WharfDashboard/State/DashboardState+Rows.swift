import WharfCore

/// The rows each list view shows, filtered and sorted, as indices into the snapshot.
/// Update (navigation) and render use the same functions, so what you select is what you see.
extension DashboardState {
    /// Case-insensitive substring match; a filter starting with "!" inverts it.
    public static func matches(_ text: String, filter: String) -> Bool {
        guard !filter.isEmpty else { return true }
        var needle = Substring(filter)
        var invert = false
        if needle.first == "!" { invert = true; needle = needle.dropFirst() }
        if needle.isEmpty { return true }
        let found = text.lowercased().contains(needle.lowercased())
        return found != invert
    }

    /// Sorts `indices` by `key`, ties broken by index so order is stable across ticks.
    static func sorted<K: Comparable>(_ indices: [Int], ascending: Bool, key: (Int) -> K) -> [Int] {
        let keys = indices.map { (key($0), $0) }
        let ordered = keys.sorted { a, b in
            if a.0 != b.0 { return ascending ? a.0 < b.0 : a.0 > b.0 }
            return a.1 < b.1
        }
        return ordered.map(\.1)
    }

    func topicRows(_ frame: ViewFrame) -> [Int] {
        let topics = snapshot.topics
        let filtered = topics.indices.filter { DashboardState.matches(topics[$0].name, filter: frame.filter) }
        let asc = frame.ascending
        switch frame.sortColumn {
        case 1: return Self.sorted(filtered, ascending: asc) { topics[$0].partitions.count }
        case 2: return Self.sorted(filtered, ascending: asc) { topics[$0].recordCount }
        case 3: return Self.sorted(filtered, ascending: asc) { topics[$0].sizeBytes }
        case 4: return Self.sorted(filtered, ascending: asc) { metrics.topicInRate(topics[$0].name) }
        case 5: return Self.sorted(filtered, ascending: asc) { topics[$0].retentionMs ?? Int64.max }
        default: return Self.sorted(filtered, ascending: asc) { topics[$0].name }
        }
    }

    func groupRows(_ frame: ViewFrame) -> [Int] {
        let groups = snapshot.groups
        let filtered = groups.indices.filter { DashboardState.matches(groups[$0].name, filter: frame.filter) }
        let asc = frame.ascending
        switch frame.sortColumn {
        case 1: return Self.sorted(filtered, ascending: asc) { groups[$0].state }
        case 2: return Self.sorted(filtered, ascending: asc) { groups[$0].members.count }
        case 3: return Self.sorted(filtered, ascending: asc) { metrics.group(groups[$0].name)?.totalLag ?? groups[$0].totalLag }
        case 4: return Self.sorted(filtered, ascending: asc) { groups[$0].maxTimeLagMs ?? -1 }
        case 5: return Self.sorted(filtered, ascending: asc) { metrics.eta(group: groups[$0].name).sortKey }
        case 7: return Self.sorted(filtered, ascending: asc) { metrics.status(group: groups[$0].name) }
        default: return Self.sorted(filtered, ascending: asc) { groups[$0].name }
        }
    }

    func topicDetailRows(_ frame: ViewFrame, topic: TopicSnapshot) -> [Int] {
        let parts = topic.partitions
        let filtered = parts.indices.filter { DashboardState.matches(String(parts[$0].partition), filter: frame.filter) }
        let asc = frame.ascending
        switch frame.sortColumn {
        case 2: return Self.sorted(filtered, ascending: asc) { parts[$0].logEnd }
        case 3: return Self.sorted(filtered, ascending: asc) { OffsetMath.subtract(parts[$0].logEnd, parts[$0].logStart) }
        case 4: return Self.sorted(filtered, ascending: asc) { parts[$0].sizeBytes }
        case 5: return Self.sorted(filtered, ascending: asc) {
            metrics.partitionInRate(TopicPartitionRef(topic: topic.name, partition: parts[$0].partition))
        }
        default: return Self.sorted(filtered, ascending: asc) { parts[$0].partition }
        }
    }

    func groupDetailRows(_ frame: ViewFrame, group: GroupSnapshot) -> [Int] {
        let parts = group.partitions
        let filtered = parts.indices.filter {
            DashboardState.matches("\(parts[$0].topic)/\(parts[$0].partition) \(parts[$0].owner ?? "")", filter: frame.filter)
        }
        let asc = frame.ascending
        switch frame.sortColumn {
        case 1: return Self.sorted(filtered, ascending: asc) { parts[$0].partition }
        case 4: return Self.sorted(filtered, ascending: asc) { parts[$0].lag }
        case 5: return Self.sorted(filtered, ascending: asc) { parts[$0].timeLagMs ?? -1 }
        case 6: return Self.sorted(filtered, ascending: asc) { metrics.window(group: group.name, partition: parts[$0].ref)?.eta.sortKey ?? -1 }
        case 8: return Self.sorted(filtered, ascending: asc) { metrics.status(group: group.name, partition: parts[$0].ref) }
        default: return Self.sorted(filtered, ascending: asc) { parts[$0].ref }
        }
    }

    func brokerRows(_ frame: ViewFrame) -> [Int] {
        let brokers = snapshot.brokers
        let filtered = brokers.indices.filter { DashboardState.matches("\(brokers[$0].id) \(brokers[$0].address)", filter: frame.filter) }
        let asc = frame.ascending
        switch frame.sortColumn {
        case 3: return Self.sorted(filtered, ascending: asc) { brokers[$0].leaderPartitions }
        case 4: return Self.sorted(filtered, ascending: asc) { brokers[$0].replicas }
        case 5: return Self.sorted(filtered, ascending: asc) { brokers[$0].outOfSync }
        case 6: return Self.sorted(filtered, ascending: asc) { brokers[$0].disk?.freeBytes ?? -1 }
        default: return Self.sorted(filtered, ascending: asc) { brokers[$0].id }
        }
    }

    /// Groups for the overview: worst status first, then largest lag.
    func worstGroups(limit: Int) -> [Int] {
        let groups = snapshot.groups
        let ordered = groups.indices.sorted { a, b in
            let sa = metrics.status(group: groups[a].name), sb = metrics.status(group: groups[b].name)
            if sa != sb { return sa > sb }
            if groups[a].totalLag != groups[b].totalLag { return groups[a].totalLag > groups[b].totalLag }
            return groups[a].name < groups[b].name
        }
        return Array(ordered.prefix(limit))
    }

    func recordRows(_ frame: ViewFrame) -> [Int] {
        guard !frame.filter.isEmpty else { return Array(records.rows.indices) }
        return records.rows.indices.filter { i in
            let r = records.rows[i]
            let text = RecordFormatter.text(r.key) + " " + RecordFormatter.text(r.value)
            return DashboardState.matches(text, filter: frame.filter)
        }
    }

    /// How many rows the current view's main table has.
    func rowCount(_ frame: ViewFrame) -> Int {
        switch frame.id {
        case .overview: return min(snapshot.groups.count, Self.overviewGroupLimit)
        case .topics: return topicRows(frame).count
        case .groups: return groupRows(frame).count
        case .topicDetail(let name): return snapshot.topic(named: name).map { topicDetailRows(frame, topic: $0).count } ?? 0
        case .groupDetail(let name): return snapshot.group(named: name).map { groupDetailRows(frame, group: $0).count } ?? 0
        case .records: return recordRows(frame).count
        case .queues: return queueRows(frame).count
        case .deadLetters: return deadLetterRows(frame).count
        case .deadLetterMessages: return deadLetterMessageRows(frame).count
        case .outbox: return outboxRows(frame).count
        case .outboxRows: return outboxRowRows(frame).count
        case .streams: return readerRows(frame).count
        case .brokers: return brokerRows(frame).count
        case .audit: return auditRows(frame).count
        case .trace: return 0
        }
    }

    static let overviewGroupLimit = 50
}
