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
