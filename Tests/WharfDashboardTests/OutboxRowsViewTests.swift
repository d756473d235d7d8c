import Testing
@testable import WharfDashboard

/// Enter on an outbox lists its newest rows; `t` on one traces its event by its id.
@Suite("Outbox rows: Enter lists an outbox's rows, t traces one")
struct OutboxRowsViewTests {
    static let rows = [
        OutboxRowSnapshot(id: "e3", aggregate: "order/o-3", type: "created", status: "pending", createdAtMs: Fixture.start),
        OutboxRowSnapshot(id: "e2", aggregate: "order/o-2", type: "created", status: "published", createdAtMs: Fixture.start - 1000,
                          publishedAtMs: Fixture.start),
        OutboxRowSnapshot(id: "e1", aggregate: "order/o-1", type: "created", status: "dead", attempts: 10, createdAtMs: Fixture.start - 2000,
                          lastError: "card declined"),
    ]

    @Test("Enter asks for the rows, which render newest first; t traces the selected row; r reloads; esc goes back")
    func enterListsAndTTraces() {
        var state = OutboxFixture.state(width: 120, height: 30, capabilities: SourceCapabilities.all.union(.trace))
        OutboxUpdateTests.selectOrderService(&state)
        #expect(Fixture.press(&state, [.enter]) == [.loadOutboxRows(outbox: "order-service", max: OutboxRowsBrowser.pageSize)])
        #expect(state.current.id == .outboxRows("order-service"))
        #expect(Dashboard.render(state, width: 120, height: 30).lines.contains { $0.contains("reading the rows of order-service") })
        _ = state.update(.outboxRowsLoaded(outbox: "other", rows: Self.rows))
        #expect(state.outboxRowsBrowser.rows.isEmpty, "rows of another outbox are ignored")
        _ = state.update(.outboxRowsLoaded(outbox: "order-service", rows: Self.rows))
        let lines = Dashboard.render(state, width: 120, height: 30).lines
        #expect(lines.contains { $0.contains("e3") && $0.contains("order/o-3") && $0.contains("pending") })
        #expect(lines.contains { $0.contains("e1") && $0.contains("dead") && $0.contains("card declined") })
        #expect(Fixture.press(&state, [.char("t")]) == [.loadTrace(query: "e3")])
        #expect(state.current.id == .trace("e3"))
        Fixture.press(&state, [.escape, .down, .down])
        #expect(Fixture.press(&state, [.char("t")]) == [.loadTrace(query: "e1")])
        Fixture.press(&state, [.escape])
        #expect(Fixture.press(&state, [.char("r")]) == [.loadOutboxRows(outbox: "order-service", max: OutboxRowsBrowser.pageSize)])
        Fixture.press(&state, [.escape])
        #expect(state.current.id == .outbox)
    }

    @Test("a trace that starts at an outbox row shows it above the records")
    func traceShowsTheRow() {
        var state = OutboxFixture.state(width: 120, height: 30, capabilities: SourceCapabilities.all.union(.trace))
        OutboxUpdateTests.selectOrderService(&state)
        Fixture.press(&state, [.enter])
        _ = state.update(.outboxRowsLoaded(outbox: "order-service", rows: Self.rows))
        Fixture.press(&state, [.char("t")])
        _ = state.update(.traceLoaded(TraceSnapshot(query: "e3", eventId: "e3", hops: [], now: "outbox row e3 is pending: not published yet",
                                                    outbox: "outbox order-service row e3 (order/o-3 created): pending")))
        let lines = Dashboard.render(state, width: 120, height: 30).lines
        #expect(lines.contains { $0.contains("outbox order-service row e3 (order/o-3 created): pending") })
        #expect(lines.contains { $0.contains("now: outbox row e3 is pending") })
    }

    @Test("without the trace capability t is refused on a row")
    func refused() {
        var state = OutboxFixture.state(width: 120, height: 30)
        OutboxUpdateTests.selectOrderService(&state)
        Fixture.press(&state, [.enter])
        _ = state.update(.outboxRowsLoaded(outbox: "order-service", rows: Self.rows))
        #expect(Fixture.press(&state, [.char("t")]).isEmpty)
        #expect(state.status?.isError == true)
    }
}
