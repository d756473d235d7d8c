import WharfCore

/// The replay (reset) and purge dialogs.
enum DialogViews {
    static func renderReset(_ d: ResetDialog, into canvas: inout Canvas, rect: Rect) {
        let scope = d.scope.map { "\($0.topic) [\($0.partitions.map(String.init).joined(separator: ","))]" }.joined(separator: "  ")
        switch d.step {
        case .choose:
            let inner = ModalDialog.render(into: &canvas, in: rect, width: 60, height: ResetDialog.choices.count + 6,
                                           title: "Replay \(d.group): reset offsets", dangerous: true)
            guard !inner.isEmpty else { return }
            canvas.write("Partitions: " + scope, x: inner.x, y: inner.y, maxWidth: inner.width, role: .dialog)
            canvas.write("Reset to:", x: inner.x, y: inner.y + 1, maxWidth: inner.width, role: .dialog)
            for (i, choice) in ResetDialog.choices.enumerated() where inner.y + 2 + i < inner.maxY {
                let role: StyleRole = i == d.choice ? .completionSelected : .dialog
                canvas.writeFitted((i == d.choice ? " ▸ " : "   ") + choice, x: inner.x, y: inner.y + 2 + i, width: min(24, inner.width), role: role)
            }
            if let e = d.error { canvas.write(e, x: inner.x, y: inner.maxY - 1, maxWidth: inner.width, role: .messageError) }
        case .value:
            let inner = ModalDialog.render(into: &canvas, in: rect, width: 60, height: 7,
                                           title: "Replay \(d.group): \(ResetDialog.choices[d.choice])", dangerous: true)
            guard !inner.isEmpty else { return }
            canvas.write("Value: " + ResetDialog.valueHint(d.choice), x: inner.x, y: inner.y, maxWidth: inner.width, role: .dialog)
            d.input.render(into: &canvas, rect: Rect(x: inner.x, y: inner.y + 1, width: inner.width, height: 1))
            if let e = d.error { canvas.write(e, x: inner.x, y: inner.y + 3, maxWidth: inner.width, role: .messageError) }
        case .previewing:
            let inner = ModalDialog.render(into: &canvas, in: rect, width: 50, height: 4, title: "Replay \(d.group)", dangerous: true)
            canvas.write("Computing the dry-run for \(d.spec?.label ?? "")…", x: inner.x, y: inner.y, maxWidth: inner.width, role: .dialog)
        case .review:
            // The summary takes two lines, so a long spec (a date-time) never cuts the count off.
            let height = min(rect.height, d.rows.count + 9)
            let inner = ModalDialog.render(into: &canvas, in: rect, width: 74, height: height,
                                           title: "Replay \(d.group): preview", dangerous: true)
            guard !inner.isEmpty else { return }
            let total = OffsetMath.sum(d.rows.lazy.map(\.recordsToReread))
            ModalDialog.lines([("Reset to \(d.spec?.label ?? "?"):", .dialog),
                               ("\(d.rows.count) partition(s), \(Format.count(total)) records to re-read", .dialog)],
                              into: &canvas, rect: Rect(x: inner.x, y: inner.y, width: inner.width, height: min(2, inner.height)))
            let cols = [TableColumn("TOPIC", width: 10, flex: 1), TableColumn("P", width: 3, alignRight: true),
                        TableColumn("CURRENT", width: 10, alignRight: true), TableColumn("NEW", width: 10, alignRight: true),
                        TableColumn("RE-READ", width: 9, alignRight: true)]
            let tableRect = Rect(x: inner.x, y: inner.y + 2, width: inner.width, height: max(0, inner.height - 4))
            var table = TableWidget(columns: cols, rowCount: d.rows.count)
            table.selected = nil
            canvas.fill(tableRect, role: .dialog)
            table.render(into: &canvas, rect: tableRect) { i in
                let r = d.rows[i]
                return [TableCell(r.topic), TableCell(String(r.partition), role: .number),
                        TableCell(r.current.map(String.init) ?? "-", role: .number), TableCell(String(r.new), role: .number),
                        TableCell(Format.count(r.recordsToReread), role: r.recordsToReread < 0 ? .warning : .number)]
            }
            canvas.write("y / Enter applies this exact plan · Backspace changes · Esc cancels", x: inner.x, y: inner.maxY - 1,
                         maxWidth: inner.width, role: .dangerous)
        }
    }

    static func renderPurge(_ d: PurgeDialog, into canvas: inout Canvas, rect: Rect) {
        let parts = d.partitions.map(String.init).joined(separator: ",")
        switch d.step {
        case .offset:
            let inner = ModalDialog.render(into: &canvas, in: rect, width: 60, height: 8, title: "Purge \(d.topic)", dangerous: true)
            guard !inner.isEmpty else { return }
            ModalDialog.lines([("Delete records of partition(s) \(parts)", .dialog),
                               ("below offset (\"end\" = everything retained):", .dialog)], into: &canvas, rect: inner)
            d.input.render(into: &canvas, rect: Rect(x: inner.x, y: inner.y + 2, width: inner.width, height: 1))
            if let e = d.error { canvas.write(e, x: inner.x, y: inner.y + 4, maxWidth: inner.width, role: .messageError) }
        case .confirm:
            let shown = min(d.plan.count, 6)
            let inner = ModalDialog.render(into: &canvas, in: rect, width: 64, height: shown + 8, title: "Purge \(d.topic)", dangerous: true)
            guard !inner.isEmpty else { return }
            canvas.write("\(Format.count(d.totalRecords)) records (\(d.totalRecords)) will be deleted for good:",
                         x: inner.x, y: inner.y, maxWidth: inner.width, role: .dangerous)
            for (i, row) in d.plan.prefix(shown).enumerated() {
                canvas.write("  partition \(row.partition): \(row.records) records below offset \(row.beforeOffset)",
                             x: inner.x, y: inner.y + 1 + i, maxWidth: inner.width, role: .dialog)
            }
            let y = inner.y + 1 + shown
            canvas.write("Type \(PurgeDialog.confirmWord) and press Enter:", x: inner.x, y: y + 1, maxWidth: inner.width, role: .dialog)
            d.confirmation.render(into: &canvas, rect: Rect(x: inner.x, y: y + 2, width: min(20, inner.width), height: 1))
            if let e = d.error { canvas.write(e, x: inner.x, y: y + 3, maxWidth: inner.width, role: .messageError) }
        }
    }
}
