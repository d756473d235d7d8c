import WharfAdmin
import WharfCore
import WharfKafkaClient

/// One refresh of the cluster, with a bounded number of requests whatever the cluster's size: one
/// Metadata, one ListOffsets pair and one DescribeLogDirs per leader broker for every partition,
/// one ListGroups per broker, and per coordinator one DescribeGroups and one OffsetFetch (all
/// groups in one request from OffsetFetch v8). Time lag adds at most one small Fetch per leader,
/// and only for positions it has not seen before (`TimeLagCache`).
extension KafkaClusterSource {
    public func readOverview() async throws -> ClusterOverview {
        // ListGroups refreshes the metadata itself (it asks every broker), so it goes first and
        // the topics reuse that answer: one Metadata per refresh, not two.
        // Wharf's requeue bookmarks are groups only to Wharf, as on the embedded engine.
        let listing = try await client.listGroups().filter { !RequeueRules.isBookmark($0.groupId) }
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
            // Not read yet: unknown, shown as no limit until it is.
            let retention = retention.values[t.name] ?? (-1, -1)
            return TopicDescription(name: t.name, isInternal: t.isInternal, retentionMs: retention.ms, retentionBytes: retention.bytes,
                                    partitions: t.partitions.map { p in
                let tp = TopicPartition(t.name, p.partition)
                let o = offsets[tp] ?? (0, 0)
                return PartitionDescription(partition: p.partition, logStartOffset: o.start, logEndOffset: o.end, sizeBytes: sizes[tp] ?? -1,
                                            segments: -1, leader: p.leader, replicas: p.replicas.count, inSyncReplicas: p.inSync.count)
            })
        }

        let ids = listing.map(\.groupId)
        let listed = ClusterGroups.listedStates(listing)
        var groups: [GroupStatus] = []
        if !ids.isEmpty {
            let descriptions = try await client.describeGroups(ids)
            let committed = try await client.offsetFetch(ids)
            let rows = ClusterGroups.rows(ids, descriptions: descriptions, committed: committed, metadata: metadata, offsets: offsets, listed: listed)
            let now = clock.nowMillis()
            let timestamps = await firstUnconsumedTimestamps(rows.values.flatMap { $0 })
            for g in ids {
                guard let lagRows = rows[g] else { continue }
                let members = (ClusterGroups.live(descriptions[g])?.members ?? []).map {
                    GroupStatus.Member(memberId: $0.memberId, clientId: $0.clientId, host: $0.host, assigned: $0.assignment)
                }
                var unknown: Set<TopicPartition> = []
                let filled = lagRows.map { r in
                    var r = r
                    let tp = TopicPartition(r.topic, r.partition)
                    if let ms = LagRules.timeLagMs(position: r.position, logEnd: r.logEndOffset, firstUnconsumedTimestamp: timestamps[tp], nowMs: now) {
                        r.timeLagMs = ms
                    } else {
                        unknown.insert(tp)
                    }
                    return r
                }
                groups.append(GroupStatus(group: g, state: ClusterGroups.state(descriptions[g], listed: listed[g]), members: members,
                                          partitions: filled, unknownTimeLag: unknown))
            }
        }
        let brokers = metadata.brokers.count
        return ClusterOverview(timeMs: clock.nowMillis(), sourceDetail: "\(brokers) broker\(brokers == 1 ? "" : "s")", topics: topics,
                               groups: groups, brokers: ClusterBrokers.describe(metadata, logDirs),
                               disk: logDirs.fullestVolume.map {
                                   .init(volume: .init(totalBytes: $0.totalBytes, usableBytes: $0.usableBytes), broker: $0.broker)
                               })
    }

    /// Retention rarely changes: DescribeConfigs (one request for all topics) for topics not seen
    /// before, and for every topic once a minute. A failure leaves retention as it was.
    func refreshRetention(_ names: [String]) async {
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

    /// The timestamp of the record at each lagging partition's position, from the cache, with one
    /// batched Fetch (one request per leader, one record each) for the positions it lacks. A
    /// group's position changes only when it commits, so a stopped or slow group costs nothing
    /// after its first refresh. A failed fetch only leaves time lag unknown for this refresh.
    func firstUnconsumedTimestamps(_ rows: [PartitionLag]) async -> [TopicPartition: Int64] {
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
