import Testing
@testable import WharfDashboard

@Suite("Burrow rules, rates and ETA")
struct MetricsTests {
    static func window(_ entries: [(offset: Int64, t: Int64, lag: Int64)]) -> [CommitEntry] {
        entries.map { CommitEntry(offset: $0.offset, timestampMs: $0.t, lag: $0.lag) }
    }

    @Test("zero current lag is always OK")
    func zeroLag() {
        let w = Self.window([(10, 0, 5), (10, 1000, 5)])
        #expect(BurrowEvaluator.status(window: w, brokerEnds: [], currentLag: 0, nowMs: 100_000) == .ok)
    }

    @Test("STOP: silent for longer than the window spans")
    func stop() {
        let w = Self.window([(10, 0, 5), (20, 10_000, 5), (30, 20_000, 5)])
        #expect(BurrowEvaluator.status(window: w, brokerEnds: [50], currentLag: 20, nowMs: 40_001) == .stop)
        // ...but not while the silence is shorter than the span.
        #expect(BurrowEvaluator.status(window: w, brokerEnds: [50], currentLag: 20, nowMs: 39_000) != .stop)
        // Burrow #338: a recent broker end offset at or below the commit means nothing to consume.
        #expect(BurrowEvaluator.status(window: w, brokerEnds: [30, 50], currentLag: 20, nowMs: 40_001) != .stop)
        // The configurable floor keeps a one-commit window from reading STOP at once.
        let single = Self.window([(10, 0, 5)])
        let cfg = BurrowConfig(intervals: 10, allowedLag: 0, minimumStopMs: 5000)
        #expect(BurrowEvaluator.status(window: single, brokerEnds: [], currentLag: 5, nowMs: 4000, config: cfg) == .ok)
        #expect(BurrowEvaluator.status(window: single, brokerEnds: [], currentLag: 5, nowMs: 6000, config: cfg) == .stop)
    }

    @Test("REWIND: the offset went backwards and has not recovered")
    func rewind() {
        let w = Self.window([(100, 0, 5), (120, 1000, 5), (50, 2000, 70)])
        #expect(BurrowEvaluator.status(window: w, brokerEnds: [], currentLag: 70, nowMs: 2000) == .rewind)
        let recovered = Self.window([(100, 0, 5), (50, 1000, 60), (130, 2000, 5)])
        #expect(BurrowEvaluator.status(window: recovered, brokerEnds: [], currentLag: 5, nowMs: 2000) == .ok)
    }

    @Test("STALL: committing, lag never zero, offset never moves")
    func stall() {
        let w = Self.window([(10, 0, 5), (10, 1000, 6), (10, 2000, 7)])
        #expect(BurrowEvaluator.status(window: w, brokerEnds: [], currentLag: 7, nowMs: 2000) == .stall)
    }

    @Test("WARN: offsets move but lag never decreases; a zero-lag entry makes it OK")
    func warn() {
        let w = Self.window([(10, 0, 5), (12, 1000, 6), (14, 2000, 6)])
        #expect(BurrowEvaluator.status(window: w, brokerEnds: [], currentLag: 6, nowMs: 2000) == .warn)
        let decreasing = Self.window([(10, 0, 5), (12, 1000, 4), (14, 2000, 6)])
        #expect(BurrowEvaluator.status(window: decreasing, brokerEnds: [], currentLag: 6, nowMs: 2000) == .ok)
        let zeroOnce = Self.window([(10, 0, 0), (10, 1000, 6), (10, 2000, 7)])
        #expect(BurrowEvaluator.status(window: zeroOnce, brokerEnds: [], currentLag: 7, nowMs: 2000) == .ok)
    }

    @Test("the demo's groups: keeping up is OK, the slow one WARNs, the stopped one STOPs")
    func demoStatuses() {
        let state = Fixture.state(ticks: 12)
        #expect(state.metrics.status(group: "billing") == .ok)
        #expect(state.metrics.status(group: "analytics") == .warn)
        #expect(state.metrics.status(group: "legacy-export") == .stop)
    }

    @Test("rates from successive snapshots")
    func rates() {
        var metrics = Metrics()
        func snap(_ t: Int64, end: Int64, committed: Int64) -> ClusterSnapshot {
            ClusterSnapshot(timeMs: t, source: "t",
                            topics: [TopicSnapshot(name: "a", partitions: [PartitionSnapshot(partition: 0, logStart: 0, logEnd: end, sizeBytes: 0)])],
                            groups: [GroupSnapshot(name: "g", state: "Stable", partitions: [
                                GroupPartitionSnapshot(topic: "a", partition: 0, committed: committed, logEnd: end, lag: end - committed)])])
        }
        metrics.ingest(snap(0, end: 1000, committed: 0))
        #expect(metrics.topicInRate("a") == 0)
        metrics.ingest(snap(2000, end: 1200, committed: 300))
        #expect(metrics.topicInRate("a") == 100)
        #expect(metrics.consumeRate(group: "g") == 150)
        #expect(metrics.produceRate(group: "g") == 100)
        // lag 900 / (150 - 100) = 18 s
        #expect(metrics.eta(group: "g") == .eta(ms: 18_000))
        #expect(metrics.window(group: "g", partition: TopicPartitionRef(topic: "a", partition: 0))?.eta == .eta(ms: 18_000))
        // A repeated snapshot changes nothing.
        metrics.ingest(snap(2000, end: 5000, committed: 300))
        #expect(metrics.topicInRate("a") == 100)
        // Entities that disappear are dropped (bounded memory).
        metrics.ingest(ClusterSnapshot(timeMs: 3000, source: "t"))
        #expect(metrics.topicIn.isEmpty && metrics.groups.isEmpty && metrics.partitionIn.isEmpty && metrics.windows.isEmpty)
    }

    @Test("ETA: never when consumption does not outpace production")
    func eta() {
        #expect(CatchUpETA.compute(lag: 0, consumeRate: 0, produceRate: 5) == .caughtUp)
        #expect(CatchUpETA.compute(lag: 100, consumeRate: 5, produceRate: 5) == .never)
        #expect(CatchUpETA.compute(lag: 100, consumeRate: 3, produceRate: 5) == .never)
        #expect(CatchUpETA.compute(lag: 100, consumeRate: 15, produceRate: 5) == .eta(ms: 10_000))
        #expect(CatchUpETA.never.label == "never")
    }

    @Test("history stays bounded however many ticks arrive")
    func bounded() {
        var cluster = SyntheticCluster(demoAt: Fixture.start)
        var metrics = Metrics(config: Metrics.Config(rateWindow: 5, historyLength: 30))
        for i in 0..<200 {
            cluster.advance(to: Fixture.start + Int64(i) * 1000)
            metrics.ingest(cluster.snapshot())
        }
        #expect(metrics.totalIn.history.count == 30)
        #expect(metrics.group("analytics")!.lagHistory.count == 30)
        #expect(metrics.windows["analytics"]!.allSatisfy { $0.commits.count <= 10 })
        #expect(metrics.totalIn.samples.count == 6)
    }

    @Test("retention risk: committed offset near or below log start")
    func retentionRisk() {
        var metrics = Metrics()
        let snap = ClusterSnapshot(timeMs: 1, source: "t", topics: [
            // Near the log start of a partition at 90% of its size limit: the next pass may take it.
            TopicSnapshot(name: "a", partitions: [PartitionSnapshot(partition: 0, logStart: 100, logEnd: 1100, sizeBytes: 900)], retentionBytes: 1000),
            // Near the log start but with only time retention and fresh records: no false alarm.
            TopicSnapshot(name: "d", partitions: [PartitionSnapshot(partition: 0, logStart: 100, logEnd: 1100, sizeBytes: 0)], retentionMs: 1000),
            TopicSnapshot(name: "b", partitions: [PartitionSnapshot(partition: 0, logStart: 100, logEnd: 1100, sizeBytes: 0)], retentionMs: 1000),
            TopicSnapshot(name: "c", partitions: [PartitionSnapshot(partition: 0, logStart: 100, logEnd: 1100, sizeBytes: 0)], retentionMs: 1000),
        ], groups: [GroupSnapshot(name: "g", state: "Stable", partitions: [
            GroupPartitionSnapshot(topic: "a", partition: 0, committed: 150, logEnd: 1100, lag: 950),
            GroupPartitionSnapshot(topic: "b", partition: 0, committed: 50, logEnd: 1100, lag: 1050),
            GroupPartitionSnapshot(topic: "c", partition: 0, committed: 900, logEnd: 1100, lag: 200),
            GroupPartitionSnapshot(topic: "d", partition: 0, committed: 150, logEnd: 1100, lag: 950, timeLagMs: 10),
        ])])
        var aged = snap
        aged.timeMs = 2
        aged.groups[0].partitions[2].timeLagMs = 900   // 90% of the 1000 ms retention
        metrics.ingest(snap)
        #expect(metrics.risk(topic: "a") == .atRisk)
        #expect(metrics.risk(topic: "b") == .lost)
        #expect(metrics.risk(topic: "c") == .none)
        #expect(metrics.risk(topic: "d") == .none)
        metrics.ingest(aged)
        #expect(metrics.risk(topic: "c") == .atRisk)
    }

    @Test("the group detail explains the worst status")
    func reasons() {
        let state = Fixture.state(ticks: 12)
        #expect(state.metrics.statusReason(group: "billing") == nil)
        #expect(state.metrics.statusReason(group: "legacy-export")?.hasPrefix("payments/0: no commit for 2m") == true)
        #expect(state.metrics.statusReason(group: "analytics")?.contains("lag never decreased over 10 commits") == true)
        let w = MetricsTests.window([(100, 0, 5), (50, 1000, 60)])
        #expect(BurrowEvaluator.explain(.rewind, window: w, nowMs: 1000) == "committed offset went back from 100 to 50")
    }
}

@Suite("Rate series")
struct RateSeriesTests {
    @Test("a counter that drops (reset) does not hide later progress")
    func resetDoesNotZeroRate() {
        var s = RateSeries(window: 4, historyLength: 10)
        s.record(timeMs: 0, value: 1000)
        s.record(timeMs: 1000, value: 1100)
        s.record(timeMs: 2000, value: 0)       // offsets reset to earliest
        s.record(timeMs: 3000, value: 150)
        #expect(s.perSecond == 250.0 / 3)
        #expect(s.history.elements == [100, 0, 150])
    }
}
