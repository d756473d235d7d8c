/// Streams & projections: totals, streams by category with their append rates, then every
/// reader of the event store (projections, persistent and catch-up subscriptions) with state,
/// checkpoint, lag in events and seconds, parked events and rebuild progress. The selection is
/// in the readers table; `b` rebuilds a projection, `r` replays parked events.
enum StreamsView {
    static let categoryColumns = [
        TableColumn("CATEGORY", width: 14, flex: 1),
        TableColumn("STREAMS", width: 8, alignRight: true),
        TableColumn("EVENTS", width: 9, alignRight: true),
        TableColumn("EV/S", width: 7, alignRight: true),
        TableColumn("LAST APPEND", width: 11, alignRight: true, dropPriority: 1),
    ]

    static let readerColumns = [
        TableColumn("NAME", width: 16, flex: 1),
        TableColumn("KIND", width: 10, dropPriority: 3),
        TableColumn("SOURCE", width: 12, dropPriority: 4),
        TableColumn("STATE", width: 14),
        TableColumn("CHECKPOINT", width: 10, alignRight: true, dropPriority: 2),
        TableColumn("LAG", width: 7, alignRight: true),
        TableColumn("LAG S", width: 6, alignRight: true),
        TableColumn("PARKED", width: 6, alignRight: true, dropPriority: 1),
        TableColumn("REBUILD", width: 22, dropPriority: 5),
    ]

    static func render(_ state: DashboardState, into canvas: inout Canvas, rect: Rect) {
        guard let events = state.snapshot.events else {
            canvas.write(" no event store on this source", x: rect.x, y: rect.y, maxWidth: rect.width, role: .dim)
            return
        }
        var y = rect.y
        var x = rect.x + 1
        x += canvas.write("Events  ", x: x, y: y, maxWidth: max(0, rect.maxX - x), role: .title)
        func plural(_ n: Int, _ one: String, _ many: String) -> String { n == 1 ? one : many }
        let totals: [(String, String)] = [(Format.count(Int64(events.totalEvents)), plural(Int(events.totalEvents), "event", "events")),
                                          ("\(events.streamCount)", plural(events.streamCount, "stream", "streams")),
                                          ("\(events.categories.count)", plural(events.categories.count, "category", "categories")),
                                          (Format.rate(state.eventRates.rate()) + "/s", "appended")]
        for (i, (value, label)) in totals.enumerated() {
            if i > 0 { x += canvas.write(" · ", x: x, y: y, maxWidth: max(0, rect.maxX - x), role: .dim) }
            x += canvas.write(value, x: x, y: y, maxWidth: max(0, rect.maxX - x), role: .number)
            x += canvas.write(" " + label, x: x, y: y, maxWidth: max(0, rect.maxX - x), role: .dim)
        }
        y += 1
        guard y < rect.maxY else { return }
        // Categories get up to a third of the room; readers the rest.
        let room = rect.maxY - y
        let categoryHeight = min(events.categories.count + 1, max(2, room / 3))
        let catRect = Rect(x: rect.x + 1, y: y, width: rect.width - 2, height: min(room, categoryHeight))
        if events.categories.isEmpty {
            canvas.write("no streams yet", x: catRect.x, y: catRect.y, maxWidth: catRect.width, role: .dim)
        } else {
            let cats = events.categories
            TableWidget(columns: categoryColumns, rowCount: cats.count).render(into: &canvas, rect: catRect) { i in
                let c = cats[i]
                return [TableCell(c.name), TableCell(String(c.streams), role: .number), TableCell(Format.count(Int64(c.events)), role: .number),
                        TableCell(Format.rate(state.eventRates.rate(category: c.name)), role: .number),
                        TableCell(c.lastAppendMs.map { Format.duration(ms: max(0, state.snapshot.timeMs - $0)) + " ago" } ?? "-", role: .dim)]
            }
        }
        y = catRect.maxY + 1
        guard y < rect.maxY else { return }
        canvas.write(" Subscriptions and projections", x: rect.x, y: y, maxWidth: rect.width, role: .title)
        y += 1
        let tableRect = Rect(x: rect.x + 1, y: y, width: rect.width - 2, height: rect.maxY - y)
        guard !tableRect.isEmpty else { return }
        let frame = state.current
        let rows = state.readerRows(frame)
        let table = TableWidget(columns: readerColumns, rowCount: rows.count, selected: frame.selected, scroll: frame.scroll)
        if rows.isEmpty {
            let msg = events.readers.isEmpty ? "no subscriptions or projections yet" : "nothing matches /\(frame.filter)"
            table.renderEmpty(msg, into: &canvas, rect: tableRect)
            return
        }
        // A faulted selection says why on the view's last row (the REBUILD column that also
        // shows it is the first to go on narrow screens).
        var readersRect = tableRect
        if let selected = state.selectedReader(), let error = selected.error, tableRect.height > rows.count + 2 {
            let (rest, bottom) = tableRect.splitBottom(1)
            readersRect = rest
            canvas.write("\(selected.name) faulted: \(error)", x: bottom.x, y: bottom.y, maxWidth: bottom.width, role: .messageError)
        }
        table.render(into: &canvas, rect: readersRect) { cells(events.readers[rows[$0]]) }
    }

    static func cells(_ r: EventReaderSnapshot) -> [TableCell] {
        let stateText: String
        let stateRole: StyleRole
        switch r.state {
        case .running: stateText = "running"; stateRole = .good
        case .stopped: stateText = "stopped"; stateRole = .warning
        case .faulted: stateText = "faulted"; stateRole = .critical
        case .rebuilding:
            stateText = "rebuilding " + (r.rebuildFraction.map { "\(Int($0 * 100))%" } ?? "")
            stateRole = .warning
        }
        var rebuild = ""
        if let f = r.rebuildFraction, let done = r.rebuildDone, let total = r.rebuildTotal {
            let filled = Int((f * 8).rounded(.down))
            rebuild = String(repeating: "█", count: filled) + String(repeating: "░", count: 8 - filled) + " \(Format.count(Int64(done)))/\(Format.count(Int64(total)))"
        } else if let e = r.error {
            rebuild = e
        }
        let lagRole: StyleRole = r.lagEvents == 0 ? .good : (r.lagSeconds >= 10 ? .warning : .number)
        return [
            TableCell(r.name),
            TableCell(r.kind.rawValue, role: .dim),
            TableCell(r.source),
            TableCell(stateText, role: stateRole),
            TableCell(r.checkpoint.map(String.init) ?? "-", role: .number),
            TableCell(Format.count(Int64(r.lagEvents)), role: lagRole),
            TableCell(Format.oneDecimal(r.lagSeconds), role: lagRole),
            TableCell(r.kind == .persistent ? Format.count(Int64(r.parked)) : "-", role: r.parked > 0 ? .warning : .dim),
            TableCell(rebuild, role: r.error != nil ? .critical : .sparkline),
        ]
    }
}

/// The rebuild and replay-parked dialogs.
enum EventDialogViews {
    static func renderRebuild(_ d: RebuildDialog, into canvas: inout Canvas, rect: Rect) {
        let inner = ModalDialog.render(into: &canvas, in: rect, width: 76, height: 11, title: "Rebuild \(d.projection)", dangerous: true)
        guard !inner.isEmpty else { return }
        ModalDialog.lines([
            ("This will:", .dialog),
            ("  · empty the read model" + (d.database.map { " in \($0)" } ?? ""), .dangerous),
            ("  · move its checkpoint from \(d.processed) applied events back to 0", .dangerous),
            ("  · replay \(d.head) events of \(d.source) from the start", .dialog),
            ("Queries see partial data until it has caught up.", .dim),
            ("Type \(d.projection) and press Enter:", .dialog),
        ], into: &canvas, rect: inner)
        d.confirmation.render(into: &canvas, rect: Rect(x: inner.x, y: inner.y + 6, width: min(30, inner.width), height: 1))
        if let e = d.error { canvas.write(e, x: inner.x, y: inner.y + 7, maxWidth: inner.width, role: .messageError) }
    }

    static func renderReplayParked(_ d: ReplayParkedDialog, into canvas: inout Canvas, rect: Rect) {
        let inner = ModalDialog.render(into: &canvas, in: rect, width: 60, height: 6, title: "Replay parked events", dangerous: true)
        guard !inner.isEmpty else { return }
        ModalDialog.lines([
            ("Send \(d.parked) parked event(s) back to \(d.group)", .dialog),
            ("on \(d.source), in parked order, ahead of new events?", .dialog),
            ("y = replay   n / Esc = keep them parked", .dangerous),
        ], into: &canvas, rect: inner)
    }
}
