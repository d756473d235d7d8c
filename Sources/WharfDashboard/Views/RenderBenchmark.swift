import WharfCore

/// Render cost of a large cluster, for `wharf bench render` (target: < 10 ms/frame in release).
///
/// Builds a synthetic snapshot (`topics` x `partitionsPerTopic` partitions, `groups` groups
/// consuming two topics each), ingests three ticks so rates and Burrow windows exist, then
/// renders `frames` frames into one reused canvas, alternating the Topics view (sorted by
/// in-rate, filtered) and the Groups view (sorted by lag, inverted filter).
public enum RenderBenchmark {
    public static func run(topics: Int = 2000, partitionsPerTopic: Int = 10, groups: Int = 500,
                           width: Int = 200, height: Int = 60, frames: Int = 100) -> Double {
        let start: Int64 = 1_764_000_000_000
        var cluster = SyntheticCluster(largeAt: start, topics: topics, partitionsPerTopic: partitionsPerTopic, groups: groups)
        var state = DashboardState(width: width, height: height)
        for i in 0..<3 {
            cluster.advance(to: start + Int64(i) * 1000)
            _ = state.update(.tick(cluster.snapshot(source: "benchmark")))
        }
        var topicsFrame = ViewFrame(.topics)
        topicsFrame.sortColumn = 4
        topicsFrame.ascending = false
        topicsFrame.filter = "topic-1"
        var groupsFrame = ViewFrame(.groups)
        groupsFrame.sortColumn = 3
        groupsFrame.ascending = false
        groupsFrame.filter = "!group-4"
        var canvas = Canvas(width: width, height: height)
        let begin = monotonicNanos()
        for f in 0..<max(1, frames) {
            state.stack = [ViewFrame(.overview), f % 2 == 0 ? topicsFrame : groupsFrame]
            state.current.selected = f % 40
            Dashboard.render(state, into: &canvas, width: width, height: height)
        }
        let elapsed = monotonicNanos() - begin
        return Double(elapsed) / 1_000_000 / Double(max(1, frames))
    }

    /// Cost of ingesting one snapshot of the same large cluster (rates, Burrow windows,
    /// retention risk), in milliseconds per tick: what each refresh costs besides drawing.
    public static func ingest(topics: Int = 2000, partitionsPerTopic: Int = 10, groups: Int = 500, ticks: Int = 20) -> Double {
        let start: Int64 = 1_764_000_000_000
        var cluster = SyntheticCluster(largeAt: start, topics: topics, partitionsPerTopic: partitionsPerTopic, groups: groups)
        var snapshots: [ClusterSnapshot] = []
        for i in 0..<max(1, ticks) {
            cluster.advance(to: start + Int64(i) * 1000)
            snapshots.append(cluster.snapshot(source: "benchmark"))
        }
        var metrics = Metrics()
        let begin = monotonicNanos()
        for snap in snapshots { metrics.ingest(snap) }
        return Double(monotonicNanos() - begin) / 1_000_000 / Double(snapshots.count)
    }
}
