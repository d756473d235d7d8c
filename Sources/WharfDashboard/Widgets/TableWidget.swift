/// A column of a `TableWidget`.
public struct TableColumn: Equatable, Sendable {
    public var title: String
    /// Minimum width; flexible columns grow beyond it.
    public var width: Int
    /// Share of the spare width (0 = fixed).
    public var flex: Int
    public var alignRight: Bool
    /// Columns are hidden highest-number first when the table is too narrow (0 = never).
    public var dropPriority: Int

    public init(_ title: String, width: Int, flex: Int = 0, alignRight: Bool = false, dropPriority: Int = 0) {
        self.title = title
        self.width = width
        self.flex = flex
        self.alignRight = alignRight
        self.dropPriority = dropPriority
    }
}

/// One cell's text and role (nil role: the row's role).
public struct TableCell: Sendable {
    public var text: String
    public var role: StyleRole?
    public init(_ text: String, role: StyleRole? = nil) {
        self.text = text
        self.role = role
    }
}

/// A table: a header row with a sort indicator, then rows, one selected, scrolled so the
/// selection is visible. Rows are pulled through a closure only for the visible range, so a
/// 20,000-row table costs what a one-screen table costs.
public struct TableWidget {
    public var columns: [TableColumn]
    public var sortColumn: Int?
    public var ascending: Bool
    public var rowCount: Int
    public var selected: Int?
    /// First visible row (clamped so the selection stays visible).
    public var scroll: Int
    /// Rows marked (drawn with `.rowMarked`), as a predicate on row index.
    public var isMarked: ((Int) -> Bool)?

    public init(columns: [TableColumn], rowCount: Int, selected: Int? = nil, scroll: Int = 0,
                sortColumn: Int? = nil, ascending: Bool = true) {
        self.columns = columns
        self.rowCount = rowCount
        self.selected = selected
        self.scroll = scroll
        self.sortColumn = sortColumn
        self.ascending = ascending
    }

    /// Widths per column for `totalWidth` (0 = hidden), one space between visible columns.
    public func layout(totalWidth: Int) -> [Int] {
        var visible = Array(repeating: true, count: columns.count)
        func needed() -> Int {
            var sum = 0, n = 0
            for (i, c) in columns.enumerated() where visible[i] { sum += c.width; n += 1 }
            return sum + max(0, n - 1)
        }
        while needed() > totalWidth {
            let candidates = columns.indices.filter { visible[$0] && columns[$0].dropPriority > 0 }
            guard let drop = candidates.max(by: { (columns[$0].dropPriority, $0) < (columns[$1].dropPriority, $1) }) else { break }
            visible[drop] = false
        }
        var widths = columns.indices.map { visible[$0] ? columns[$0].width : 0 }
        let spare = totalWidth - needed()
        let flexTotal = columns.indices.reduce(0) { $0 + (visible[$1] ? columns[$1].flex : 0) }
        if spare > 0 && flexTotal > 0 {
            var given = 0
            var lastFlex = 0
            for i in columns.indices where visible[i] && columns[i].flex > 0 {
                let extra = spare * columns[i].flex / flexTotal
                widths[i] += extra
                given += extra
                lastFlex = i
            }
            widths[lastFlex] += spare - given
        }
        return widths
    }

    /// The scroll offset that shows `selected` within `visibleRows`, moving as little as possible.
    public static func clampScroll(_ scroll: Int, selected: Int?, rowCount: Int, visibleRows: Int) -> Int {
        guard visibleRows > 0, rowCount > 0 else { return 0 }
        var s = min(max(0, scroll), max(0, rowCount - visibleRows))
        if let sel = selected {
            if sel < s { s = sel }
            if sel >= s + visibleRows { s = sel - visibleRows + 1 }
        }
        return max(0, s)
    }

    /// A table with no rows: its header, and `message` (why it is empty: nothing yet, or nothing
    /// matches the filter) dimmed on the line under it.
    func renderEmpty(_ message: String, into canvas: inout Canvas, rect: Rect) {
        render(into: &canvas, rect: rect.splitTop(1).top) { _ in [] }
        canvas.write(message, x: rect.x, y: rect.y + 1, maxWidth: rect.width, role: .dim)
    }

    public func render(into canvas: inout Canvas, rect: Rect, row: (Int) -> [TableCell]) {
        guard !rect.isEmpty else { return }
        canvas.fill(rect, role: .base)
        let widths = layout(totalWidth: rect.width)
        // Header.
        var x = rect.x
        for (i, column) in columns.enumerated() where widths[i] > 0 {
            var title = column.title
            let sorted = sortColumn == i
            if sorted { title += ascending ? "▲" : "▼" }
            canvas.writeFitted(title, x: x, y: rect.y, width: widths[i], role: sorted ? .tableHeaderSorted : .tableHeader,
                               alignRight: column.alignRight)
            x += widths[i] + 1
        }
        let body = Rect(x: rect.x, y: rect.y + 1, width: rect.width, height: rect.height - 1)
        guard !body.isEmpty else { return }
        let first = TableWidget.clampScroll(scroll, selected: selected, rowCount: rowCount, visibleRows: body.height)
        let last = min(rowCount, first + body.height)
        guard first < last else { return }
        for index in first..<last {
            let y = body.y + index - first
            let isSelected = index == selected
            let rowRole: StyleRole = isSelected ? .rowSelected : (isMarked?(index) == true ? .rowMarked : .base)
            if rowRole != .base { canvas.fill(Rect(x: rect.x, y: y, width: rect.width, height: 1), role: rowRole) }
            let cells = row(index)
            var cx = rect.x
            for (i, column) in columns.enumerated() where widths[i] > 0 {
                let cell = i < cells.count ? cells[i] : TableCell("")
                let role = isSelected || rowRole == .rowMarked ? rowRole : (cell.role ?? rowRole)
                canvas.writeFitted(cell.text, x: cx, y: y, width: widths[i], role: role, alignRight: column.alignRight)
                cx += widths[i] + 1
            }
        }
        // Scroll hint on the header's right edge when rows are hidden.
        if rowCount > body.height, rect.width >= 12 {
            let hint = " \(first + 1)-\(last)/\(rowCount) "
            let w = DisplayWidth.of(hint)
            if w < rect.width / 2 { canvas.write(hint, x: rect.maxX - w, y: rect.y, role: .dim) }
        }
    }
}
