/// The newest rows of one outbox (Enter on an outbox), newest first: the event id, its
/// aggregate and type, whether it was published (when) or is pending or dead (after how many
/// attempts, with the last error). `t` traces the selected row's event.
enum OutboxRowsView {
    static let columns = [
        TableColumn("EVENT ID", width: 14, flex: 1),
        TableColumn("AGGREGATE", width: 14, flex: 1, dropPriority: 2),
        TableColumn("TYPE", width: 10, dropPriority: 3),
        TableColumn("STATUS", width: 9),
        TableColumn("TRIES", width: 5, alignRight: true, dropPriority: 4),
        TableColumn("CREATED (UTC)", width: 19, dropPriority: 1),
        TableColumn("PUBLISHED / LAST ERROR", width: 19, flex: 1),
    ]

    static func cells(_ r: OutboxRowSnapshot) -> [TableCell] {
        let statusRole: StyleRole? = switch r.status {
        case "published": .good
        case "dead": .critical
        default: r.attempts > 0 ? .warning : nil
        }
        let last: TableCell = if let published = r.publishedAtMs {
            TableCell(String(Format.timestamp(ms: published).prefix(19)), role: .dim)
        } else if let error = r.lastError {
            TableCell(error, role: .critical)
        } else {
            TableCell("-", role: .dim)
        }
        return [TableCell(r.id), TableCell(r.aggregate), TableCell(r.type), TableCell(r.status, role: statusRole),
                TableCell(String(r.attempts), role: .number),
                TableCell(r.createdAtMs.map { String(Format.timestamp(ms: $0).prefix(19)) } ?? "-", role: .dim), last]
    }

    static func render(_ state: DashboardState, outbox: String, into canvas: inout Canvas, rect: Rect) {
        let frame = state.current
        let area = Rect(x: rect.x + 1, y: rect.y, width: rect.width - 2, height: rect.height)
        guard !area.isEmpty else { return }
        let rows = state.outboxRowRows(frame)
        let table = TableWidget(columns: columns, rowCount: rows.count, selected: rows.isEmpty ? nil : frame.selected,
                                scroll: frame.scroll, sortColumn: nil, ascending: false)
        if rows.isEmpty {
            let browser = state.outboxRowsBrowser
            let msg = browser.loading ? "reading the rows of \(outbox)…"
                : browser.rows.isEmpty ? "\(outbox) has no rows" : "no row matches /\(frame.filter)"
            table.renderEmpty(msg, into: &canvas, rect: area)
            return
        }
        table.render(into: &canvas, rect: area) { cells(state.outboxRowsBrowser.rows[rows[$0]]) }
    }
}
