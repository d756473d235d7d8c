/// Queues: per queue the runtime counts (active, locked, deferred, scheduled, dead-lettered,
/// size, oldest message age) with the active depth's sparkline and trend.
enum QueuesView {
    static let columns = [
        TableColumn("QUEUE", width: 12, flex: 1),
        TableColumn("ACTIVE", width: 7, alignRight: true),
        TableColumn("LOCKED", width: 6, alignRight: true, dropPriority: 2),
        TableColumn("DEFER", width: 5, alignRight: true, dropPriority: 3),
        TableColumn("SCHED", width: 5, alignRight: true, dropPriority: 3),
        TableColumn("DEAD", width: 6, alignRight: true),
        TableColumn("SIZE", width: 9, alignRight: true, dropPriority: 4),
        TableColumn("OLDEST", width: 7, alignRight: true),
        TableColumn("ACTIVE TREND", width: 12, dropPriority: 1),
        TableColumn("DLQ TREND", width: 11, dropPriority: 5),
    ]

    static func cells(_ state: DashboardState, queue q: QueueSnapshot) -> [TableCell] {
        let depth = state.metrics.queues.depth(queue: q.name)
        let activeTrend = depth.map { Trend.of($0.active) } ?? .flat
        let deadTrend = depth.map { Trend.of($0.deadLettered) } ?? .flat
        let activeSpark = Sparkline.string(depth.map { $0.active.elements.map(Double.init) } ?? [], width: 10)
        let deadSpark = Sparkline.string(depth.map { $0.deadLettered.elements.map(Double.init) } ?? [], width: 9, fromMinimum: true)
        return [
            TableCell(q.name),
            TableCell(Format.count(q.active), role: .number),
            TableCell(Format.count(q.locked), role: .number),
            TableCell(Format.count(q.deferred), role: .number),
            TableCell(Format.count(q.scheduled), role: .number),
            TableCell(Format.count(q.deadLettered), role: q.deadLettered > 0 ? .warning : .good),
            TableCell(Format.bytes(q.sizeBytes), role: .number),
            TableCell(q.oldestAgeMs.map { Format.duration(ms: $0) } ?? "-", role: .number),
            TableCell(activeSpark + " " + activeTrend.arrow, role: activeTrend == .rising ? .warning : .sparkline),
            TableCell(deadSpark + " " + deadTrend.arrow, role: deadTrend == .rising ? .warning : .sparkline),
        ]
    }

    static func render(_ state: DashboardState, into canvas: inout Canvas, rect: Rect) {
        let frame = state.current
        let rows = state.queueRows(frame)
        let area = Rect(x: rect.x + 1, y: rect.y, width: rect.width - 2, height: rect.height)
        let table = TableWidget(columns: columns, rowCount: rows.count, selected: frame.selected, scroll: frame.scroll,
                                sortColumn: frame.sortColumn, ascending: frame.ascending)
        guard let queues = state.snapshot.queues, !rows.isEmpty else {
            let msg = state.snapshot.queues == nil ? "this source has no queues"
                : state.snapshot.queues?.isEmpty == true ? "no queues yet (wharf queue create NAME)" : "no queue matches /\(frame.filter)"
            table.renderEmpty(msg, into: &canvas, rect: area)
            return
        }
        table.render(into: &canvas, rect: area) { cells(state, queue: queues[rows[$0]]) }
    }
}
