/// The top line: product name, then segments separated by "│", with text right-aligned
/// (the clock). Segments that do not fit are dropped from the end, never cut mid-word.
public enum HeaderBar {
    public struct Segment: Sendable {
        public var text: String
        public var role: StyleRole
        public init(_ text: String, role: StyleRole = .headerBar) {
            self.text = text
            self.role = role
        }
    }

    public static func render(into canvas: inout Canvas, rect: Rect, segments: [Segment], right: String) {
        guard !rect.isEmpty else { return }
        let row = rect.row(0)
        canvas.fill(row, role: .headerBar)
        let rightWidth = DisplayWidth.of(right)
        let leftLimit = rect.width - (rightWidth + 1 <= rect.width / 2 ? rightWidth + 1 : 0)
        var x = rect.x
        for (i, segment) in segments.enumerated() {
            let sep = i == 0 ? " " : " │ "
            let w = DisplayWidth.of(sep) + DisplayWidth.of(segment.text)
            if x - rect.x + w > leftLimit {
                if i == 0 { canvas.write(" " + segment.text, x: x, y: row.y, maxWidth: leftLimit, role: segment.role) }
                break
            }
            x += canvas.write(sep, x: x, y: row.y, role: .headerBar)
            x += canvas.write(segment.text, x: x, y: row.y, role: segment.role)
        }
        if rightWidth + 1 <= rect.width / 2 {
            canvas.write(right, x: rect.maxX - rightWidth - 1, y: row.y, role: .headerBar)
        }
    }
}
