/// Records of one partition: a list (offset, timestamp, key, value preview) and, below, the
/// selected record's headers and value as text, pretty JSON or hex.
enum RecordsView {
    static let columns = [
        TableColumn("OFFSET", width: 9, alignRight: true),
        TableColumn("TIMESTAMP (UTC)", width: 23, dropPriority: 2),
        TableColumn("KEY", width: 12, flex: 1, dropPriority: 1),
        TableColumn("VALUE", width: 16, flex: 3),
    ]

    static func render(_ state: DashboardState, into canvas: inout Canvas, rect: Rect) {
        let rec = state.records
        let frame = state.current
        let start: String
        switch rec.start {
        case .offset(let o): start = "from offset \(o)"
        case .timestamp(let ms): start = "from \(Format.timestamp(ms: ms)) UTC"
        }
        canvas.write(" \(rec.topic)/\(rec.partition) · \(start) · \(rec.rows.count) records · view: \(rec.mode.rawValue)",
                     x: rect.x, y: rect.y, maxWidth: rect.width, role: .dim)
        let body = Rect(x: rect.x + 1, y: rect.y + 1, width: rect.width - 2, height: rect.height - 1)
        let rows = state.recordRows(frame)
        if rows.isEmpty {
            let msg = rec.loading ? "loading…" : (rec.rows.isEmpty ? "no records here (o seeks, b goes back)" : "no record matches /\(frame.filter)")
            canvas.write(msg, x: body.x, y: body.y, maxWidth: body.width, role: .dim)
            return
        }
        let listHeight = body.height >= 10 ? max(4, body.height / 2) : body.height
        let (list, detail) = body.splitTop(listHeight)
        TableWidget(columns: columns, rowCount: rows.count, selected: frame.selected, scroll: frame.scroll)
            .render(into: &canvas, rect: list) { i in
                let r = rec.rows[rows[i]]
                return [TableCell(String(r.offset), role: .number), TableCell(Format.timestamp(ms: r.timestampMs), role: .dim),
                        TableCell(RecordFormatter.text(r.key)), TableCell(RecordFormatter.text(r.value))]
            }
        guard detail.height >= 2, frame.selected < rows.count else { return }
        renderDetail(rec.rows[rows[frame.selected]], mode: rec.mode, into: &canvas, rect: detail)
    }

    static func renderDetail(_ r: RecordRow, mode: RecordViewMode, into canvas: inout Canvas, rect: Rect) {
        var y = rect.y
        canvas.fill(rect.row(0), role: .border, character: "─")
        canvas.write(" offset \(r.offset) · key \(RecordFormatter.text(r.key)) ", x: rect.x + 1, y: y, maxWidth: rect.width - 2, role: .title)
        y += 1
        if !r.headers.isEmpty, y < rect.maxY {
            let text = r.headers.map { "\($0.key)=\(RecordFormatter.text($0.value))" }.joined(separator: "  ")
            canvas.write("headers  " + text, x: rect.x, y: y, maxWidth: rect.width, role: .dim)
            y += 1
        }
        renderValue(r.value, mode: mode, into: &canvas, rect: Rect(x: rect.x, y: y, width: rect.width, height: max(0, rect.maxY - y)))
    }

    /// A value as wrapped text, pretty JSON or a hex dump, clipped to `rect` (also used by the
    /// dead-letter browser for message bodies).
    static func renderValue(_ value: [UInt8]?, mode: RecordViewMode, into canvas: inout Canvas, rect: Rect) {
        var y = rect.y
        guard !rect.isEmpty else { return }
        switch mode {
        case .text:
            // Wrap the text to the width, continuing on following rows.
            var x = rect.x
            for ch in RecordFormatter.text(value) {
                if y >= rect.maxY { break }
                if DisplayWidth.of(ch) + x > rect.maxX { x = rect.x; y += 1; if y >= rect.maxY { break } }
                x += canvas.put(ch, x: x, y: y, role: .base)
            }
        case .json:
            guard let lines = RecordFormatter.prettyJSON(value, maxLines: max(1, rect.height)) else {
                canvas.write("(not JSON; showing text)  " + RecordFormatter.text(value), x: rect.x, y: y, maxWidth: rect.width, role: .dim)
                return
            }
            for line in lines where y < rect.maxY {
                var x = rect.x
                for (text, role) in line { x += canvas.write(text, x: x, y: y, maxWidth: max(0, rect.maxX - x), role: role) }
                y += 1
            }
        case .hex:
            for (offset, hex, ascii) in RecordFormatter.hex(value, width: rect.width) where y < rect.maxY {
                var x = rect.x
                x += canvas.write(offset + "  ", x: x, y: y, maxWidth: rect.maxX - x, role: .hexOffset)
                x += canvas.write(hex + " ", x: x, y: y, maxWidth: max(0, rect.maxX - x), role: .base)
                canvas.write(ascii, x: x, y: y, maxWidth: max(0, rect.maxX - x), role: .dim)
                y += 1
            }
        }
    }
}
