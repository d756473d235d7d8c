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
        public var commits: RingBuffer<CommitEntry>
        public var brokerEnds: RingBuffer<Int64>
        public var lastCommitMs: Int64?
        public var lastOffset: Int64?
        public var status: LagStatus = .ok
        public var seen: Int64 = 0
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
    public private(set) var partitionIn: [TopicPartitionRef: RateSeries] = [:]
    public private(set) var groups: [String: GroupMetrics] = [:]
    public private(set) var windows: [String: [TopicPartitionRef: PartitionWindow]] = [:]
    public private(set) var totalIn: RateSeries
    public private(set) var totalOut: RateSeries

    public init(config: Config = Config()) {
        self.config = config
        totalIn = RateSeries(window: config.rateWindow, historyLength: config.historyLength)
        totalOut = RateSeries(window: config.rateWindow, historyLength: config.historyLength)
    }

    // MARK: reading

    public func topicInRate(_ topic: String) -> Double { topicIn[topic]?.perSecond ?? 0 }
    public func partitionInRate(_ ref: TopicPartitionRef) -> Double { partitionIn[ref]?.perSecond ?? 0 }
    public func group(_ name: String) -> GroupMetrics? { groups[name] }
    public func status(group: String) -> LagStatus { groups[group]?.status ?? .ok }
    public func eta(group: String) -> CatchUpETA { groups[group]?.eta ?? .caughtUp }
    public func consumeRate(group: String) -> Double { groups[group]?.consumed.perSecond ?? 0 }
    public func produceRate(group: String) -> Double { groups[group]?.produced.perSecond ?? 0 }
    public func status(group: String, partition ref: TopicPartitionRef) -> LagStatus {
        windows[group]?[ref]?.status ?? .ok
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
        var logStarts: [TopicPartitionRef: (start: Int64, end: Int64)] = [:]
        var retained = Set<String>()
        logStarts.reserveCapacity(partitionIn.count)
        let fresh = newSeries()

        for topic in snapshot.topics {
            topicIn[topic.name, default: fresh].record(timeMs: now, value: topic.endOffsetSum)
            inSum += topic.endOffsetSum
            if topic.retentionMs != nil || topic.retentionBytes != nil { retained.insert(topic.name) }
            for p in topic.partitions {
                let ref = TopicPartitionRef(topic: topic.name, partition: p.partition)
                partitionIn[ref, default: fresh].record(timeMs: now, value: p.logEnd)
                logStarts[ref] = (p.logStart, p.logEnd)
            }
        }
        var risks: [String: RetentionRisk] = [:]
        for group in snapshot.groups {
            var g = groups[group.name] ?? GroupMetrics(
                consumed: fresh, produced: fresh,
                lagHistory: RingBuffer(capacity: config.historyLength))
            let committed = group.committedSum
            let ends = group.partitions.reduce(Int64(0)) { $0 + $1.logEnd }
            g.consumed.record(timeMs: now, value: committed)
            g.produced.record(timeMs: now, value: ends)
            outSum += committed
            g.totalLag = group.totalLag
            g.lagHistory.append(g.totalLag)
            g.eta = CatchUpETA.compute(lag: g.totalLag, consumeRate: g.consumed.perSecond, produceRate: g.produced.perSecond)
            g.status = ingestWindows(group: group, now: now)
            g.seen = tick
            groups[group.name] = g
            for p in group.partitions {
                let r = retentionRisk(committed: p.committed, range: logStarts[p.ref], retained: retained.contains(p.topic))
                if r > risks[p.topic, default: .none] { risks[p.topic] = r }
            }
        }
        topicRisk = risks
        totalIn.record(timeMs: now, value: inSum)
        totalOut.record(timeMs: now, value: outSum)
        prune(snapshot)
    }

    private func newSeries() -> RateSeries { RateSeries(window: config.rateWindow, historyLength: config.historyLength) }

    /// Appends this snapshot's commits to each partition's Burrow window; returns the group's
    /// worst partition status.
    private mutating func ingestWindows(group: GroupSnapshot, now: Int64) -> LagStatus {
        var table = windows[group.name] ?? [:]
        var worst = LagStatus.ok
        for p in group.partitions {
            var w = table[p.ref] ?? PartitionWindow(
                commits: RingBuffer(capacity: config.burrow.intervals),
                brokerEnds: RingBuffer(capacity: config.burrow.intervals))
            w.brokerEnds.append(p.logEnd)
            if let offset = p.committed {
                if let commitMs = p.lastCommitMs {
                    // One entry per distinct commit, stamped with the commit time.
                    if commitMs != w.lastCommitMs {
                        w.commits.append(CommitEntry(offset: offset, timestampMs: commitMs, lag: p.lag))
                        w.lastCommitMs = commitMs
                    }
                } else {
                    // No commit times from this source: one observation per snapshot.
                    w.commits.append(CommitEntry(offset: offset, timestampMs: now, lag: p.lag))
                }
                w.lastOffset = offset
            }
            w.status = BurrowEvaluator.status(window: w.commits.elements, brokerEnds: w.brokerEnds.elements,
                                              currentLag: p.lag, nowMs: now, config: config.burrow)
            w.seen = tick
            worst = max(worst, w.status)
            table[p.ref] = w
        }
        if table.count > group.partitions.count { table = table.filter { $0.value.seen == tick } }
        windows[group.name] = table
        return worst
    }

    private func retentionRisk(committed: Int64?, range: (start: Int64, end: Int64)?, retained: Bool) -> RetentionRisk {
        guard let committed, let range else { return .none }
        if committed < range.start { return .lost }
        guard retained, range.end > range.start, committed < range.end else { return .none }
        // Within the oldest tenth of what is retained: the next retention pass may take it.
        let margin = max(1, (range.end - range.start) / 10)
        return committed - range.start < margin ? .atRisk : .none
    }

    /// Drops entities the snapshot no longer has, keeping memory bounded.
    private mutating func prune(_ snapshot: ClusterSnapshot) {
        if topicIn.count > snapshot.topics.count {
            let names = Set(snapshot.topics.map(\.name))
            topicIn = topicIn.filter { names.contains($0.key) }
        }
        let partitionCount = snapshot.topics.reduce(0) { $0 + $1.partitions.count }
        if partitionIn.count > partitionCount {
            var refs = Set<TopicPartitionRef>()
            for t in snapshot.topics { for p in t.partitions { refs.insert(TopicPartitionRef(topic: t.name, partition: p.partition)) } }
            partitionIn = partitionIn.filter { refs.contains($0.key) }
        }
        if groups.count > snapshot.groups.count {
            groups = groups.filter { $0.value.seen == tick }
            windows = windows.filter { groups[$0.key] != nil }
        }
    }
}
