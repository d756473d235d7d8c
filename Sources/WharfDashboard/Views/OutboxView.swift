/// Outbox: per outbox its relay state, pending rows, age of the oldest pending row, publish
/// rate, failing and dead rows, and a backlog sparkline; below the table, the selected
/// outbox in detail (where it lives, totals, a wide backlog chart, the last error).
enum OutboxView {
    static let columns = [
        TableColumn("OUTBOX", width: 14, flex: 1),
        TableColumn("STATE", width: 7),
        TableColumn("PENDING", width: 7, alignRight: true),
        TableColumn("OLDEST", width: 7, alignRight: true),
        TableColumn("PUB/S", width: 7, alignRight: true),
        TableColumn("FAILING", width: 7, alignRight: true, dropPriority: 2),
        TableColumn("DEAD", width: 5, alignRight: true),
        TableColumn("BACKLOG", width: 12, dropPriority: 1),
    ]
    /// Rows the detail panel under the table takes (with its blank separator line).
    static let detailHeight = 6

    static func cells(_ state: DashboardState, outbox o: OutboxSnapshot) -> [TableCell] {
        let backlog = state.metrics.outbox(o.name)?.backlog.elements.map(Double.init) ?? []
        return [
            TableCell(o.name),
            TableCell(o.relay.label, role: o.relay.role),
            TableCell(Format.count(o.pending), role: o.pending == 0 ? .good : .number),
            TableCell(o.oldestAgeMs.map { Format.duration(ms: $0) } ?? "-", role: .number),
            TableCell(Format.rate(state.metrics.publishRate(outbox: o.name)), role: .number),
            TableCell(Format.count(o.failing), role: o.failing > 0 ? .warning : .number),
            TableCell(Format.count(o.dead), role: o.dead > 0 ? .critical : .number),
            TableCell(Sparkline.string(backlog, width: 12), role: .sparkline),
        ]
    }

    static func render(_ state: DashboardState, into canvas: inout Canvas, rect: Rect) {
        let frame = state.current
        let area = Rect(x: rect.x + 1, y: rect.y, width: rect.width - 2, height: rect.height)
        guard !area.isEmpty else { return }
        guard let list = state.snapshot.outboxes else {
            renderNone(into: &canvas, rect: area)
            return
        }
        let rows = state.outboxRows(frame)
        let table = TableWidget(columns: columns, rowCount: rows.count, selected: rows.isEmpty ? nil : frame.selected,
                                scroll: frame.scroll, sortColumn: frame.sortColumn, ascending: frame.ascending)
        if rows.isEmpty {
            let msg = list.isEmpty ? "no outboxes" : "no outbox matches /\(frame.filter)"
            table.renderEmpty(msg, into: &canvas, rect: area)
            return
        }
        // The table gets what it needs; the detail panel shows when there is room for it.
        let showDetail = area.height >= detailHeight + 3
        let tableHeight = showDetail ? min(area.height - detailHeight, rows.count + 1) : area.height
        table.render(into: &canvas, rect: Rect(x: area.x, y: area.y, width: area.width, height: tableHeight)) {
            cells(state, outbox: list[rows[$0]])
        }
        guard showDetail, let selected = state.selectedOutbox() else { return }
        renderDetail(state, outbox: selected, into: &canvas,
                     rect: Rect(x: area.x, y: area.y + tableHeight + 1, width: area.width, height: area.maxY - area.y - tableHeight - 1))
    }

    /// The selected outbox: location, totals, a wide backlog chart and the last error.
    static func renderDetail(_ state: DashboardState, outbox o: OutboxSnapshot, into canvas: inout Canvas, rect: Rect) {
        let m = state.metrics
        var x = rect.x
        x += canvas.write(o.name, x: x, y: rect.y, maxWidth: rect.width, role: .title)
        if !o.location.isEmpty {
            canvas.write("  " + o.location, x: x, y: rect.y, maxWidth: max(0, rect.maxX - x), role: .dim)
        }
        guard rect.height >= 2 else { return }
        let relayText: String = switch o.relay {
        case .running: "relay running"
        case .paused: "relay paused by an operator: nothing is published, the backlog grows"
        case .failing: "relay failing: rows are being retried"
        case .stopped: "no relay runs here: watched only"
        }
        canvas.write(relayText, x: rect.x, y: rect.y + 1, maxWidth: rect.width, role: o.relay.role)
        guard rect.height >= 3 else { return }
        let totals = "published \(Format.count(o.publishedTotal)) since start · \(Format.rate(m.publishRate(outbox: o.name)))/s"
            + " · failed attempts \(Format.count(o.failuresTotal)) (\(Format.rate(m.failureRate(outbox: o.name)))/s)"
            + " · dead \(Format.count(o.dead))"
        canvas.write(totals, x: rect.x, y: rect.y + 2, maxWidth: rect.width, role: .dim)
        guard rect.height >= 4 else { return }
        let backlog = m.outbox(o.name)?.backlog
        let peak = backlog?.max() ?? 0
        var cx = rect.x + canvas.write("backlog ", x: rect.x, y: rect.y + 3, maxWidth: rect.width, role: .dim)
        let peakText = "  peak \(Format.count(peak))"
        let chartWidth = max(0, min(60, rect.maxX - cx - DisplayWidth.of(peakText)))
        Sparkline.render((backlog?.elements ?? []).map(Double.init), into: &canvas,
                         rect: Rect(x: cx, y: rect.y + 3, width: chartWidth, height: 1))
        cx += chartWidth
        canvas.write(peakText, x: cx, y: rect.y + 3, maxWidth: max(0, rect.maxX - cx), role: .dim)
        guard rect.height >= 5, let error = o.lastError else { return }
        canvas.write("last error: " + error, x: rect.x, y: rect.y + 4, maxWidth: rect.width, role: .messageError)
    }

    /// No outbox configured for this source: say how to get one.
    static func renderNone(into canvas: inout Canvas, rect: Rect) {
        let lines: [(String, StyleRole)] = [
            ("No outbox is watched here.", .title),
            ("", .dim),
            ("Start the dashboard with --outbox sqlite:PATH (or postgres://USER@HOST/DB),", .dim),
            ("repeatable: it relays each outbox into this data directory and shows its", .dim),
            ("backlog, publish rate, failures, dead rows and relay state here.", .dim),
            ("`wharf demo` has one: an order service writing orders with their events.", .dim),
        ]
        for (i, (text, role)) in lines.enumerated() where rect.y + 1 + i < rect.maxY {
            canvas.write(text, x: rect.x, y: rect.y + 1 + i, maxWidth: rect.width, role: role)
        }
    }

    static func renderConfirmRetry(outbox: String, dead: Int64, into canvas: inout Canvas, rect: Rect) {
        let inner = ModalDialog.render(into: &canvas, in: rect, width: 56, height: 6, title: "Retry dead rows", dangerous: true)
        ModalDialog.lines([("Make \(Format.count(dead)) dead row\(dead == 1 ? "" : "s") of \(outbox) pending again?", .dialog),
                           ("The relay publishes them on its next polls.", .dialog),
                           ("y = retry   n / Esc = keep them dead", .dialog)], into: &canvas, rect: inner)
    }
}

extension OutboxView {
    /// The Overview's line for one outbox: "42 pending, oldest 3.0s, running, 1 dead".
    static func overviewLine(_ o: OutboxSnapshot) -> String {
        var text = "\(Format.count(o.pending)) pending"
        if let age = o.oldestAgeMs { text += ", oldest " + Format.duration(ms: age) }
        text += ", " + o.relay.label
        if o.dead > 0 { text += ", \(Format.count(o.dead)) dead" }
        return text
    }
}
