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

/// The bottom line: the keys that work here ("<key> label"), dangerous ones marked.
public struct KeyHint: Equatable, Sendable {
    public var key: String
    public var label: String
    public var dangerous: Bool
    public init(_ key: String, _ label: String, dangerous: Bool = false) {
        self.key = key
        self.label = label
        self.dangerous = dangerous
    }
}

public enum FooterHints {
    public static func render(into canvas: inout Canvas, rect: Rect, hints: [KeyHint]) {
        guard !rect.isEmpty else { return }
        let row = rect.row(rect.height - 1)
        canvas.fill(row, role: .footer)
        var x = rect.x + 1
        for hint in hints {
            let w = DisplayWidth.of(hint.key) + 1 + DisplayWidth.of(hint.label) + 2
            if x - rect.x + w > rect.width { break }
            x += canvas.write(hint.key, x: x, y: row.y, role: hint.dangerous ? .dangerous : .footerKey)
            x += canvas.write(" " + hint.label + "  ", x: x, y: row.y, role: .footer)
        }
    }
}

/// The path of views under the header: "Overview › Groups › payments".
public enum Breadcrumbs {
    public static func render(into canvas: inout Canvas, rect: Rect, path: [String]) -> Int {
        guard !rect.isEmpty else { return 0 }
        let row = rect.row(0)
        var x = rect.x + 1
        for (i, name) in path.enumerated() {
            if i > 0 { x += canvas.write(" › ", x: x, y: row.y, maxWidth: rect.maxX - x, role: .breadcrumb) }
            let last = i == path.count - 1
            x += canvas.write(name, x: x, y: row.y, maxWidth: max(0, rect.maxX - x), role: last ? .breadcrumbActive : .breadcrumb)
        }
        return x - rect.x
    }
}
