/// A one-line text field: the text, a cursor (in characters), and editing by key.
public struct TextInput: Equatable, Sendable {
    public private(set) var text: String
    public private(set) var cursor: Int

    public init(_ text: String = "") {
        self.text = text
        self.cursor = text.count
    }

    public mutating func set(_ newText: String) {
        text = newText
        cursor = newText.count
    }

    /// Applies an editing key; returns false when the key is not an editing key.
    public mutating func handle(_ key: Key) -> Bool {
        switch key {
        case .char(let c):
            let i = text.index(text.startIndex, offsetBy: cursor)
            text.insert(c, at: i)
            cursor += 1
        case .backspace:
            guard cursor > 0 else { return true }
            let i = text.index(text.startIndex, offsetBy: cursor - 1)
            text.remove(at: i)
            cursor -= 1
        case .delete:
            guard cursor < text.count else { return true }
            text.remove(at: text.index(text.startIndex, offsetBy: cursor))
        case .left: cursor = max(0, cursor - 1)
        case .right: cursor = min(text.count, cursor + 1)
        case .home, .ctrl("a"): cursor = 0
        case .end, .ctrl("e"): cursor = text.count
        case .ctrl("u"): set("")
        default: return false
        }
        return true
    }

    /// Draws the field; the text scrolls left so the cursor is always visible.
    public func render(into canvas: inout Canvas, rect: Rect, prompt: String = "") {
        guard !rect.isEmpty else { return }
        let row = rect.row(0)
        canvas.fill(row, role: .input)
        var x = row.x + canvas.write(prompt, x: row.x, y: row.y, maxWidth: row.width, role: .input)
        let room = row.maxX - x - 1
        guard room > 0 else { return }
        let chars = Array(text)
        var start = 0
        while DisplayWidth.of(String(chars[start..<cursor])) > room { start += 1 }
        for (i, ch) in chars[start...].enumerated() {
            if x >= row.maxX { break }
            let w = canvas.put(ch, x: x, y: row.y, role: start + i == cursor ? .inputCursor : .input, limitX: row.maxX)
            if w == 0 { break }
            x += w
        }
        if cursor == chars.count, x < row.maxX { canvas.put(" ", x: x, y: row.y, role: .inputCursor) }
    }
}
