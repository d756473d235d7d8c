import Testing
@testable import WharfDashboard

@Suite("Outbox screens render to stable cell grids")
struct OutboxRenderTests {
    static let sizes = [(80, 24), (120, 40)]

    static func screen(_ name: String, _ w: Int, _ h: Int, readOnly: Bool = false,
                       outboxes: ((Int) -> [OutboxSnapshot]?)? = nil, setup: (inout DashboardState) -> Void) {
        var state = OutboxFixture.state(width: w, height: h, readOnly: readOnly, outboxes: outboxes)
        setup(&state)
        let canvas = Dashboard.render(state, width: w, height: h)
        for y in 0..<h { #expect(DisplayWidth.of(canvas.line(y)) == w, "row \(y) of \(name) is misaligned") }
        assertSnapshot(canvas, named: "\(name)-\(w)x\(h)")
    }

    @Test("outbox view", arguments: sizes)
    func outbox(size: (Int, Int)) {
        Self.screen("outbox", size.0, size.1) { Fixture.press(&$0, [.char("6"), .char("j"), .char("j")]) }
    }

    @Test("outbox view, failing outbox selected (last error shown)")
    func failing() {
        Self.screen("outbox-failing", 80, 24) { Fixture.press(&$0, [.char("6"), .char("j")]) }
    }

    @Test("overview with outboxes", arguments: sizes)
    func overview(size: (Int, Int)) {
        Self.screen("overview-outbox", size.0, size.1) { _ in }
    }

    @Test("dialogs and modes")
    func dialogs() {
        Self.screen("outbox-retry-confirm", 80, 24) { Fixture.press(&$0, [.char("6"), .char("j"), .char("j"), .char("r")]) }
        Self.screen("outbox-read-only", 80, 24, readOnly: true) { Fixture.press(&$0, [.char("6")]) }
        Self.screen("outbox-none", 80, 24, outboxes: { _ in nil }) { Fixture.press(&$0, [.char("6")]) }
        Self.screen("outbox-help", 80, 24) { Fixture.press(&$0, [.char("6"), .char("?")]) }
    }

    @Test("tiny areas render a canvas of exactly their size")
    func tiny() {
        var state = OutboxFixture.state()
        Fixture.press(&state, [.char("6")])
        for (w, h) in [(0, 0), (1, 1), (10, 3), (30, 8)] {
            let canvas = Dashboard.render(state, width: w, height: h)
            #expect(canvas.width == w && canvas.height == h)
        }
    }
}
