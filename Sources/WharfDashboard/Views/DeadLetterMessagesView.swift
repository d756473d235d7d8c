/// The dead-letter browser: a list of messages (mark, sequence, enqueued time, reason,
/// delivery count, body preview) and, below, the selected message's reason, description,
/// properties and body as text, pretty JSON or hex.
enum DeadLetterMessagesView {
    static let columns = [
        TableColumn(" ", width: 1),
        TableColumn("SEQ", width: 6, alignRight: true),
        TableColumn("ENQUEUED (UTC)", width: 19, dropPriority: 2),
        TableColumn("REASON", width: 14, flex: 1),
        TableColumn("DLV", width: 3, alignRight: true, dropPriority: 1),
        TableColumn("BODY", width: 16, flex: 3),
    ]

    static func render(_ state: DashboardState, entity: String, into canvas: inout Canvas, rect: Rect) {
        let b = state.deadLetterBrowser
        let frame = state.current
        let total = state.snapshot.deadLetter(named: entity)?.count
        var info = " \(entity) · \(b.rows.count) shown"
        if let total, total > Int64(b.rows.count) { info += " of \(total)" }
        if !b.marked.isEmpty { info += " · \(b.marked.count) marked" }
        info += " · body: \(b.mode.rawValue)"
        canvas.write(info, x: rect.x, y: rect.y, maxWidth: rect.width, role: .dim)
        let body = Rect(x: rect.x + 1, y: rect.y + 1, width: rect.width - 2, height: rect.height - 1)
        guard !body.isEmpty else { return }
        let rows = state.deadLetterMessageRows(frame)
        if rows.isEmpty {
            let msg = b.loading ? "loading…" : (b.rows.isEmpty ? "no dead-lettered messages" : "no message matches /\(frame.filter)")
            canvas.write(msg, x: body.x, y: body.y, maxWidth: body.width, role: .dim)
            return
        }
        let listHeight = body.height >= 10 ? max(4, body.height / 2) : body.height
        let (list, detail) = body.splitTop(listHeight)
        var table = TableWidget(columns: columns, rowCount: rows.count, selected: frame.selected, scroll: frame.scroll)
        table.isMarked = { b.marked.contains(b.rows[rows[$0]].sequenceNumber) }
        table.render(into: &canvas, rect: list) { i in
            let m = b.rows[rows[i]]
            return [TableCell(b.marked.contains(m.sequenceNumber) ? "●" : " "),
                    TableCell(String(m.sequenceNumber), role: .number),
                    TableCell(String(Format.timestamp(ms: m.enqueuedTimeMs).prefix(19)), role: .dim),
                    TableCell(m.reason ?? "-", role: .warning),
                    TableCell(String(m.deliveryCount), role: .number),
                    TableCell(RecordFormatter.text(m.body))]
        }
        guard detail.height >= 2, frame.selected < rows.count else { return }
        renderDetail(b.rows[rows[frame.selected]], mode: b.mode, into: &canvas, rect: detail)
    }

    static func renderDetail(_ m: DeadLetterMessageRow, mode: RecordViewMode, into canvas: inout Canvas, rect: Rect) {
        var y = rect.y
        canvas.fill(rect.row(0), role: .border, character: "─")
        canvas.write(" #\(m.sequenceNumber) · id \(m.messageId) · enqueued \(Format.timestamp(ms: m.enqueuedTimeMs)) · delivered \(m.deliveryCount)x ",
                     x: rect.x + 1, y: y, maxWidth: rect.width - 2, role: .title)
        y += 1
        if y < rect.maxY {
            var text = "reason   " + (m.reason ?? "-")
            if let d = m.errorDescription { text += ": " + d }
            canvas.write(text, x: rect.x, y: y, maxWidth: rect.width, role: .warning)
            y += 1
        }
        if !m.properties.isEmpty, y < rect.maxY {
            let text = m.properties.map { "\($0.0)=\($0.1)" }.joined(separator: "  ")
            canvas.write("props    " + text, x: rect.x, y: y, maxWidth: rect.width, role: .dim)
            y += 1
        }
        RecordsView.renderValue(m.body, mode: mode, into: &canvas, rect: Rect(x: rect.x, y: y, width: rect.width, height: max(0, rect.maxY - y)))
    }
}
