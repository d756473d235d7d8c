import Testing
@testable import WharfDashboard

@Suite("Outbox view: navigation, pause/resume, retry dead, read-only, metrics")
struct OutboxUpdateTests {
    /// Rows sorted by name: billing.db, inventory, order-service.
    static func selectOrderService(_ state: inout DashboardState) {
        Fixture.press(&state, [.char("6"), .char("j"), .char("j")])
        #expect(state.selectedOutbox()?.name == "order-service")
    }

    @Test("6 and :outbox open the view; rows are sorted by name and sortable")
    func navigation() {
        var state = OutboxFixture.state()
        #expect(Fixture.press(&state, [.char("6")]).isEmpty)
        #expect(state.stack.map(\.id) == [.overview, .outbox])
        #expect(state.outboxRows(state.current).map { state.snapshot.outboxes![$0].name } == ["billing.db", "inventory", "order-service"])
        Fixture.press(&state, [.char("P")])   // pending, largest first
        #expect(state.selectedOutbox()?.name == "billing.db")
        Fixture.press(&state, [.char("D")])   // dead, largest first
        #expect(state.selectedOutbox()?.name == "order-service")
        Fixture.press(&state, [.char("S")])   // state, worst first
        #expect(state.selectedOutbox()?.name == "inventory")

        Fixture.press(&state, [.char("1"), .char(":")] + Fixture.type("outb"))
        #expect(state.paletteCandidates("outb") == ["outbox"])
        Fixture.press(&state, [.enter])
        #expect(state.current.id == .outbox && state.modal == nil)
    }

    @Test("space pauses a running relay and resumes a paused one")
    func pauseResume() {
        var state = OutboxFixture.state()
        Self.selectOrderService(&state)
        #expect(Fixture.press(&state, [.char(" ")]) == [.setOutboxRelayPaused(outbox: "order-service", paused: true)])
        #expect(state.status?.text.contains("pausing") == true)
        Fixture.press(&state, [.char("g")])
        #expect(state.selectedOutbox()?.name == "billing.db")
        #expect(Fixture.press(&state, [.char(" ")]) == [.setOutboxRelayPaused(outbox: "billing.db", paused: false)])
        #expect(state.footerHints().contains(KeyHint("␣", "resume relay", dangerous: true)))
    }

    @Test("r asks first; y retries the dead rows, n and Esc do nothing")
    func retryDead() {
        var state = OutboxFixture.state()
        Self.selectOrderService(&state)
        #expect(Fixture.press(&state, [.char("r")]).isEmpty)
        #expect(state.modal == .confirmRetryDead(outbox: "order-service", dead: 1))
        #expect(Fixture.press(&state, [.char("n")]).isEmpty)
        #expect(state.modal == nil)
        Fixture.press(&state, [.char("r")])
        #expect(Fixture.press(&state, [.escape]).isEmpty)
        Fixture.press(&state, [.char("r")])
        #expect(Fixture.press(&state, [.char("y")]) == [.retryDeadOutboxRows(outbox: "order-service")])
        #expect(state.modal == nil)
    }

    @Test("r on an outbox without dead rows says so and opens nothing")
    func retryNothing() {
        var state = OutboxFixture.state()
        Fixture.press(&state, [.char("6")])   // billing.db: no dead rows
        #expect(Fixture.press(&state, [.char("r")]).isEmpty)
        #expect(state.modal == nil)
        #expect(state.status?.text == "billing.db has no dead rows")
    }

    @Test("read-only and sources without the capability: no action, no dangerous hint")
    func readOnly() {
        for var state in [OutboxFixture.state(readOnly: true), OutboxFixture.state(capabilities: [.browseRecords])] {
            Self.selectOrderService(&state)
            let effects = Fixture.press(&state, [.char(" "), .char("r"), .char("y")])
            #expect(effects.isEmpty)
            // Listing the rows changes nothing, so it stays.
            #expect(Fixture.press(&state, [.enter]) == [.loadOutboxRows(outbox: "order-service", max: OutboxRowsBrowser.pageSize)])
            Fixture.press(&state, [.escape])
            #expect(state.modal == nil)
            #expect(!state.footerHints().contains { $0.dangerous })
            #expect(!state.helpSections().flatMap(\.1).contains { $0.dangerous })
        }
        #expect(Effect.retryDeadOutboxRows(outbox: "x").isDangerous)
        #expect(Effect.setOutboxRelayPaused(outbox: "x", paused: false).isDangerous)
        #expect(!SourceCapabilities.all.subtracting(.dangerous).contains(.outboxControl))
    }

    @Test("metrics: publish and failure rates from the counters, backlog history from pending, pruned when gone")
    func metrics() {
        var state = OutboxFixture.state()
        let m = state.metrics
        // 20 rows a second published, 2 failed attempts a second, over 1 s ticks.
        #expect(abs(m.publishRate(outbox: "order-service") - 20) < 0.001)
        #expect(m.publishRate(outbox: "billing.db") == 0)
        #expect(abs(m.failureRate(outbox: "inventory") - 2) < 0.001)
        #expect(m.outbox("order-service")?.backlog.elements == [4, 6, 12, 30, 55, 80, 96, 110])
        // A relay restart (counter back to zero) is no progress, never a negative rate.
        var snap = state.snapshot
        snap.timeMs += 1000
        snap.outboxes = [OutboxSnapshot(name: "order-service", pending: 3, publishedTotal: 0)]
        _ = state.update(.tick(snap))
        #expect(state.metrics.publishRate(outbox: "order-service") >= 0)
        #expect(state.metrics.outbox("billing.db") == nil && state.metrics.outbox("inventory") == nil)
    }

    @Test("no outbox configured (nil) and an empty list render an explanation, not a table")
    func none() {
        var state = OutboxFixture.state(outboxes: { _ in nil })
        Fixture.press(&state, [.char("6")])
        #expect(Dashboard.render(state, width: 80, height: 24).lines.contains { $0.contains("No outbox is watched here.") })
        #expect(Fixture.press(&state, [.char(" "), .char("r")]).isEmpty)
        state = OutboxFixture.state(outboxes: { _ in [] })
        Fixture.press(&state, [.char("6")])
        #expect(Dashboard.render(state, width: 80, height: 24).lines.contains { $0.contains("no outboxes") })
    }

    @Test("the overview's outbox line shows pending, oldest age and state")
    func overviewLine() {
        let state = OutboxFixture.state(width: 120, height: 40)
        let lines = Dashboard.render(state, width: 120, height: 40).lines
        #expect(lines.contains { $0.contains("order-service: 110 pending, oldest 7s, running, 1 dead") }, "\(lines.joined(separator: "\n"))")
        #expect(lines.contains { $0.contains("billing.db: 310 pending, oldest 1m07s, paused") })
    }
}
