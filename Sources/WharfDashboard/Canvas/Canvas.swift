/// A grid of cells, the output of `render` and the input of the terminal diff.
///
/// Cells live in one flat row-major array so a frame allocates nothing per cell, and a canvas
/// can be reused across frames with `reset(width:height:)`. All writes are clipped to the grid;
/// writing over half of a wide glyph blanks the other half so the row stays aligned.
public struct Canvas: Equatable, Sendable {
    public private(set) var width: Int
    public private(set) var height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int, role: StyleRole = .base) {
        self.width = max(0, width)
        self.height = max(0, height)
        self.cells = Array(repeating: .blank(role), count: self.width * self.height)
    }

    public var bounds: Rect { Rect(x: 0, y: 0, width: width, height: height) }

    /// Resizes (if needed) and blanks every cell, keeping the storage.
    public mutating func reset(width: Int, height: Int, role: StyleRole = .base) {
        let w = max(0, width), h = max(0, height)
        if w * h != cells.count {
            cells = Array(repeating: .blank(role), count: w * h)
        } else {
            let blank = Cell.blank(role)
            for i in cells.indices { cells[i] = blank }
        }
        self.width = w
        self.height = h
    }

    @inlinable
    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
    }

    /// Puts one character at (x, y) and returns the columns it used (0 when clipped).
    /// A wide character that does not fit before `limitX` becomes a space.
    @discardableResult
    public mutating func put(_ ch: Character, x: Int, y: Int, role: StyleRole, limitX: Int? = nil) -> Int {
        let limit = min(limitX ?? width, width)
        guard y >= 0, y < height, x >= 0, x < limit else { return 0 }
        // Control characters and lone zero-width marks would corrupt the screen or its alignment.
        var (glyph, w) = PrintableText.glyph(for: ch)
        if w == 2 && x + 1 >= limit { glyph = " "; w = 1 }
        let row = y * width
        unlinkWide(at: x, row: row)
        if w == 2 { unlinkWide(at: x + 1, row: row) }
        cells[row + x] = Cell(character: glyph, width: UInt8(w), role: role)
        if w == 2 { cells[row + x + 1] = .continuation(role) }
        return w
    }

    /// Before overwriting cell x: if it is half of a wide glyph, blank the other half.
    @inline(__always)
    private mutating func unlinkWide(at x: Int, row: Int) {
        let cell = cells[row + x]
        if cell.width == 0, x > 0 {
            cells[row + x - 1] = .blank(cells[row + x - 1].role)
        } else if cell.width == 2, x + 1 < width {
            cells[row + x + 1] = .blank(cells[row + x + 1].role)
        }
    }

    /// Writes `text` from (x, y), clipped at `maxWidth` columns and the canvas edge.
    /// Returns the columns written.
    @discardableResult
    public mutating func write<S: StringProtocol>(_ text: S, x: Int, y: Int, maxWidth: Int? = nil, role: StyleRole) -> Int {
        guard y >= 0, y < height else { return 0 }
        let limitX = maxWidth.map { min(width, x + max(0, $0)) } ?? width
        var cx = x
        for ch in text {
            if cx >= limitX { break }
            if cx < 0 { cx += max(1, DisplayWidth.of(ch)); continue }
            let used = put(ch, x: cx, y: y, role: role, limitX: limitX)
            if used == 0 { break }
            cx += used
        }
        return max(0, cx - max(x, 0))
    }

    /// Writes `text` truncated (with "…") or padded to exactly `width` columns.
    @discardableResult
    public mutating func writeFitted<S: StringProtocol>(_ text: S, x: Int, y: Int, width w: Int, role: StyleRole, alignRight: Bool = false) -> Int {
        guard w > 0 else { return 0 }
        let textWidth = DisplayWidth.of(text)
        if textWidth > w {
            return write(DisplayWidth.truncate(text, to: w), x: x, y: y, maxWidth: w, role: role)
        }
        let pad = w - textWidth
        if alignRight {
            fill(Rect(x: x, y: y, width: pad, height: 1), role: role)
            write(text, x: x + pad, y: y, maxWidth: textWidth, role: role)
        } else {
            write(text, x: x, y: y, maxWidth: textWidth, role: role)
            fill(Rect(x: x + textWidth, y: y, width: pad, height: 1), role: role)
        }
        return w
    }

    /// Blanks a rectangle with `role`.
    public mutating func fill(_ rect: Rect, role: StyleRole, character: Character = " ") {
        let r = rect.intersection(bounds)
        guard !r.isEmpty else { return }
        let cell = Cell(character: character, width: 1, role: role)
        for y in r.y..<r.maxY {
            let row = y * width
            if r.x > 0 && cells[row + r.x].width == 0 { cells[row + r.x - 1] = .blank(cells[row + r.x - 1].role) }
            if r.maxX < width && cells[row + r.maxX].width == 0 { cells[row + r.maxX] = .blank(cells[row + r.maxX].role) }
            for x in r.x..<r.maxX { cells[row + x] = cell }
        }
    }

    /// Changes the role of every cell in `rect`, keeping the characters (row highlight).
    public mutating func restyle(_ rect: Rect, role: StyleRole) {
        let r = rect.intersection(bounds)
        guard !r.isEmpty else { return }
        for y in r.y..<r.maxY {
            let row = y * width
            for x in r.x..<r.maxX { cells[row + x].role = role }
        }
    }

    /// Draws a box outline with light box-drawing characters.
    public mutating func box(_ rect: Rect, role: StyleRole) {
        guard rect.width >= 2, rect.height >= 2 else { return }
        let x1 = rect.maxX - 1, y1 = rect.maxY - 1
        put("┌", x: rect.x, y: rect.y, role: role)
        put("┐", x: x1, y: rect.y, role: role)
        put("└", x: rect.x, y: y1, role: role)
        put("┘", x: x1, y: y1, role: role)
        if rect.width > 2 {
            for x in (rect.x + 1)..<x1 {
                put("─", x: x, y: rect.y, role: role)
                put("─", x: x, y: y1, role: role)
            }
        }
        if rect.height > 2 {
            for y in (rect.y + 1)..<y1 {
                put("│", x: rect.x, y: y, role: role)
                put("│", x: x1, y: y, role: role)
            }
        }
    }

    /// The text of row `y`, continuation cells skipped, so a wide glyph reads as one character.
    public func line(_ y: Int) -> String {
        guard y >= 0, y < height else { return "" }
        var s = ""
        s.reserveCapacity(width)
        for x in 0..<width {
            let c = cells[y * width + x]
            if c.width != 0 { s.append(c.character) }
        }
        return s
    }

    public var lines: [String] { (0..<height).map(line) }

    /// Runs of equal role on row `y`: (role, first column, last column inclusive).
    public func roleRuns(_ y: Int) -> [(role: StyleRole, from: Int, to: Int)] {
        guard y >= 0, y < height, width > 0 else { return [] }
        var runs: [(role: StyleRole, from: Int, to: Int)] = []
        var start = 0
        var current = cells[y * width].role
        for x in 1..<max(1, width) where cells[y * width + x].role != current {
            runs.append((current, start, x - 1))
            start = x
            current = cells[y * width + x].role
        }
        runs.append((current, start, width - 1))
        return runs
    }

    /// A deterministic text dump: the lines between bars, then the role runs of every row.
    /// Used by snapshot tests; diffs of it read well.
    public func snapshotText() -> String {
        var out = "size \(width)x\(height)\n"
        for y in 0..<height { out += "|" + line(y) + "|\n" }
        out += "roles\n"
        for y in 0..<height {
            out += "\(y):"
            for run in roleRuns(y) { out += " \(run.role.rawValue)@\(run.from)-\(run.to)" }
            out += "\n"
        }
        return out
    }
}
