/// Dead letters: every dead-letter queue and dead-letter topic with its count, oldest message,
/// growth per minute (from successive snapshots) and most frequent reasons.
enum DeadLettersView {
    static let columns = [
        TableColumn("ENTITY", width: 25, flex: 1),
        TableColumn("KIND", width: 5, dropPriority: 2),
        TableColumn("COUNT", width: 6, alignRight: true),
        TableColumn("OLDEST", width: 7, alignRight: true),
        TableColumn("GROWTH/MIN", width: 10, alignRight: true),
        TableColumn("TOP REASONS", width: 14, flex: 2, dropPriority: 1),
    ]

    static func cells(_ state: DashboardState, _ d: DeadLetterSnapshot) -> [TableCell] {
        let growth = state.metrics.queues.growthPerMinute(d.entity)
        let growthText = growth.map { ($0 > 0 ? "+" : "") + Format.rate($0) } ?? "-"
        let reasons = d.topReasons.map { "\($0.reason) \(Format.count($0.count))" }.joined(separator: ", ")
        return [
            TableCell(d.entity),
            TableCell(d.isTopic ? "topic" : "queue", role: .dim),
            TableCell(Format.count(d.count), role: d.count > 0 ? .warning : .good),
            TableCell(d.oldestAgeMs.map { Format.duration(ms: $0) } ?? "-", role: .number),
            TableCell(growthText, role: (growth ?? 0) > 0 ? .warning : (growth ?? 0) < 0 ? .good : .number),
            TableCell(reasons.isEmpty ? "-" : reasons, role: .dim),
        ]
    }

    /// "27 msgs, +180/min" for the Overview's dead-letters line (growth only when nonzero).
    static func summary(_ d: DeadLetterSnapshot, _ metrics: Metrics) -> String {
        var text = "\(Format.count(d.count)) msgs"
        if let g = metrics.queues.growthPerMinute(d.entity), g.rounded() != 0 {
            text += ", " + (g > 0 ? "+" : "") + Format.rate(g) + "/min"
        }
        return text
    }

    static func render(_ state: DashboardState, into canvas: inout Canvas, rect: Rect) {
        let frame = state.current
        let rows = state.deadLetterRows(frame)
        let area = Rect(x: rect.x + 1, y: rect.y, width: rect.width - 2, height: rect.height)
        let table = TableWidget(columns: columns, rowCount: rows.count, selected: frame.selected, scroll: frame.scroll,
                                sortColumn: frame.sortColumn, ascending: frame.ascending)
        guard let dls = state.snapshot.deadLetters, !rows.isEmpty else {
            let msg = state.snapshot.deadLetters == nil ? "no dead-letter queues or topics yet"
                : state.snapshot.deadLetters?.isEmpty == true ? "no dead-letter queues or topics yet" : "nothing matches /\(frame.filter)"
            table.renderEmpty(msg, into: &canvas, rect: area)
            return
        }
        table.render(into: &canvas, rect: area) { cells(state, dls[rows[$0]]) }
    }
}
