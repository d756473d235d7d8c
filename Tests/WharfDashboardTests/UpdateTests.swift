import Testing
@testable import WharfDashboard

@Suite("Key sequences produce exactly the expected effects")
struct UpdateTests {
    /// Runs every previewReset effect against the synthetic cluster and feeds the answers back.
    static func answerPreviews(_ effects: [Effect], into state: inout DashboardState) -> [ResetPlanRow] {
        var all: [ResetPlanRow] = []
        for case .previewReset(let g, let t, let p, let spec) in effects {
            guard case .success(let rows) = Fixture.cluster().previewReset(group: g, topic: t, partitions: p, spec: spec) else { continue }
            all += rows
            _ = state.update(.resetPreviewed(group: g, rows: rows))
        }
        return all
    }

    @Test("reset: choose earliest, preview, confirm yields executeReset with exactly the previewed rows")
    func resetFlow() {
        var state = Fixture.state()
        let open = Fixture.press(&state, [.char("3"), .char("r")])
        #expect(open.isEmpty)
        guard case .reset(let dialog)? = state.modal else { Issue.record("no reset dialog"); return }
        #expect(dialog.group == "analytics")
        let previews = Fixture.press(&state, [.enter])
        #expect(previews == [
            .previewReset(group: "analytics", topic: "orders", partitions: [0, 1, 2], spec: .earliest),
            .previewReset(group: "analytics", topic: "payments", partitions: [0, 1], spec: .earliest),
        ])
        let rows = Self.answerPreviews(previews, into: &state)
        #expect(rows.count == 5)
        guard case .reset(let review)? = state.modal, review.step == .review else { Issue.record("not in review"); return }
        #expect(review.rows.count == 5)
        let canvas = Dashboard.render(state, width: 80, height: 24)
        #expect(canvas.lines.contains { $0.contains("RE-READ") })
        let confirm = Fixture.press(&state, [.char("y")])
        let sorted = rows.sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) }
        #expect(confirm == [.executeReset(group: "analytics", plan: sorted)])
        #expect(state.modal == nil)
    }

    @Test("reset with a typed value: shift-by, duration, date-time; bad input stays in the dialog")
    func resetValues() {
        var state = Fixture.state()
        Fixture.press(&state, [.char("3"), .char("r"), .down, .down, .down, .down, .enter])  // shift-by
        let bad = Fixture.press(&state, Fixture.type("abc") + [.enter])
        #expect(bad.isEmpty)
        guard case .reset(let d)? = state.modal else { Issue.record("dialog closed"); return }
        #expect(d.error != nil)
        let good = Fixture.press(&state, [.ctrl("u")] + Fixture.type("-100") + [.enter])
        #expect(good.first == .previewReset(group: "analytics", topic: "orders", partitions: [0, 1, 2], spec: .shiftBy(-100)))
        #expect(DashboardState.parseResetValue(choice: 5, text: "1h30m") == .duration(5_400_000))
        #expect(DashboardState.parseResetValue(choice: 3, text: "2026-11-26 15:04:05") == .datetime(1_795_705_445_000))
        #expect(DashboardState.parseResetValue(choice: 2, text: "-1") == nil)
    }

    @Test("reset from group detail covers only the marked partitions")
    func resetMarked() {
        var state = Fixture.state()
        Fixture.press(&state, [.char("3"), .enter, .char(" "), .char(" ")])   // mark first two rows
        #expect(state.marked.count == 2)
        let effects = Fixture.press(&state, [.char("r"), .char("j"), .enter])    // latest
        #expect(effects == [.previewReset(group: "analytics", topic: "orders", partitions: [0, 1], spec: .latest)])
    }

    @Test("escape cancels a review without effects; stale previews are ignored")
    func resetCancel() {
        var state = Fixture.state()
        let previews = Fixture.press(&state, [.char("3"), .char("r"), .enter])
        _ = Self.answerPreviews(previews, into: &state)
        #expect(Fixture.press(&state, [.escape]).isEmpty)
        #expect(state.modal == nil)
        #expect(state.update(.resetPreviewed(group: "analytics", rows: [])).isEmpty)
    }

    @Test("purge requires typing the confirmation word and shows the record count")
    func purge() {
        var state = Fixture.state()
        Fixture.press(&state, [.char("2")])   // topics sorted by name: audit.log first
        Fixture.press(&state, [.char("x"), .enter])
        guard case .purge(let d)? = state.modal else { Issue.record("no purge dialog"); return }
        #expect(d.step == .confirm)
        #expect(d.totalRecords > 0)
        #expect(Dashboard.render(state, width: 80, height: 24).lines.contains { $0.contains("will be deleted") })
        let wrong = Fixture.press(&state, Fixture.type("yes") + [.enter])
        #expect(wrong.isEmpty)
        #expect(state.modal != nil)
        let right = Fixture.press(&state, [.ctrl("u")] + Fixture.type("purge") + [.enter])
        let topic = state.snapshot.topic(named: "audit.log")!
        #expect(right == topic.partitions.map { .purge(topic: "audit.log", partition: $0.partition, beforeOffset: $0.logEnd) })
    }

    @Test("purge of one partition below an offset")
    func purgeOffset() {
        var state = Fixture.state()
        Fixture.press(&state, [.char(":")] + Fixture.type("topic orders") + [.enter, .down])   // partition 1
        let effects = Fixture.press(&state, [.char("x"), .ctrl("u")] + Fixture.type("100") + [.enter] + Fixture.type("purge") + [.enter])
        #expect(effects == [.purge(topic: "orders", partition: 1, beforeOffset: 100)])
    }

    @Test("read-only: the same key sequences produce no dangerous effect and hide the keys")
    func readOnly() {
        var state = Fixture.state(readOnly: true)
        var effects: [Effect] = []
        effects += Fixture.press(&state, [.char("3"), .char("r"), .enter, .char("y"), .enter])
        effects += Fixture.press(&state, [.escape, .char("u"), .char("y")])
        effects += Fixture.press(&state, [.char("2"), .char("x"), .enter] + Fixture.type("purge") + [.enter])
        effects += Fixture.press(&state, [.char("3"), .enter, .char(" "), .char("r"), .enter, .char("y")])
        #expect(!effects.contains { $0.isDangerous })
        #expect(!effects.contains { if case .previewReset = $0 { true } else { false } })
        for view: Key in [.char("1"), .char("2"), .char("3")] {
            Fixture.press(&state, [.escape, view])
            #expect(!state.footerHints().contains { $0.dangerous })
            #expect(!state.helpSections().flatMap(\.1).contains { $0.dangerous })
        }
        // Capabilities hide operations the same way.
        var noReset = Fixture.state()
        noReset.capabilities = [.browseRecords]
        #expect(Fixture.press(&noReset, [.char("3"), .char("r"), .enter, .char("y")]).isEmpty)
        #expect(noReset.modal == nil)
    }

    @Test("filter: substring, case-insensitive, ! inverts, Esc restores")
    func filter() {
        var state = Fixture.state()
        Fixture.press(&state, [.char("2"), .char("/")] + Fixture.type("OR"))
        #expect(state.topicRows(state.current).map { state.snapshot.topics[$0].name } == ["orders"])
        Fixture.press(&state, [.enter])
        #expect(state.current.filter == "OR")
        Fixture.press(&state, [.char("/"), .home, .char("!"), .enter])
        #expect(state.current.filter == "!OR")
        #expect(state.topicRows(state.current).map { state.snapshot.topics[$0].name } == ["audit.log", "payments", "注文イベント"])
        Fixture.press(&state, [.char("/")] + Fixture.type("zzz") + [.escape])
        #expect(state.current.filter == "!OR")
        Fixture.press(&state, [.escape])
        #expect(state.current.filter == "")
        #expect(state.stack.count == 2)
    }

    @Test("palette completes commands and names, then navigates")
    func palette() {
        var state = Fixture.state()
        Fixture.press(&state, [.char(":")] + Fixture.type("gr"))
        #expect(state.paletteCandidates("gr") == ["groups", "group "])
        Fixture.press(&state, [.tab])
        guard case .palette(let p)? = state.modal else { Issue.record("palette closed"); return }
        #expect(p.input.text == "group")
        Fixture.press(&state, [.ctrl("u")] + Fixture.type("records or") + [.tab])
        guard case .palette(let q)? = state.modal else { Issue.record("palette closed"); return }
        #expect(q.input.text == "records orders")
        let effects = Fixture.press(&state, [.enter])
        #expect(effects == [.loadRecords(topic: "orders", partition: 0, from: .offset(24150), max: 50)])
        #expect(state.stack.map(\.id) == [.overview, .topics, .topicDetail("orders"), .records(topic: "orders", partition: 0)])
        Fixture.press(&state, [.char(":")] + Fixture.type("group 通") + [.tab, .enter])
        #expect(state.current.id == .groupDetail("通知サービス"))
        Fixture.press(&state, [.char(":")] + Fixture.type("nonsense") + [.enter])
        #expect(state.status?.isError == true)
    }

    @Test("sort keys pick a column; pressing again reverses")
    func sort() {
        var state = Fixture.state()
        Fixture.press(&state, [.char("3"), .char("L")])
        var lags = state.groupRows(state.current).map { state.snapshot.groups[$0].totalLag }
        #expect(lags == lags.sorted(by: >))
        Fixture.press(&state, [.char("L")])
        lags = state.groupRows(state.current).map { state.snapshot.groups[$0].totalLag }
        #expect(lags == lags.sorted())
        Fixture.press(&state, [.char("N")])
        #expect(state.groupRows(state.current).map { state.snapshot.groups[$0].name }.first == "analytics")
    }

    @Test("navigation: Enter drills down, Esc goes back, q quits, p pauses, +/- change refresh")
    func navigation() {
        var state = Fixture.state()
        Fixture.press(&state, [.char("2"), .char("j"), .enter])
        #expect(state.current.id == .topicDetail("orders"))
        Fixture.press(&state, [.escape])
        #expect(state.current.id == .topics)
        #expect(state.current.selected == 1)
        Fixture.press(&state, [.char("p")])
        let frozen = state.snapshot
        _ = state.update(.tick(Fixture.cluster(ticks: 9).snapshot()))
        #expect(state.snapshot == frozen)
        #expect(Fixture.press(&state, [.char("+")]) == [.setRefresh(ms: 500)])
        #expect(Fixture.press(&state, [.char("-"), .char("-")]) == [.setRefresh(ms: 1000), .setRefresh(ms: 2000)])
        #expect(Fixture.press(&state, [.char("q")]) == [.quit])
    }

    @Test("records: view modes cycle, paging asks for the next offsets, seek by offset and date-time")
    func records() {
        var state = Fixture.state()
        Fixture.press(&state, [.char(":")] + Fixture.type("records payments 1") + [.enter])
        _ = state.update(.recordsLoaded(Fixture.cluster().records(topic: "payments", partition: 1, from: .offset(100), max: 50)))
        Fixture.press(&state, [.char("v")])
        #expect(state.records.mode == .json)
        #expect(Fixture.press(&state, [.char("n")]) == [.loadRecords(topic: "payments", partition: 1, from: .offset(150), max: 50)])
        #expect(Fixture.press(&state, [.char("o")] + Fixture.type("42") + [.enter])
                == [.loadRecords(topic: "payments", partition: 1, from: .offset(42), max: 50)])
        #expect(Fixture.press(&state, [.char("o")] + Fixture.type("2025-11-26 12:00") + [.enter])
                == [.loadRecords(topic: "payments", partition: 1, from: .timestamp(1_764_158_400_000), max: 50)])
    }

    @Test("undo asks first, then yields undoLastReset")
    func undo() {
        var state = Fixture.state()
        #expect(Fixture.press(&state, [.char("3"), .char("u")]).isEmpty)
        #expect(state.modal == .confirmUndo)
        #expect(Fixture.press(&state, [.char("y")]) == [.undoLastReset])
        #expect(Fixture.press(&state, [.char("u"), .char("n")]).isEmpty)
    }

    @Test("Enter on a group partition browses from the committed offset (what the group reads next)")
    func groupDetailRecords() {
        var state = Fixture.state()
        Fixture.press(&state, [.char("3"), .enter])
        let group = state.snapshot.group(named: "analytics")!
        let effects = Fixture.press(&state, [.enter])
        #expect(effects == [.loadRecords(topic: "orders", partition: 0, from: .offset(group.partitions[0].committed!), max: 50)])
        #expect(state.current.id == .records(topic: "orders", partition: 0))
        Fixture.press(&state, [.escape])
        #expect(state.current.id == .groupDetail("analytics"))
        // Without the capability, nothing is requested.
        state.capabilities = []
        #expect(Fixture.press(&state, [.enter]).isEmpty)
        #expect(state.status?.isError == true)
    }

    @Test("a failed preview returns the dialog to the spec choice with the error")
    func previewFailure() {
        var state = Fixture.state()
        Fixture.press(&state, [.char("3"), .char("r"), .enter])
        _ = state.update(.operationFailed("group is rebalancing"))
        guard case .reset(let d)? = state.modal else { Issue.record("dialog closed"); return }
        #expect(d.step == .choose && d.error == "group is rebalancing")
        #expect(Fixture.press(&state, [.char("y")]).isEmpty)
    }
}
