import Testing
@testable import WharfDashboard

@Suite("Screens render to stable cell grids")
struct RenderSnapshotTests {
    static let sizes = [(80, 24), (120, 40)]

    static func screen(_ name: String, _ w: Int, _ h: Int, setup: (inout DashboardState) -> Void) {
        var state = Fixture.state(width: w, height: h)
        setup(&state)
        let canvas = Dashboard.render(state, width: w, height: h)
        // Every row must be exactly the screen width, wide glyphs included.
        for y in 0..<h { #expect(DisplayWidth.of(canvas.line(y)) == w, "row \(y) of \(name) is misaligned") }
        assertSnapshot(canvas, named: "\(name)-\(w)x\(h)")
    }

    @Test("overview", arguments: sizes)
    func overview(size: (Int, Int)) {
        Self.screen("overview", size.0, size.1) { _ in }
    }

    @Test("topics", arguments: sizes)
    func topics(size: (Int, Int)) {
        Self.screen("topics", size.0, size.1) { Fixture.press(&$0, [.char("2")]) }
    }

    @Test("topic detail", arguments: sizes)
    func topicDetail(size: (Int, Int)) {
        Self.screen("topic-detail", size.0, size.1) { Fixture.press(&$0, [.char("2"), .char("j"), .enter]) }
    }

    @Test("groups", arguments: sizes)
    func groups(size: (Int, Int)) {
        Self.screen("groups", size.0, size.1) { Fixture.press(&$0, [.char("3")]) }
    }

    @Test("group detail", arguments: sizes)
    func groupDetail(size: (Int, Int)) {
        Self.screen("group-detail", size.0, size.1) { Fixture.press(&$0, [.char("3"), .enter]) }
    }

    @Test("records as pretty JSON", arguments: sizes)
    func records(size: (Int, Int)) {
        Self.screen("records-json", size.0, size.1) { state in
            let effects = Fixture.press(&state, [.char(":")] + Fixture.type("records orders") + [.enter])
            guard case .loadRecords(let t, let p, let from, let max)? = effects.first else { Issue.record("no load"); return }
            let rows = Fixture.cluster().records(topic: t, partition: p, from: from, max: max)
            _ = state.update(.recordsLoaded(rows))
            Fixture.press(&state, [.char("v")])
        }
    }

    @Test("records as hex")
    func recordsHex() {
        Self.screen("records-hex", 80, 24) { state in
            let effects = Fixture.press(&state, [.char(":")] + Fixture.type("records orders") + [.enter])
            guard case .loadRecords(let t, let p, let from, let max)? = effects.first else { return }
            _ = state.update(.recordsLoaded(Fixture.cluster().records(topic: t, partition: p, from: from, max: max)))
            Fixture.press(&state, [.char("v"), .char("v"), .down])
        }
    }

    @Test("CJK topic and group names stay aligned")
    func cjk() {
        Self.screen("topics-cjk-filter", 80, 24) { Fixture.press(&$0, [.char("2"), .char("/")] + Fixture.type("注") + [.enter]) }
        Self.screen("group-cjk", 80, 24) { Fixture.press(&$0, [.char(":")] + Fixture.type("group 通知サービス") + [.enter]) }
    }

    @Test("dialogs")
    func dialogs() {
        Self.screen("help", 80, 24) { Fixture.press(&$0, [.char("3"), .char("?")]) }
        Self.screen("palette", 80, 24) { Fixture.press(&$0, [.char(":")] + Fixture.type("re")) }
        Self.screen("reset-choose", 80, 24) { Fixture.press(&$0, [.char("3"), .char("r"), .down]) }
        Self.screen("reset-review", 80, 24) { state in
            let effects = Fixture.press(&state, [.char("3"), .char("r"), .enter])
            for case .previewReset(let g, let t, let p, let spec) in effects {
                if case .success(let rows) = Fixture.cluster().previewReset(group: g, topic: t, partitions: p, spec: spec) {
                    _ = state.update(.resetPreviewed(group: g, rows: rows))
                }
            }
        }
        Self.screen("purge-confirm", 80, 24) { Fixture.press(&$0, [.char("2"), .char("x"), .enter] + Fixture.type("pur")) }
        Self.screen("groups-read-only", 80, 24) { state in
            state.readOnly = true
            Fixture.press(&state, [.char("3")])
        }
    }
}
