import Foundation
import WharfCore
import WharfEngine
import WharfKafkaClient

/// Group reports built over the Kafka protocol with the engine's rules (`Engine.groupLag`):
/// rows for every partition of every topic the group committed to or is assigned, lag =
/// end − (committed ?? start), owner "clientId (memberId)". Batched: one ListGroups per broker,
/// one DescribeGroups and OffsetFetch per coordinator, one ListOffsets pair per leader.
enum ClusterGroups {
    static func list(_ client: KafkaClient) async throws -> [GroupReport.Row] {
        let groups = try await client.listGroups()
        let lags = try await lags(client, groups.map(\.groupId), timeLag: false)
        return groups.map { g in
            let lag = lags[g.groupId]
            return GroupReport.Row(group: g.groupId, state: lag?.state ?? g.state, members: lag?.members ?? 0, totalLag: lag?.totalLag ?? 0)
        }
    }

    static func describe(_ client: KafkaClient, group: String) async throws -> GroupLag {
        guard let lag = try await lags(client, [group], timeLag: true)[group] else { throw WharfError.unknownGroup(group) }
        return lag
    }

    /// Lag of each group that exists (has members or commits); unknown groups are left out.
    static func lags(_ client: KafkaClient, _ groups: [String], timeLag: Bool) async throws -> [String: GroupLag] {
        try await lags(client, groups, timeLag: timeLag, known: nil)
    }

    /// The same, reusing a refresh's own Metadata and log offsets (a dashboard refresh has just
    /// fetched both for every partition), so one refresh does not ask for them twice. Asks again
    /// only for what they lack: metadata when a group committed to a topic it does not list (a
    /// topic created since), offsets of partitions it has none for.
    static func lags(_ client: KafkaClient, _ groups: [String], timeLag: Bool, metadata: ClusterMetadata,
                     logOffsets: [TopicPartition: (start: Int64, end: Int64)]) async throws -> [String: GroupLag] {
        try await lags(client, groups, timeLag: timeLag, known: (metadata, logOffsets))
    }

    private static func lags(_ client: KafkaClient, _ groups: [String], timeLag: Bool,
                             known: (metadata: ClusterMetadata, offsets: [TopicPartition: (start: Int64, end: Int64)])?) async throws -> [String: GroupLag] {
        guard !groups.isEmpty else { return [:] }
        let descriptions = try await client.describeGroups(groups)
        let committed = try await client.offsetFetch(groups)
        let metadata: ClusterMetadata
        if let known, committed.values.allSatisfy({ $0.keys.allSatisfy { known.metadata.topic($0.topic) != nil } }) {
            metadata = known.metadata
        } else {
            metadata = try await client.refreshMetadata()
        }

        // A group the coordinator does not know is reported "Dead" with no members.
        func live(_ g: String) -> WharfKafkaClient.GroupDescription? {
            guard let d = descriptions[g], !(d.state == "Dead" && d.members.isEmpty) else { return nil }
            return d
        }
        var topicsOf: [String: Set<String>] = [:]
        var owners: [String: [TopicPartition: String]] = [:]
        for g in groups {
            var topics = Set((committed[g] ?? [:]).keys.map(\.topic))
            for m in live(g)?.members ?? [] {
                for tp in m.assignment {
                    owners[g, default: [:]][tp] = m.clientId.isEmpty ? m.memberId : "\(m.clientId) (\(m.memberId))"
                    topics.insert(tp.topic)
                }
            }
            topicsOf[g] = topics
        }
        let allTopics = Set(topicsOf.values.flatMap { $0 })
        let partitions = allTopics.compactMap { metadata.topic($0) }.flatMap { t in t.partitions.map { TopicPartition(t.name, $0.partition) } }
        var offsets = known?.offsets ?? [:]
        let missing = partitions.filter { offsets[$0] == nil }
        if !missing.isEmpty { offsets.merge(try await client.logOffsets(missing)) { _, fetched in fetched } }

        var out: [String: GroupLag] = [:]
        var rowsByGroup: [String: [PartitionLag]] = [:]
        for g in groups {
            let commits = committed[g] ?? [:]
            guard live(g) != nil || !commits.isEmpty else { continue }
            var rows: [PartitionLag] = []
            for name in (topicsOf[g] ?? []).sorted() {
                guard let topic = metadata.topic(name) else {
                    // The topic was deleted: keep showing the commits, with nothing left to read.
                    for (tp, c) in commits where tp.topic == name {
                        rows.append(PartitionLag.make(topic: name, partition: tp.partition, committedOffset: c, logStartOffset: 0,
                                                 logEndOffset: 0, lag: 0, timeLagMs: 0, owner: owners[g]?[tp]))
                    }
                    continue
                }
                for p in topic.partitions {
                    let tp = TopicPartition(name, p.partition)
                    let o = offsets[tp] ?? (0, 0)
                    let c = commits[tp]
                    rows.append(PartitionLag.make(topic: name, partition: p.partition, committedOffset: c, logStartOffset: o.start,
                                             logEndOffset: o.end, lag: max(0, o.end - (c ?? o.start)), timeLagMs: 0, owner: owners[g]?[tp]))
                }
            }
            rowsByGroup[g] = rows.sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) }
        }
        if timeLag { try await fillTimeLag(client, &rowsByGroup) }
        for (g, rows) in rowsByGroup {
            let d = live(g)
            out[g] = GroupLag.make(group: g, state: d?.state ?? "Empty", members: d?.members.count ?? 0, partitions: rows)
        }
        return out
    }

    /// Time lag = now − timestamp of the first unconsumed record: one small Fetch per leader for
    /// all lagging partitions (the first batch at the group's position), only for `describe`.
    static func fillTimeLag(_ client: KafkaClient, _ rowsByGroup: inout [String: [PartitionLag]]) async throws {
        var positions: [TopicPartition: Int64] = [:]
        for rows in rowsByGroup.values {
            for r in rows {
                let position = max(r.committedOffset ?? r.logStartOffset, r.logStartOffset)
                if position < r.logEndOffset { positions[TopicPartition(r.topic, r.partition)] = position }
            }
        }
        guard !positions.isEmpty else { return }
        // A failed fetch only costs the time lag column, not the report.
        guard let fetched = try? await client.fetch(positions, partitionMaxBytes: 1, maxRecords: 1) else { return }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        for (g, rows) in rowsByGroup {
            rowsByGroup[g] = rows.map { r in
                var r = r
                let tp = TopicPartition(r.topic, r.partition)
                if let position = positions[tp], let record = fetched[tp]?.records.first(where: { $0.offset >= position }) {
                    r.timeLagMs = max(0, now - record.timestamp)
                }
                return r
            }
        }
    }
}
