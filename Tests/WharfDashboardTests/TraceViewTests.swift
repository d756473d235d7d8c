import Testing
@testable import WharfDashboard

/// `t` on a record or a dead letter opens the trace of its event.
@Suite("t traces a record's or a dead letter's event")
struct TraceViewTests {
    static let trace = TraceSnapshot(query: "orders/0/3", eventId: "9f0c", hops: [
        .init(role: "record", record: "orders/0/3", timestampMs: Fixture.start, consumedBy: ["billing"]),
        .init(role: "dead-letter", record: "orders.DLT/0/0", timestampMs: Fixture.start + 1000, from: "orders/0/3", reason: "card declined"),
        .init(role: "requeued", record: "orders/0/9", timestampMs: Fixture.start + 2000, from: "orders.DLT/0/0", pendingFor: ["billing"]),
    ], now: "requeued to orders/0/9 from orders.DLT/0/0, not consumed by any group yet")

    static func recordsView(capabilities: SourceCapabilities) -> (DashboardState, RecordRow?) {
        var state = Fixture.state(width: 120, height: 40)
        state.capabilities = capabilities
        let effects = Fixture.press(&state, [.char(":")] + Fixture.type("records orders") + [.enter])
        guard case .loadRecords(let t, let p, let from, let max)? = effects.first else { return (state, nil) }
        let rows = Fixture.cluster().records(topic: t, partition: p, from: from, max: max)
        _ = state.update(.recordsLoaded(rows))
        return (state, rows.first)
    }

    @Test("on a record: the trace of topic/partition/offset, rendered when it arrives; esc goes back")
    func fromARecord() {
        var (state, first) = Self.recordsView(capabilities: SourceCapabilities.all.union(.trace))
        guard let first else { Issue.record("no records"); return }
        let query = "\(first.topic)/\(first.partition)/\(first.offset)"
        #expect(Fixture.press(&state, [.char("t")]) == [.loadTrace(query: query)])
        #expect(state.current.id == .trace(query))
        #expect(Dashboard.render(state, width: 120, height: 40).lines.contains { $0.contains("tracing \(query)") })
        var loaded = Self.trace
        loaded.query = query
        _ = state.update(.traceLoaded(loaded))
        let lines = Dashboard.render(state, width: 120, height: 40).lines
        #expect(lines.contains { $0.contains("now: requeued to orders/0/9 from orders.DLT/0/0") })
        #expect(lines.contains { $0.contains("dead-letter") && $0.contains("orders.DLT/0/0") && $0.contains("card declined") })
        #expect(lines.contains { $0.contains("record") && $0.contains("billing") })
        RenderSnapshotTests.screen("trace", 120, 40) { $0 = state }
        Fixture.press(&state, [.escape])
        guard case .records = state.current.id else { Issue.record("esc did not go back: \(state.current.id)"); return }
    }

    @Test("on a dead letter: its traceId (a dead-letter topic's record), else its message id")
    func fromADeadLetter() {
        var state = Fixture.state(width: 120, height: 40)
        state.capabilities = SourceCapabilities.all.union(.trace)
        var row = DeadLetterMessageRow(sequenceNumber: 0, messageId: "orders.DLT/0@0 from orders/0@3", enqueuedTimeMs: Fixture.start)
        row.traceId = "orders.DLT/0/0"
        state.deadLetterBrowser.entity = "orders.DLT"
        state.deadLetterBrowser.rows = [row, DeadLetterMessageRow(sequenceNumber: 7, messageId: "msg-7", enqueuedTimeMs: Fixture.start)]
        state.stack = [ViewFrame(.overview), ViewFrame(.deadLetters), ViewFrame(.deadLetterMessages("orders.DLT"))]
        #expect(Fixture.press(&state, [.char("t")]) == [.loadTrace(query: "orders.DLT/0/0")])
        Fixture.press(&state, [.escape, .down])
        #expect(Fixture.press(&state, [.char("t")]) == [.loadTrace(query: "msg-7")])
    }

    @Test("a source that cannot trace refuses, and the help lists t only where it works")
    func refused() {
        var (state, _) = Self.recordsView(capabilities: .all)
        #expect(Fixture.press(&state, [.char("t")]).isEmpty)
        #expect(state.status?.isError == true)
        var (traceable, _) = Self.recordsView(capabilities: SourceCapabilities.all.union(.trace))
        #expect(traceable.helpSections().flatMap(\.1).contains { $0.key == "t" })
        Fixture.press(&traceable, [.escape])
        #expect(!traceable.helpSections().flatMap(\.1).contains { $0.key == "t" })
    }
}
