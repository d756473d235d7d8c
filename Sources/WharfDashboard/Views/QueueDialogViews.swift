/// The requeue (choose, value, target, preview), queue purge and purge-undo dialogs.
enum QueueDialogViews {
    static func render(_ m: QueueModal, into canvas: inout Canvas, rect: Rect) {
        switch m {
        case .requeue(let d): renderRequeue(d, into: &canvas, rect: rect)
        case .purge(let d): renderPurge(d, into: &canvas, rect: rect)
        case .confirmUndo(let entity):
            let inner = ModalDialog.render(into: &canvas, in: rect, width: 60, height: 5, title: "Undo purge of \(entity)", dangerous: true)
            ModalDialog.lines([("Restore the messages the last purge removed (if", .dialog),
                               ("still within the undo window)?  y = undo  n = keep", .dialog)], into: &canvas, rect: inner)
        }
    }

    static func renderRequeue(_ d: RequeueDialog, into canvas: inout Canvas, rect: Rect) {
        let title = "Requeue from \(d.entity)"
        switch d.step {
        case .choose:
            let inner = ModalDialog.render(into: &canvas, in: rect, width: 62, height: d.scopes.count + 6, title: title, dangerous: true)
            guard !inner.isEmpty else { return }
            canvas.write("To: \(d.targetLabel)", x: inner.x, y: inner.y, maxWidth: inner.width, role: .dialog)
            canvas.write("Requeue:", x: inner.x, y: inner.y + 1, maxWidth: inner.width, role: .dialog)
            for (i, scope) in d.scopes.enumerated() where inner.y + 2 + i < inner.maxY {
                var label = scope.label
                if scope == .selection { label += " (\(d.selected.count))" }
                let role: StyleRole = i == d.choice ? .completionSelected : .dialog
                canvas.writeFitted((i == d.choice ? " ▸ " : "   ") + label, x: inner.x, y: inner.y + 2 + i, width: min(40, inner.width), role: role)
            }
            if let e = d.error { canvas.write(e, x: inner.x, y: inner.maxY - 1, maxWidth: inner.width, role: .messageError) }
        case .value, .target:
            let isTarget = d.step == .target
            let inner = ModalDialog.render(into: &canvas, in: rect, width: 62, height: 7, title: title, dangerous: true)
            guard !inner.isEmpty else { return }
            let prompt = isTarget ? "Target queue or topic (empty = the source):" : valuePrompt(d.scopes[d.choice])
            canvas.write(prompt, x: inner.x, y: inner.y, maxWidth: inner.width, role: .dialog)
            (isTarget ? d.target : d.input).render(into: &canvas, rect: Rect(x: inner.x, y: inner.y + 1, width: inner.width, height: 1))
            if let e = d.error { canvas.write(e, x: inner.x, y: inner.y + 3, maxWidth: inner.width, role: .messageError) }
        case .previewing:
            let inner = ModalDialog.render(into: &canvas, in: rect, width: 54, height: 4, title: title, dangerous: true)
            canvas.write("Dry run: \(d.selection?.label ?? "")…", x: inner.x, y: inner.y, maxWidth: inner.width, role: .dialog)
        case .review(let p):
            let inner = ModalDialog.render(into: &canvas, in: rect, width: 66, height: 9, title: title + ": preview", dangerous: true)
            guard !inner.isEmpty else { return }
            let n = p.sequenceNumbers.count
            var lines: [(String, StyleRole)] = [
                ("\(n) message(s) will move (\(d.selection?.label ?? "?"))", n > 0 ? .dangerous : .dialog),
                ("from \(p.entity)", .dialog),
                ("to   \(p.target)\(d.target.text.isEmpty ? " (source)" : "")", .dialog),
            ]
            lines.append(p.skipped.isEmpty ? ("new sequence numbers, delivery count 0, requeue-count +1", .dim)
                         : ("\(p.skipped.count) selected but skipped (locked or gone)", .warning))
            if n > 0 { lines.append(("seq " + Self.ranges(p.sequenceNumbers), .dim)) }
            ModalDialog.lines(lines, into: &canvas, rect: inner)
            canvas.write(n > 0 ? "y/⏎ requeues · t other target · ⌫ back · Esc cancels" : "nothing to requeue · Esc closes",
                         x: inner.x, y: inner.maxY - 1, maxWidth: inner.width, role: .dangerous)
        }
    }

    static func valuePrompt(_ scope: RequeueDialog.Scope) -> String {
        switch scope {
        case .reason: "Dead-letter reason (exact):"
        case .property: "Application property, name=value:"
        case .body: "Body contains (text):"
        case .selection, .all: ""
        }
    }

    static func renderPurge(_ d: QueuePurgeDialog, into canvas: inout Canvas, rect: Rect) {
        let inner = ModalDialog.render(into: &canvas, in: rect, width: 62, height: 8, title: "Purge \(d.entity)", dangerous: true)
        guard !inner.isEmpty else { return }
        canvas.write("\(Format.count(d.count)) message(s) (\(d.count)) will be removed;", x: inner.x, y: inner.y, maxWidth: inner.width, role: .dangerous)
        canvas.write(d.restorable ? "u restores them for a while (the undo window)." : "A topic's records are deleted for good: no undo.",
                     x: inner.x, y: inner.y + 1, maxWidth: inner.width, role: d.restorable ? .dialog : .dangerous)
        canvas.write("Type \(PurgeDialog.confirmWord) and press Enter:", x: inner.x, y: inner.y + 3, maxWidth: inner.width, role: .dialog)
        d.confirmation.render(into: &canvas, rect: Rect(x: inner.x, y: inner.y + 4, width: min(20, inner.width), height: 1))
        if let e = d.error { canvas.write(e, x: inner.x, y: inner.y + 5, maxWidth: inner.width, role: .messageError) }
    }

    /// "3-7, 12, 15-16": compact sequence-number list for the preview.
    static func ranges(_ seqs: [Int64]) -> String {
        var parts: [String] = []
        var i = 0
        while i < seqs.count && parts.count < 12 {
            var j = i
            while j + 1 < seqs.count && seqs[j + 1] == seqs[j] + 1 { j += 1 }
            parts.append(i == j ? "\(seqs[i])" : "\(seqs[i])-\(seqs[j])")
            i = j + 1
        }
        return parts.joined(separator: ", ") + (i < seqs.count ? ", …" : "")
    }
}
