import WharfAdmin
import WharfClusterSource
import WharfCore
import WharfDashboard
import WharfEngine
import WharfKafkaClient

/// One refresh of the cluster view, with a bounded number of requests whatever the cluster's
/// size: one Metadata, one ListOffsets pair and one DescribeLogDirs per leader broker for every
/// partition, one
/// ListGroups per broker, and per coordinator one DescribeGroups and one OffsetFetch (all
/// groups in one request from OffsetFetch v8). Time lag adds at most one small Fetch per
/// leader, and only for positions it has not seen before (`TimeLagCache`).
extension ClusterDashboardDriver {
    public func readCluster() async throws -> ClusterSnapshot {
        // ListGroups refreshes the metadata itself (it asks every broker), so it goes first and
        // the topics reuse that answer: one Metadata per refresh, not two.
        // Wharf's requeue bookmarks are groups only to Wharf, as on the embedded dashboard.
        let listing = try await client.listGroups().filter { !$0.groupId.hasPrefix(RequeueRules.group(for: "")) }
        let metadata = try await client.currentMetadata()
        // A partition without a leader has no offsets to ask for (asking would fail the whole
        // refresh): it is shown with leader "none" instead.
        let partitions = metadata.topics.flatMap { t in t.partitions.filter { $0.leader >= 0 }.map { TopicPartition(t.name, $0.partition) } }
        // Sizes and disks travel beside the offsets (one round trip for both).
        async let logDirsAnswer = ClusterTopics.logDirs(client, partitions)
        let offsets = partitions.isEmpty ? [:] : try await client.logOffsets(partitions)
        let logDirs = await logDirsAnswer
        let sizes = logDirs.sizes
        await refreshRetention(metadata.topics.map(\.name))
        let topics = metadata.topics.map { t in
            let retention = retention.values[t.name]
            return TopicSnapshot(name: t.name, partitions: t.partitions.map { p in
                let tp = TopicPartition(t.name, p.partition)
                let o = offsets[tp] ?? (0, 0)
                return PartitionSnapshot(partition: p.partition, logStart: o.start, logEnd: o.end,
                                         sizeBytes: sizes[tp] ?? PartitionSnapshot.unknownSize, leader: p.leader,
                                         replicas: p.replicas.count, inSyncReplicas: p.inSync.count)
            }, retentionMs: retention.flatMap { $0.ms < 0 ? nil : $0.ms }, retentionBytes: retention.flatMap { $0.bytes < 0 ? nil : $0.bytes },
               isInternal: t.isInternal)
        }

        let ids = listing.map(\.groupId)
        let listed = ClusterGroups.listedStates(listing)
        var groups: [GroupSnapshot] = []
        if !ids.isEmpty {
            let descriptions = try await client.describeGroups(ids)
            let committed = try await client.offsetFetch(ids)
            let rows = ClusterGroups.rows(ids, descriptions: descriptions, committed: committed, metadata: metadata, offsets: offsets, listed: listed)
            let now = clock.nowMillis()
            let timestamps = await firstUnconsumedTimestamps(rows.values.flatMap { $0 })
            for g in ids {
                guard let lagRows = rows[g] else { continue }
                let members = (ClusterGroups.live(descriptions[g])?.members ?? []).map { ($0.memberId, $0.clientId, $0.host, $0.assignment) }
                groups.append(GroupSnapshot(name: g, state: ClusterGroups.state(descriptions[g], listed: listed[g]), members: members, rows: lagRows) {
                    Self.timeLag($0, timestamps[TopicPartition($0.topic, $0.partition)], nowMs: now)
                })
            }
        }
        let brokers = metadata.brokers.count
        let deadLetters = await deadLetterTopicSnapshots(topics)
        return ClusterSnapshot(timeMs: clock.nowMillis(), source: "\(source) · \(brokers) broker\(brokers == 1 ? "" : "s")",
                               topics: topics, groups: groups, deadLetters: deadLetters.isEmpty ? nil : deadLetters,
                               disk: logDirs.fullestVolume.map {
                                   DiskSnapshot(totalBytes: $0.totalBytes, freeBytes: $0.usableBytes, location: "broker \($0.broker)")
                               },
                               brokers: ClusterBrokers.describe(metadata, logDirs).map { BrokerSnapshot($0, diskLocation: "broker \($0.id)") })
    }

    /// Retention rarely changes: DescribeConfigs (one request for all topics) for topics not seen
    /// before, and for every topic once a minute. A failure leaves retention as it was.
    public func refreshRetention(_ names: [String]) async {
        let now = clock.nowMillis()
        let stale = now - retention.readAtMs >= RetentionCache.maxAgeMs
        let wanted = stale ? names : names.filter { retention.values[$0] == nil }
        guard !wanted.isEmpty, let read = try? await ClusterTopics.retention(client, wanted) else { return }
        if stale {
            retention.values = [:]
            retention.readAtMs = now
        }
        for (name, value) in read { retention.values[name] = value }
    }

    /// Time lag of one row: 0 when caught up, now − timestamp of the first unconsumed record when
    /// that record was read, nil (unknown) when it could not be.
    public static func timeLag(_ r: PartitionLag, _ firstUnconsumed: Int64?, nowMs: Int64) -> Int64? {
        LagRules.timeLagMs(position: r.position, logEnd: r.logEndOffset, firstUnconsumedTimestamp: firstUnconsumed, nowMs: nowMs)
    }

    /// The timestamp of the record at each lagging partition's position, from the cache, with one
    /// batched Fetch (one request per leader, one record each) for the positions it lacks. A
    /// group's position changes only when it commits, so a stopped or slow group costs nothing
    /// after its first refresh. A failed fetch only leaves time lag unknown for this refresh.
    public func firstUnconsumedTimestamps(_ rows: [PartitionLag]) async -> [TopicPartition: Int64] {
        var positions: [TopicPartition: Int64] = [:]
        var ends: [TopicPartition: Int64] = [:]
        for r in rows {
            let position = r.position
            guard position < r.logEndOffset else { continue }
            positions[TopicPartition(r.topic, r.partition)] = position
            ends[TopicPartition(r.topic, r.partition)] = r.logEndOffset
        }
        var out: [TopicPartition: Int64] = [:]
        var missing: [TopicPartition: Int64] = [:]
        for (tp, position) in positions {
            if let ts = timeLag.timestamp(tp, at: position) { out[tp] = ts } else { missing[tp] = position }
        }
        // Bounded per refresh: the rest are read on the following ones.
        let batch = Dictionary(uniqueKeysWithValues: missing.sorted { $0.key < $1.key }.prefix(TimeLagCache.maxFetchesPerRefresh).map { ($0.key, $0.value) })
        let ranges = batch.reduce(into: [TopicPartition: ClusterRecordReader.Range]()) { out, e in
            out[e.key] = .init(from: e.value, until: ends[e.key] ?? e.value, limit: 1)
        }
        if !batch.isEmpty, let fetched = try? await ClusterRecordReader.read(client, ranges, partitionMaxBytes: ClusterRecordReader.firstRecordBytes) {
            for (tp, position) in batch {
                guard let record = fetched[tp]?.first(where: { $0.offset >= position }) else { continue }
                timeLag.store(tp, position: position, timestamp: record.timestamp)
                out[tp] = record.timestamp
            }
        }
        timeLag.keepOnly(Set(positions.keys))
        return out
    }
}

/// Topics' `retention.ms` and `retention.bytes` (negative: unlimited) as last read.
public struct RetentionCache: Sendable {
    public static let maxAgeMs: Int64 = 60_000
    public var values: [String: (ms: Int64, bytes: Int64)] = [:]
    public var readAtMs: Int64 = .min / 2
}

/// The timestamp of the record at a group's position, per partition. Two groups at the same
/// position share an entry; a different position replaces it.
public struct TimeLagCache: Sendable {
    /// Fetches per refresh are bounded so a cluster of thousands of lagging partitions does not
    /// turn one refresh into a scan; the remainder is read over the next refreshes.
    public static let maxFetchesPerRefresh = 500
    private var entries: [TopicPartition: [Int64: Int64]] = [:]

    public func timestamp(_ tp: TopicPartition, at position: Int64) -> Int64? { entries[tp]?[position] }

    public mutating func store(_ tp: TopicPartition, position: Int64, timestamp: Int64) {
        entries[tp, default: [:]][position] = timestamp
        // Several groups may sit at different positions of one partition; keep a few.
        if entries[tp]!.count > 8, let oldest = entries[tp]!.keys.min() { entries[tp]![oldest] = nil }
    }

    public mutating func keepOnly(_ live: Set<TopicPartition>) {
        if entries.count > live.count { entries = entries.filter { live.contains($0.key) } }
    }
}
