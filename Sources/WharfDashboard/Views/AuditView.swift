import WharfCore

/// The audit log (`:audit`): one row per recorded change, newest first: when, who, what, on
/// which target, before→after (or the error of a change that failed), and the result.
enum AuditView {
    static let columns = [
        TableColumn("TIME (UTC)", width: 19),
        TableColumn("ACTOR", width: 27, dropPriority: 2),
        TableColumn("ACTION", width: 20),
        TableColumn("TARGET", width: 16, flex: 1),
        TableColumn("CHANGE", width: 20, flex: 2, dropPriority: 1),
        TableColumn("RESULT", width: 6),
    ]

    /// A failed change shows its error where a done one shows what changed.
    static func cells(_ e: AuditEntry) -> [TableCell] {
        [TableCell(String(Format.timestamp(ms: e.timeMs).prefix(19)), role: .dim),
         TableCell(e.actor.summary),
         TableCell(e.action, role: e.isUndoableReset ? .warning : nil),
         TableCell(e.target),
         e.succeeded ? TableCell(e.changeSummary, role: .number) : TableCell(e.result, role: .critical),
         e.succeeded ? TableCell("ok", role: .good) : TableCell("failed", role: .critical)]
    }

    static func render(_ state: DashboardState, into canvas: inout Canvas, rect: Rect) {
        let frame = state.current
        let area = Rect(x: rect.x + 1, y: rect.y, width: rect.width - 2, height: rect.height)
        guard !area.isEmpty else { return }
        let rows = state.auditRows(frame)
        let table = TableWidget(columns: columns, rowCount: rows.count, selected: rows.isEmpty ? nil : frame.selected,
                                scroll: frame.scroll, sortColumn: nil, ascending: false)
        if rows.isEmpty {
            let msg = state.auditLoading ? "reading the audit log…"
                : state.auditEntries.isEmpty ? "no change recorded yet" : "no change matches /\(frame.filter)"
            table.renderEmpty(msg, into: &canvas, rect: area)
            return
        }
        table.render(into: &canvas, rect: area) { cells(state.auditEntries[rows[$0]]) }
    }

    static func renderConfirmUndo(_ e: AuditEntry, into canvas: inout Canvas, rect: Rect) {
        let back = (e.before ?? [:]).filter { Int64($0.value) != nil }.sorted { $0.key < $1.key }
        let shown = min(back.count, 6)
        let inner = ModalDialog.render(into: &canvas, in: rect, width: 64, height: shown + 7, title: "Undo \(e.target)", dangerous: true)
        guard !inner.isEmpty else { return }
        var lines: [(String, StyleRole)] = [("Put back the offsets \(e.actor.summary)", .dialog),
                                            ("replaced at \(Format.timestamp(ms: e.timeMs)) UTC:", .dialog)]
        lines += back.prefix(shown).map { ("  \($0.key) → \($0.value)", .dialog) }
        if back.count > shown { lines.append(("  … and \(back.count - shown) more", .dim)) }
        lines.append(("y = undo   n / Esc = keep", .dangerous))
        ModalDialog.lines(lines, into: &canvas, rect: inner)
    }
}
