/// A bordered box over the view, centred, with a title in the top border.
/// `render` returns the inner area for the dialog's content (empty when there is no room).
public enum ModalDialog {
    public static func render(into canvas: inout Canvas, in area: Rect, width: Int, height: Int,
                              title: String, dangerous: Bool = false) -> Rect {
        let frame = area.centered(width: min(width, area.width), height: min(height, area.height))
        guard !frame.isEmpty else { return .zero }
        canvas.fill(frame, role: .dialog)
        guard frame.width >= 3, frame.height >= 3 else { return .zero }
        canvas.box(frame, role: dangerous ? .dangerous : .dialogBorder)
        let label = " " + title + " "
        canvas.write(label, x: frame.x + 2, y: frame.y, maxWidth: frame.width - 4, role: dangerous ? .dangerous : .dialogTitle)
        return frame.inset(dx: 2, dy: 1)
    }

    /// Writes lines of (text, role) into `rect`, one per row, clipped.
    public static func lines(_ lines: [(String, StyleRole)], into canvas: inout Canvas, rect: Rect) {
        for (i, line) in lines.enumerated() where i < rect.height {
            canvas.write(line.0, x: rect.x, y: rect.y + i, maxWidth: rect.width, role: line.1)
        }
    }
}

/// The `?` overlay: sections of key bindings for the current view.
public enum HelpOverlay {
    public static func render(into canvas: inout Canvas, in area: Rect, sections: [(String, [KeyHint])]) {
        let keyWidth = sections.flatMap(\.1).map { DisplayWidth.of($0.key) }.max() ?? 1
        let rows = sections.reduce(0) { $0 + $1.1.count + 2 } + 1
        let inner = ModalDialog.render(into: &canvas, in: area, width: 72, height: rows + 2, title: "Help  (Esc closes)")
        guard !inner.isEmpty else { return }
        var y = inner.y
        // Two columns when the list is taller than the box.
        let columns = rows > inner.height && inner.width >= 56 ? 2 : 1
        let columnWidth = inner.width / columns
        var column = 0
        for (title, hints) in sections {
            if y + 2 > inner.maxY, column + 1 < columns { column += 1; y = inner.y }
            let x = inner.x + column * columnWidth
            guard y < inner.maxY else { break }
            canvas.write(title, x: x, y: y, maxWidth: columnWidth - 1, role: .dialogTitle)
            y += 1
            for hint in hints {
                if y >= inner.maxY {
                    guard column + 1 < columns else { break }
                    column += 1
                    y = inner.y
                }
                let cx = inner.x + column * columnWidth
                canvas.write(hint.key, x: cx + 1, y: y, maxWidth: keyWidth, role: hint.dangerous ? .dangerous : .footerKey)
                canvas.write(hint.label, x: cx + keyWidth + 3, y: y, maxWidth: columnWidth - keyWidth - 4, role: .dialog)
                y += 1
            }
            y += 1
        }
    }
}

/// The `:` command line with its completion list below.
public enum CommandPaletteView {
    public static func render(into canvas: inout Canvas, in area: Rect, input: TextInput, candidates: [String], selected: Int?) {
        let shown = min(candidates.count, 8)
        let inner = ModalDialog.render(into: &canvas, in: Rect(x: area.x, y: area.y, width: area.width, height: min(area.height, shown + 4)),
                                       width: 60, height: shown + 3, title: "Command  (Tab completes)")
        guard !inner.isEmpty else { return }
        input.render(into: &canvas, rect: inner.row(0), prompt: ":")
        for i in 0..<shown where i + 1 < inner.height {
            let role: StyleRole = i == selected ? .completionSelected : .completion
            canvas.writeFitted(" " + candidates[i], x: inner.x, y: inner.y + 1 + i, width: inner.width, role: role)
        }
    }
}
