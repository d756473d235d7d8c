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
