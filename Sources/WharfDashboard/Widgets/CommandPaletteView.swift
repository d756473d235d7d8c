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
