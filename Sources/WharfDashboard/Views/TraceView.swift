/// The trace of one event (`t`): a line saying where it is now, the outbox row it started as
/// (when an outbox has it), then one row per record it
/// became, oldest first: role, record, time, where it came from, the dead-letter reason, the
/// groups that consumed it and those still behind it.
enum TraceView {
    static let columns = [
        TableColumn("ROLE", width: 11),
        TableColumn("RECORD", width: 18, flex: 1),
        TableColumn("TIME (UTC)", width: 19, dropPriority: 2),
        TableColumn("FROM", width: 14, flex: 1, dropPriority: 3),
        TableColumn("REASON", width: 12, flex: 1, dropPriority: 1),
        TableColumn("CONSUMED BY", width: 11, flex: 1),
        TableColumn("PENDING FOR", width: 11, flex: 1, dropPriority: 4),
    ]

    static func render(_ state: DashboardState, query: String, into canvas: inout Canvas, rect: Rect) {
        let area = Rect(x: rect.x + 1, y: rect.y, width: rect.width - 2, height: rect.height)
        guard !area.isEmpty else { return }
        guard let trace = state.trace, trace.query == query else {
            canvas.write("tracing \(query)…", x: area.x, y: area.y, maxWidth: area.width, role: .dim)
            return
        }
        let title = "now: " + trace.now + (trace.truncated ? " (scan stopped at its limit)" : "")
        canvas.write(title, x: area.x, y: area.y, maxWidth: area.width, role: trace.hops.last?.role == "dead-letter" ? .warning : .title)
        if let id = trace.eventId { canvas.write("event id " + id, x: area.x, y: area.y + 1, maxWidth: area.width, role: .dim) }
        // The outbox row the event started as, before the records it became.
        let top = trace.outbox == nil ? 2 : 3
        if let outbox = trace.outbox { canvas.write(outbox, x: area.x, y: area.y + 2, maxWidth: area.width, role: .dim) }
        let tableRect = Rect(x: area.x, y: area.y + top, width: area.width, height: max(0, area.height - top))
        let table = TableWidget(columns: columns, rowCount: trace.hops.count, selected: nil)
        if trace.hops.isEmpty {
            table.renderEmpty("no record of this event was found", into: &canvas, rect: tableRect)
            return
        }
        table.render(into: &canvas, rect: tableRect) { i in
            let h = trace.hops[i]
            return [TableCell(h.role, role: h.role == "dead-letter" ? .warning : nil), TableCell(h.record),
                    TableCell(String(Format.timestamp(ms: h.timestampMs).prefix(19)), role: .dim), TableCell(h.from ?? "-", role: .dim),
                    TableCell(h.reason ?? "-", role: h.reason == nil ? .dim : .warning),
                    TableCell(h.consumedBy.isEmpty ? "-" : h.consumedBy.joined(separator: ","), role: h.consumedBy.isEmpty ? .dim : .good),
                    TableCell(h.pendingFor.isEmpty ? "-" : h.pendingFor.joined(separator: ","), role: .dim)]
        }
    }
}
