/// Topics: name, partitions, records, size, in-rate with a sparkline, retention, and the worst risk:
/// a partition offline or under-replicated (on a cluster), records lost to retention or about to be.
enum TopicsView {
    static let columns = [
        TableColumn("NAME", width: 12, flex: 1),
        TableColumn("PARTS", width: 5, alignRight: true, dropPriority: 4),
        TableColumn("RECORDS", width: 8, alignRight: true),
        TableColumn("SIZE", width: 9, alignRight: true, dropPriority: 3),
        TableColumn("IN/S", width: 7, alignRight: true),
        TableColumn("RETENTION", width: 9, alignRight: true, dropPriority: 5),
        TableColumn("TREND", width: 10, dropPriority: 6),
        TableColumn("RISK", width: 5, dropPriority: 2),
    ]

    static func render(_ state: DashboardState, into canvas: inout Canvas, rect: Rect) {
        let frame = state.current
        let rows = state.topicRows(frame)
        let topics = state.snapshot.topics
        let table = TableWidget(columns: columns, rowCount: rows.count, selected: frame.selected, scroll: frame.scroll,
                                sortColumn: frame.sortColumn, ascending: frame.ascending)
        let area = Rect(x: rect.x + 1, y: rect.y, width: rect.width - 2, height: rect.height)
        if rows.isEmpty {
            let msg = topics.isEmpty ? "no topics yet" : "no topic matches /\(frame.filter)"
            table.renderEmpty(msg, into: &canvas, rect: area)
            return
        }
        table.render(into: &canvas, rect: area) { i in
            let t = topics[rows[i]]
            let m = state.metrics
            return [
                TableCell(t.name, role: t.isInternal ? .dim : nil),
                TableCell(String(t.partitions.count), role: .number),
                TableCell(Format.count(t.recordCount), role: .number),
                TableCell(Format.size(t.sizeBytes), role: .number),
                TableCell(Format.rate(m.topicInRate(t.name)), role: .number),
                TableCell(retention(t), role: .dim),
                TableCell(Sparkline.string(m.topicIn[t.name]?.history.elements ?? [], width: 10), role: .sparkline),
                riskCell(t, m.risk(topic: t.name)),
            ]
        }
    }

    /// The worst first: nothing can be read from an offline partition; lost records are gone;
    /// an under-replicated partition is one broker failure from losing acknowledged writes.
    static func riskCell(_ t: TopicSnapshot, _ retentionRisk: Metrics.RetentionRisk) -> TableCell {
        if t.offlineCount > 0 { return TableCell("OFFL", role: .critical) }
        if retentionRisk == .lost { return TableCell("LOST", role: .critical) }
        if t.underReplicatedCount > 0 { return TableCell("URP", role: .warning) }
        return TableCell(retentionRisk == .atRisk ? "risk" : "", role: .warning)
    }

    static func retention(_ t: TopicSnapshot) -> String {
        switch (t.retentionMs, t.retentionBytes) {
        case (let ms?, _) where ms >= 0: Format.duration(ms: ms)
        case (_, let b?) where b >= 0: Format.bytes(b)
        default: "∞"
        }
    }
}
