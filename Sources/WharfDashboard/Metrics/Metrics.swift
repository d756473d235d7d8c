import WharfCore

/// Everything the dashboard derives from successive snapshots: rates, lag history, catch-up
/// ETA, Burrow status and retention risk.
///
/// Memory is bounded: every history is a `RingBuffer`, and entities missing from the latest
/// snapshot are dropped, so a long-running dashboard on a churning cluster does not grow.
/// `ingest` does the work once per tick; renders only read.
public struct Metrics: Sendable {
    public struct Config: Sendable, Equatable {
        /// Samples the rates are measured over.
        public var rateWindow: Int
        /// Points kept for sparklines.
        public var historyLength: Int
        public var burrow: BurrowConfig

        public init(rateWindow: Int = 5, historyLength: Int = 60,
                    burrow: BurrowConfig = BurrowConfig(intervals: 10, allowedLag: 0, minimumStopMs: 5_000)) {
            self.rateWindow = rateWindow
            self.historyLength = historyLength
            self.burrow = burrow
        }
    }

    public struct GroupMetrics: Sendable {
        public var consumed: RateSeries
        public var produced: RateSeries
        public var lagHistory: RingBuffer<Int64>
        public var status: LagStatus = .ok
        public var eta: CatchUpETA = .caughtUp
        public var totalLag: Int64 = 0
        public var seen: Int64 = 0
    }

    public struct PartitionWindow: Sendable {
        public var ref: TopicPartitionRef
        public var commits: RingBuffer<CommitEntry>
        public var brokerEnds: RingBuffer<Int64>
        public var lastCommitMs: Int64?
        public var lastOffset: Int64?
        public var status: LagStatus = .ok
        /// Per-partition rates (no sparkline history: one sample window each keeps 10,000
        /// partitions cheap), for the partition's own catch-up ETA.
        public var consumed = RateSeries(window: 5, historyLength: 1)
        public var produced = RateSeries(window: 5, historyLength: 1)
        public var eta: CatchUpETA = .caughtUp

        /// Records this snapshot's commit (Burrow window entry) and re-evaluates the status.
        mutating func observe(_ p: GroupPartitionSnapshot, now: Int64, config: BurrowConfig) {
            brokerEnds.append(p.logEnd)
            if let offset = p.committed {
                if let commitMs = p.lastCommitMs {
                    // One entry per distinct commit, stamped with the commit time.
                    if commitMs != lastCommitMs {
                        commits.append(CommitEntry(offset: offset, timestampMs: commitMs, lag: p.lag))
                        lastCommitMs = commitMs
                    }
                } else {
                    // No commit times from this source: one observation per snapshot.
                    commits.append(CommitEntry(offset: offset, timestampMs: now, lag: p.lag))
                }
                lastOffset = offset
            }
            status = BurrowEvaluator.status(window: commits, brokerEnds: brokerEnds, currentLag: p.lag, nowMs: now, config: config)
            if let offset = p.committed { consumed.record(timeMs: now, value: offset) }
            produced.record(timeMs: now, value: p.logEnd)
            eta = CatchUpETA.compute(lag: p.lag, consumeRate: consumed.perSecond, produceRate: produced.perSecond)
        }
    }

    /// Retention risk of a topic: a group's committed offset is about to fall (or fell) below
    /// the log start, so unconsumed records will be (or were) deleted by retention.
    public enum RetentionRisk: Int, Sendable, Comparable {
        case none = 0, atRisk, lost
        public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    }

    public let config: Config
    public private(set) var tick: Int64 = 0
    public private(set) var lastTimeMs: Int64?
    public private(set) var topicIn: [String: RateSeries] = [:]
    public private(set) var topicRisk: [String: RetentionRisk] = [:]
    /// Topic -> partition -> in-rate (nested so a tick hashes each topic name once, not once
    /// per partition).
    public private(set) var partitionIn: [String: [Int32: RateSeries]] = [:]
    public private(set) var groups: [String: GroupMetrics] = [:]
    /// Group -> Burrow windows, in the order of the group's partitions in the last snapshot
    /// (so a steady tick matches them by position without hashing).
    public private(set) var windows: [String: [PartitionWindow]] = [:]
    public private(set) var totalIn: RateSeries
    public private(set) var totalOut: RateSeries
    /// Queue depths and dead-letter growth (Queues and Dead letters views).
    public private(set) var queues: QueueMetrics
    /// Per outbox: publish and failure rates and the backlog history (Metrics+Outbox.swift).
    public internal(set) var outboxes: [String: OutboxMetrics] = [:]

    public init(config: Config = Config()) {
        self.config = config
        totalIn = RateSeries(window: config.rateWindow, historyLength: config.historyLength)
        totalOut = RateSeries(window: config.rateWindow, historyLength: config.historyLength)
        queues = QueueMetrics(historyLength: config.historyLength)
    }

    // MARK: reading

    public func topicInRate(_ topic: String) -> Double { topicIn[topic]?.perSecond ?? 0 }
    public func partitionInRate(_ ref: TopicPartitionRef) -> Double { partitionSeries(ref)?.perSecond ?? 0 }
    public func partitionSeries(_ ref: TopicPartitionRef) -> RateSeries? { partitionIn[ref.topic]?[ref.partition] }
    public func window(group: String, partition ref: TopicPartitionRef) -> PartitionWindow? {
        windows[group]?.first { $0.ref == ref }
    }
    public func group(_ name: String) -> GroupMetrics? { groups[name] }
    public func status(group: String) -> LagStatus { groups[group]?.status ?? .ok }
    public func eta(group: String) -> CatchUpETA { groups[group]?.eta ?? .caughtUp }
    public func consumeRate(group: String) -> Double { groups[group]?.consumed.perSecond ?? 0 }
    public func produceRate(group: String) -> Double { groups[group]?.produced.perSecond ?? 0 }
    public func status(group: String, partition ref: TopicPartitionRef) -> LagStatus {
        window(group: group, partition: ref)?.status ?? .ok
    }
    /// The group's worst partition and why it has that status ("orders/2: lag never decreased...").
    public func statusReason(group: String) -> String? {
        guard let worst = groups[group]?.status, worst != .ok, let now = lastTimeMs,
              let w = windows[group]?.first(where: { $0.status == worst }),
              let why = BurrowEvaluator.explain(worst, window: w.commits, nowMs: now) else { return nil }
        return "\(w.ref.topic)/\(w.ref.partition): \(why)"
    }

    public func risk(topic: String) -> RetentionRisk { topicRisk[topic] ?? .none }

    // MARK: ingesting

    public mutating func ingest(_ snapshot: ClusterSnapshot) {
        if let last = lastTimeMs, snapshot.timeMs <= last { return }
        tick += 1
        lastTimeMs = snapshot.timeMs
        let now = snapshot.timeMs
        var inSum: Int64 = 0
        var outSum: Int64 = 0
        var topicIndex: [String: Int] = [:]
        topicIndex.reserveCapacity(snapshot.topics.count)
        let fresh = newSeries()

        for (ti, topic) in snapshot.topics.enumerated() {
            topicIndex[topic.name] = ti
            topicIn[topic.name, default: fresh].record(timeMs: now, value: topic.endOffsetSum)
            inSum = OffsetMath.add(inSum, topic.endOffsetSum)
            var perPartition = partitionIn.removeValue(forKey: topic.name) ?? [:]
            for p in topic.partitions {
                perPartition[p.partition, default: fresh].record(timeMs: now, value: p.logEnd)
            }
            if perPartition.count > topic.partitions.count {
                let live = Set(topic.partitions.map(\.partition))
                perPartition = perPartition.filter { live.contains($0.key) }
            }
            partitionIn[topic.name] = perPartition
        }
        var risks: [String: RetentionRisk] = [:]
        for group in snapshot.groups {
            // Taken out of the dictionary so appending to its ring buffers does not copy them.
            var g = groups.removeValue(forKey: group.name) ?? GroupMetrics(
                consumed: fresh, produced: fresh,
                lagHistory: RingBuffer(capacity: config.historyLength))
            let committed = group.committedSum
            let ends = OffsetMath.sum(group.partitions.lazy.map(\.logEnd))
            g.consumed.record(timeMs: now, value: committed)
            g.produced.record(timeMs: now, value: ends)
            outSum = OffsetMath.add(outSum, committed)
            g.totalLag = group.totalLag
            g.lagHistory.append(g.totalLag)
            g.eta = CatchUpETA.compute(lag: g.totalLag, consumeRate: g.consumed.perSecond, produceRate: g.produced.perSecond)
            g.status = ingestWindows(group: group, now: now)
            g.seen = tick
            groups[group.name] = g
            for p in group.partitions {
                guard let ti = topicIndex[p.topic] else { continue }
                let r = retentionRisk(committed: p.committed, timeLagMs: p.timeLagMs, partition: p.partition, topic: snapshot.topics[ti])
                if r > risks[p.topic, default: .none] { risks[p.topic] = r }
            }
        }
        topicRisk = risks
        totalIn.record(timeMs: now, value: inSum)
        totalOut.record(timeMs: now, value: outSum)
        queues.ingest(snapshot)
        ingestOutboxes(snapshot.outboxes ?? [], now: now)
        prune(snapshot)
    }

    private func newSeries() -> RateSeries { RateSeries(window: config.rateWindow, historyLength: config.historyLength) }

    /// Appends this snapshot's commits to each partition's Burrow window; returns the group's
    /// worst partition status.
    private mutating func ingestWindows(group: GroupSnapshot, now: Int64) -> LagStatus {
        // Taken out of the dictionary and mutated in place, so the ring buffers are uniquely
        // referenced and appending does not copy them.
        var table = windows.removeValue(forKey: group.name) ?? []
        let aligned = table.count == group.partitions.count
            && zip(table, group.partitions).allSatisfy { $0.ref.partition == $1.partition && $0.ref.topic == $1.topic }
        if !aligned {
            // Partitions added, removed or reordered: rebuild, keeping the windows that still exist.
            var byRef = Dictionary(table.map { ($0.ref, $0) }, uniquingKeysWith: { a, _ in a })
            table = group.partitions.map { p in
                byRef.removeValue(forKey: p.ref) ?? PartitionWindow(
                    ref: p.ref, commits: RingBuffer(capacity: config.burrow.intervals),
                    brokerEnds: RingBuffer(capacity: config.burrow.intervals))
            }
        }
        var worst = LagStatus.ok
        for (i, p) in group.partitions.enumerated() {
            table[i].observe(p, now: now, config: config.burrow)
            worst = max(worst, table[i].status)
        }
        windows[group.name] = table
        return worst
    }

    /// `.lost` when the committed offset is below the log start; `.atRisk` when its record is
    /// older than 80% of the retention time (time lag), or when the partition is at 80% of its
    /// size limit and the offset lies in the oldest tenth of the retained range: either way the
    /// next retention pass may delete records the group has not read.
    private func retentionRisk(committed: Int64?, timeLagMs: Int64?, partition: Int32, topic: TopicSnapshot) -> RetentionRisk {
        guard let committed else { return .none }
        let parts = topic.partitions
        let i = Int(partition)
        guard let part = (i >= 0 && i < parts.count && parts[i].partition == partition) ? parts[i]
                : parts.first(where: { $0.partition == partition }) else { return .none }
        if committed < part.logStart { return .lost }
        if let retention = topic.retentionMs, retention > 0, let age = timeLagMs, age >= retention / 10 * 8 { return .atRisk }
        // Size retention only bites once the partition is near its limit; until then the oldest
        // records are safe however close the group is to the log start.
        guard let limit = topic.retentionBytes, limit > 0, part.sizeBytes >= limit / 10 * 8,
              part.logEnd > part.logStart, committed < part.logEnd else { return .none }
        // Within the oldest tenth of what is retained: the next retention pass may take it.
        let margin = max(1, (part.logEnd - part.logStart) / 10)
        return committed - part.logStart < margin ? .atRisk : .none
    }

    /// Drops entities the snapshot no longer has, keeping memory bounded.
    private mutating func prune(_ snapshot: ClusterSnapshot) {
        if topicIn.count > snapshot.topics.count {
            let names = Set(snapshot.topics.map(\.name))
            topicIn = topicIn.filter { names.contains($0.key) }
        }
        if partitionIn.count > snapshot.topics.count {
            let names = Set(snapshot.topics.map(\.name))
            partitionIn = partitionIn.filter { names.contains($0.key) }
        }
        if groups.count > snapshot.groups.count {
            groups = groups.filter { $0.value.seen == tick }
            windows = windows.filter { groups[$0.key] != nil }
        }
    }
}
