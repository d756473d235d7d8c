import WharfAdmin
import WharfCore
import WharfKafkaClient

/// Group reports built over the Kafka protocol with the rules `Engine.groupLag` uses (`LagRules`):
/// rows for every partition of every topic the group committed to or is assigned, lag =
/// end − (committed ?? start), owner "clientId (memberId)". Batched: one ListGroups per broker,
/// one DescribeGroups and OffsetFetch per coordinator, one ListOffsets pair per leader.
public enum ClusterGroups {
    public static func list(_ client: KafkaClient) async throws -> [GroupSummary] {
        let groups = try await client.listGroups()
        let lags = try await lags(client, groups.map(\.groupId), timeLag: nil, listed: listedStates(groups))
        return groups.map { g in
            let lag = lags[g.groupId]
            return GroupSummary(group: g.groupId, state: lag?.state ?? g.state, members: lag?.members ?? 0, totalLag: lag?.totalLag ?? 0)
        }
    }

    public static func describe(_ client: KafkaClient, group: String, clock: any WallClock) async throws -> GroupLag {
        // The listing costs one request per broker and is the only way to see a KIP-848 group's state.
        let listed = listedStates((try? await client.listGroups()) ?? [])
        guard let lag = try await lags(client, [group], timeLag: clock, listed: listed)[group] else { throw WharfError.unknownGroup(group) }
        return lag
    }

    /// Lag of each group that exists (has members or commits); unknown groups are left out.
    /// With `timeLag`, the clock the time lag is measured against; without it, no time lag.
    public static func lags(_ client: KafkaClient, _ groups: [String], timeLag: (any WallClock)?, listed: [String: String] = [:]) async throws -> [String: GroupLag] {
        guard !groups.isEmpty else { return [:] }
        let descriptions = try await client.describeGroups(groups)
        let committed = try await client.offsetFetch(groups)
        let metadata = try await client.refreshMetadata()
        let topics = Set(topicsOf(groups, descriptions: descriptions, committed: committed).values.flatMap { $0 })
        let partitions = topics.compactMap { metadata.topic($0) }.flatMap { t in t.partitions.map { TopicPartition(t.name, $0.partition) } }
        let offsets = partitions.isEmpty ? [:] : try await client.logOffsets(partitions)
        var rowsByGroup = rows(groups, descriptions: descriptions, committed: committed, metadata: metadata, offsets: offsets, listed: listed)
        if let clock = timeLag { try await fillTimeLag(client, &rowsByGroup, nowMs: clock.nowMillis()) }
        var out: [String: GroupLag] = [:]
        for (g, rows) in rowsByGroup {
            let d = live(descriptions[g])
            out[g] = GroupLag(group: g, state: state(descriptions[g], listed: listed[g]), members: d?.members.count ?? 0, partitions: rows)
        }
        return out
    }

    /// State per group id from a ListGroups answer.
    public static func listedStates(_ groups: [ListedGroup]) -> [String: String] {
        Dictionary(groups.map { ($0.groupId, $0.state) }, uniquingKeysWith: { a, _ in a })
    }

    /// The group's state: DescribeGroups' when it knows the group. A KIP-848 ("consumer" type)
    /// group is "Dead" with no members to a classic DescribeGroups although it may be Stable with
    /// live members: then ListGroups' state (v4+) is the truth. Otherwise "Empty" (commits only).
    public static func state(_ d: WharfKafkaClient.GroupDescription?, listed: String?) -> String {
        if let d = live(d) { return d.state }
        if let listed, !listed.isEmpty, listed != "Dead" { return listed }
        return "Empty"
    }

    /// A group the coordinator does not know is reported "Dead" with no members: nil then.
    public static func live(_ d: WharfKafkaClient.GroupDescription?) -> WharfKafkaClient.GroupDescription? {
        guard let d, !(d.state == "Dead" && d.members.isEmpty) else { return nil }
        return d
    }

    /// The topics each group committed to or is assigned.
    public static func topicsOf(_ groups: [String], descriptions: [String: WharfKafkaClient.GroupDescription],
                         committed: [String: [TopicPartition: Int64]]) -> [String: Set<String>] {
        var out: [String: Set<String>] = [:]
        for g in groups {
            var topics = Set((committed[g] ?? [:]).keys.map(\.topic))
            for m in live(descriptions[g])?.members ?? [] { for tp in m.assignment { topics.insert(tp.topic) } }
            out[g] = topics
        }
        return out
    }

    /// The engine's lag rows, from what the cluster answered (no I/O; time lag left at 0): every
    /// partition of every topic a group touches, sorted, for each group that has members or commits.
    /// `offsets` must hold those partitions (more is fine: the dashboard passes every partition).
    public static func rows(_ groups: [String], descriptions: [String: WharfKafkaClient.GroupDescription],
                     committed: [String: [TopicPartition: Int64]], metadata: ClusterMetadata,
                     offsets: [TopicPartition: (start: Int64, end: Int64)], listed: [String: String] = [:]) -> [String: [PartitionLag]] {
        let topicsOf = topicsOf(groups, descriptions: descriptions, committed: committed)
        var rowsByGroup: [String: [PartitionLag]] = [:]
        for g in groups {
            let commits = committed[g] ?? [:]
            let description = live(descriptions[g])
            guard description != nil || !commits.isEmpty || state(nil, listed: listed[g]) != "Empty" else { continue }
            var owners: [TopicPartition: String] = [:]
            for m in description?.members ?? [] {
                for tp in m.assignment { owners[tp] = m.clientId.isEmpty ? m.memberId : "\(m.clientId) (\(m.memberId))" }
            }
            var rows: [PartitionLag] = []
            for name in (topicsOf[g] ?? []).sorted() {
                guard let topic = metadata.topic(name) else {
                    // The topic was deleted: keep showing the commits, with nothing left to read.
                    for (tp, c) in commits where tp.topic == name {
                        rows.append(PartitionLag(topic: name, partition: tp.partition, committedOffset: c, logStartOffset: 0,
                                                 logEndOffset: 0, timeLagMs: 0, owner: owners[tp]))
                    }
                    continue
                }
                for p in topic.partitions {
                    let tp = TopicPartition(name, p.partition)
                    let o = offsets[tp] ?? (0, 0)
                    let c = commits[tp]
                    rows.append(PartitionLag(topic: name, partition: p.partition, committedOffset: c, logStartOffset: o.start,
                                             logEndOffset: o.end, timeLagMs: 0, owner: owners[tp]))
                }
            }
            rowsByGroup[g] = rows.sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) }
        }
        return rowsByGroup
    }

    /// Time lag = now − timestamp of the first unconsumed record: one small Fetch per leader for
    /// all lagging partitions (the first batch at the group's position), only for `describe`.
    public static func fillTimeLag(_ client: KafkaClient, _ rowsByGroup: inout [String: [PartitionLag]], nowMs now: Int64) async throws {
        var positions: [TopicPartition: Int64] = [:]
        var ranges: [TopicPartition: ClusterRecordReader.Range] = [:]
        for rows in rowsByGroup.values {
            for r in rows {
                let position = r.position
                guard position < r.logEndOffset else { continue }
                positions[TopicPartition(r.topic, r.partition)] = position
                ranges[TopicPartition(r.topic, r.partition)] = .init(from: position, until: r.logEndOffset, limit: 1)
            }
        }
        guard !positions.isEmpty else { return }
        // A failed fetch only costs the time lag column, not the report.
        guard let fetched = try? await ClusterRecordReader.read(client, ranges, partitionMaxBytes: ClusterRecordReader.firstRecordBytes) else { return }
        for (g, rows) in rowsByGroup {
            rowsByGroup[g] = rows.map { r in
                var r = r
                let tp = TopicPartition(r.topic, r.partition)
                if let position = positions[tp], let record = fetched[tp]?.first(where: { $0.offset >= position }) {
                    r.timeLagMs = LagRules.timeLagMs(position: position, logEnd: r.logEndOffset, firstUnconsumedTimestamp: record.timestamp, nowMs: now) ?? 0
                }
                return r
            }
        }
    }
}
