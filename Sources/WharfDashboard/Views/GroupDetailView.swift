/// Group detail: summary, per-partition committed/end/lag/time lag/owner/status, members.
enum GroupDetailView {
    static let columns = [
        TableColumn("TOPIC", width: 10, flex: 2),
        TableColumn("P", width: 3, alignRight: true),
        TableColumn("COMMITTED", width: 9, alignRight: true),
        TableColumn("END", width: 9, alignRight: true, dropPriority: 2),
        TableColumn("LAG", width: 7, alignRight: true),
        TableColumn("TIME LAG", width: 8, alignRight: true, dropPriority: 3),
        TableColumn("ETA", width: 6, alignRight: true, dropPriority: 4),
        TableColumn("OWNER", width: 10, flex: 1, dropPriority: 1),
        TableColumn("STATUS", width: 6),
    ]

    static func render(_ state: DashboardState, group name: String, into canvas: inout Canvas, rect: Rect) {
        guard let group = state.snapshot.group(named: name) else {
            canvas.write(" group \(name) no longer exists (Esc to go back)", x: rect.x, y: rect.y, maxWidth: rect.width, role: .messageError)
            return
        }
        let m = state.metrics
        let status = m.status(group: name)
        let eta = m.eta(group: name)
        var x = rect.x + 1
        let y = rect.y
        x += canvas.write(status.label, x: x, y: y, maxWidth: rect.maxX - x, role: status.role)
        let summary = "  \(group.state) · \(group.members.count) member\(group.members.count == 1 ? "" : "s") · lag \(Format.count(group.totalLag))"
            + " · time lag \(group.maxTimeLagMs.map { Format.duration(ms: $0) } ?? "-") · ETA "
        x += canvas.write(summary, x: x, y: y, maxWidth: max(0, rect.maxX - x), role: .base)
        canvas.write(eta.label, x: x, y: y, maxWidth: max(0, rect.maxX - x), role: eta == .never ? .critical : .number)
        if rect.height > 1 {
            var cx = rect.x + 1
            let rates = "consume \(Format.rate(m.consumeRate(group: name)))/s · produce \(Format.rate(m.produceRate(group: name)))/s · lag "
            cx += canvas.write(rates, x: cx, y: y + 1, maxWidth: rect.maxX - cx, role: .dim)
            let history = m.group(name)?.lagHistory
            cx += canvas.write(Sparkline.string(history.map { $0.elements.map(Double.init) } ?? [], width: 16, fromMinimum: true), x: cx, y: y + 1,
                               maxWidth: max(0, rect.maxX - cx), role: .sparkline)
            canvas.write(" " + (history.map { Trend.of($0) } ?? .flat).arrow, x: cx, y: y + 1, maxWidth: max(0, rect.maxX - cx), role: .sparkline)
        }
        var top0 = rect.y + 2
        if let reason = m.statusReason(group: name), rect.height > 6 {
            var cx = rect.x + 1
            cx += canvas.write("why \(status.label): ", x: cx, y: top0, maxWidth: rect.maxX - cx, role: status.role)
            canvas.write(reason, x: cx, y: top0, maxWidth: max(0, rect.maxX - cx - 1), role: .dim)
            top0 += 1
        }
        let body = Rect(x: rect.x + 1, y: top0, width: rect.width - 2, height: rect.maxY - top0)
        let memberRows = body.height >= 12 ? min(group.members.count, 4) : 0
        let (top, bottom) = memberRows > 0 ? body.splitBottom(memberRows + 2) : (body, .zero)
        let frame = state.current
        let rows = state.groupDetailRows(frame, group: group)
        let clientOf = Dictionary(group.members.map { ($0.memberId, $0.clientId) }, uniquingKeysWith: { a, _ in a })
        var table = TableWidget(columns: columns, rowCount: rows.count, selected: frame.selected, scroll: frame.scroll,
                                sortColumn: frame.sortColumn, ascending: frame.ascending)
        table.isMarked = { state.marked.contains(group.partitions[rows[$0]].ref) }
        table.render(into: &canvas, rect: top) { i in
            let p = group.partitions[rows[i]]
            let w = m.window(group: name, partition: p.ref)
            let s = w?.status ?? .ok
            let eta = w?.eta ?? .caughtUp
            let owner = p.owner.map { clientOf[$0] ?? $0 } ?? "-"
            return [
                TableCell(p.topic), TableCell(String(p.partition), role: .number),
                TableCell(p.committed.map(String.init) ?? "-", role: .number), TableCell(String(p.logEnd), role: .number),
                TableCell(Format.count(p.lag), role: p.lag == 0 ? .good : .number),
                TableCell(p.timeLagMs.map { Format.duration(ms: $0) } ?? "-", role: .number),
                TableCell(eta.label, role: eta == .never ? .critical : .number),
                TableCell(owner, role: p.owner == nil ? .dim : nil), TableCell(s.label, role: s.role),
            ]
        }
        guard !bottom.isEmpty else { return }
        canvas.write("Members", x: bottom.x, y: bottom.y + 1, maxWidth: bottom.width, role: .title)
        for (i, member) in group.members.prefix(memberRows).enumerated() {
            let assigned = member.assigned.map { "\($0.topic)/\($0.partition)" }.joined(separator: " ")
            var mx = bottom.x + 1
            let my = bottom.y + 2 + i
            mx += canvas.write(DisplayWidth.fit(member.clientId, to: 16) + " ", x: mx, y: my, maxWidth: bottom.maxX - mx, role: .base)
            mx += canvas.write(DisplayWidth.fit(member.host, to: 14) + " ", x: mx, y: my, maxWidth: max(0, bottom.maxX - mx), role: .dim)
            canvas.write(assigned.isEmpty ? "(no partitions)" : assigned, x: mx, y: my, maxWidth: max(0, bottom.maxX - mx), role: .base)
        }
    }
}
