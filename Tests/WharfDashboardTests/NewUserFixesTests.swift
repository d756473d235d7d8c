import Testing
import WharfCore
@testable import WharfDashboard

/// Issue 18's three small things a new user ran into: ISO-8601 in the replay dialog, the replay
/// preview's summary at 120 columns, internal topics among the overview's busiest topics.
@Suite("Replay dialog durations, preview summary width, internal topics on the overview")
struct NewUserFixesTests {
    @Test("the replay dialog's duration takes ISO-8601 (PT1M) by the CLI's rule")
    func isoDurationInDialog() {
        var state = Fixture.state()
        // choose: earliest, latest, offset, date-time, shift-by, duration (the sixth)
        Fixture.press(&state, [.char("3"), .char("r"), .down, .down, .down, .down, .down, .enter])
        let effects = Fixture.press(&state, Fixture.type("PT1M") + [.enter])
        #expect(effects.first == .previewReset(group: "analytics", topic: "orders", partitions: [0, 1, 2], spec: .duration(60_000)))
        for text in ["PT1M", "P1DT2H", "90s", "1h30m", "pt0.5s"] {
            #expect(DashboardState.parseDuration(text) == TimeParsing.durationMillis(text), "\(text)")
        }
        #expect(DashboardState.parseDuration("PT0S") == nil)   // zero goes nowhere
        #expect(DashboardState.parseDuration("P1M") == nil)    // months have no fixed length
    }

    @Test("the replay preview's summary is whole at 120 columns, with a long date-time spec")
    func previewSummaryFits() {
        var state = Fixture.state(width: 120, height: 40)
        Fixture.press(&state, [.char("3"), .char("r"), .down, .down, .down, .enter])   // date-time
        let previews = Fixture.press(&state, Fixture.type("2025-11-26 12:00:02") + [.enter])
        #expect(!previews.isEmpty)
        _ = UpdateTests.answerPreviews(previews, into: &state)
        guard case .reset(let review)? = state.modal, review.step == .review else { Issue.record("not in review"); return }
        let total = Format.count(review.rows.reduce(0) { $0 + $1.recordsToReread })
        let lines = Dashboard.render(state, width: 120, height: 40).lines
        #expect(lines.contains { $0.contains("Reset to date-time 2025-11-26 12:00:02") })
        #expect(lines.contains { $0.contains("\(review.rows.count) partition(s), \(total) records to re-read") })
        #expect(lines.contains { $0.contains("Esc cancels") })
        RenderSnapshotTests.screen("reset-review-datetime", 120, 40) { s in s = state }
    }

    /// The synthetic demo plus `__consumer_offsets`, busier than any topic of the demo.
    static func stateWithInternalTopic() -> DashboardState {
        var cluster = SyntheticCluster(demoAt: Fixture.start)
        var state = DashboardState(capabilities: .all, width: 120, height: 40)
        for i in 0..<6 {
            cluster.advance(to: Fixture.start + Int64(i) * 1000)
            var snap = cluster.snapshot(source: "/var/lib/wharf", listener: "listening on :9092")
            let end = Int64(i) * 1_000_000
            snap.topics.append(TopicSnapshot(name: "__consumer_offsets",
                                             partitions: [PartitionSnapshot(partition: 0, logStart: 0, logEnd: end, sizeBytes: end)],
                                             isInternal: true))
            _ = state.update(.tick(snap))
        }
        return state
    }

    @Test("internal topics are hidden on the overview until i, which the help lists")
    func internalTopicsToggle() {
        var state = Self.stateWithInternalTopic()
        var lines = Dashboard.render(state, width: 120, height: 40).lines
        #expect(!lines.contains { $0.contains("__consumer_offsets") })
        #expect(lines.contains { $0.contains("Busiest topics (internal hidden: i)") })
        Fixture.press(&state, [.char("i")])
        #expect(state.showInternalTopics)
        lines = Dashboard.render(state, width: 120, height: 40).lines
        let busiest = lines.firstIndex { $0.contains("Busiest topics") }
        let internalRow = lines.firstIndex { $0.contains("__consumer_offsets") }
        #expect(busiest != nil && internalRow != nil && internalRow! > busiest!)
        Fixture.press(&state, [.char("?")])
        lines = Dashboard.render(state, width: 120, height: 40).lines
        #expect(lines.contains { $0.contains("hide internal topics") })
        Fixture.press(&state, [.escape, .char("i")])
        #expect(!state.showInternalTopics)
        #expect(!Dashboard.render(state, width: 120, height: 40).lines.contains { $0.contains("__consumer_offsets") })
    }
}
