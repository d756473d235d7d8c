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
