/// Groups: state, members, total lag, time lag, catch-up ETA, lag trend, Burrow status.
enum GroupsView {
    static let columns = [
        TableColumn("NAME", width: 14, flex: 1),
        TableColumn("STATE", width: 11, dropPriority: 3),
        TableColumn("MBRS", width: 4, alignRight: true, dropPriority: 2),
        TableColumn("LAG", width: 8, alignRight: true),
        TableColumn("TIME LAG", width: 8, alignRight: true),
        TableColumn("ETA", width: 7, alignRight: true),
        TableColumn("LAG TREND", width: 11, dropPriority: 1),
        TableColumn("STATUS", width: 6),
    ]

    static func table(_ state: DashboardState, rows: [Int], selected: Int, scroll: Int, sortable: Bool) -> TableWidget {
        TableWidget(columns: columns, rowCount: rows.count, selected: selected, scroll: scroll,
                    sortColumn: sortable ? state.current.sortColumn : nil, ascending: state.current.ascending)
    }

    static func cells(_ state: DashboardState, group g: GroupSnapshot) -> [TableCell] {
        let m = state.metrics
        let status = m.status(group: g.name)
        let eta = m.eta(group: g.name)
        let history = m.group(g.name)?.lagHistory
        let trend = history.map { Trend.of($0) } ?? .flat
        let spark = Sparkline.string(history.map { $0.elements.map(Double.init) } ?? [], width: 9, fromMinimum: true)
        return [
            TableCell(g.name),
            TableCell(g.state, role: g.state == "Stable" ? .base : .warning),
            TableCell(String(g.members.count), role: .number),
            TableCell(Format.count(g.totalLag), role: g.totalLag == 0 ? .good : .number),
            TableCell(g.maxTimeLagMs.map { Format.duration(ms: $0) } ?? "-", role: .number),
            TableCell(eta.label, role: eta == .never ? .critical : .number),
            TableCell(spark + " " + trend.arrow, role: trend == .rising ? .warning : .sparkline),
            TableCell(status.label, role: status.role),
        ]
    }

    static func render(_ state: DashboardState, into canvas: inout Canvas, rect: Rect) {
        let frame = state.current
        let rows = state.groupRows(frame)
        let area = Rect(x: rect.x + 1, y: rect.y, width: rect.width - 2, height: rect.height)
        let t = table(state, rows: rows, selected: frame.selected, scroll: frame.scroll, sortable: true)
        if rows.isEmpty {
            let msg = state.snapshot.groups.isEmpty ? "no consumer groups yet" : "no group matches /\(frame.filter)"
            t.renderEmpty(msg, into: &canvas, rect: area)
            return
        }
        let groups = state.snapshot.groups
        t.render(into: &canvas, rect: area) { cells(state, group: groups[rows[$0]]) }
    }
}
