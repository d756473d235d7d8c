/// Topics: name, partitions, records, size, in-rate with a sparkline, retention, retention risk.
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
            table.render(into: &canvas, rect: area.splitTop(1).top) { _ in [] }
            let msg = topics.isEmpty ? "no topics yet" : "no topic matches /\(frame.filter)"
            canvas.write(msg, x: area.x, y: area.y + 1, maxWidth: area.width, role: .dim)
            return
        }
        table.render(into: &canvas, rect: area) { i in
            let t = topics[rows[i]]
            let m = state.metrics
            let risk = m.risk(topic: t.name)
            return [
                TableCell(t.name, role: t.isInternal ? .dim : nil),
                TableCell(String(t.partitions.count), role: .number),
                TableCell(Format.count(t.recordCount), role: .number),
                TableCell(Format.bytes(t.sizeBytes), role: .number),
                TableCell(Format.rate(m.topicInRate(t.name)), role: .number),
                TableCell(retention(t), role: .dim),
                TableCell(Sparkline.string(m.topicIn[t.name]?.history.elements ?? [], width: 10), role: .sparkline),
                TableCell(risk == .lost ? "LOST" : risk == .atRisk ? "risk" : "", role: risk == .lost ? .critical : .warning),
            ]
        }
    }

    static func retention(_ t: TopicSnapshot) -> String {
        switch (t.retentionMs, t.retentionBytes) {
        case (let ms?, _) where ms >= 0: Format.duration(ms: ms)
        case (_, let b?) where b >= 0: Format.bytes(b)
        default: "∞"
        }
    }
}

/// Topic detail: per partition log start/end, records, size, in-rate; below, each group's
/// committed offset and lag on this topic.
enum TopicDetailView {
    static let columns = [
        TableColumn("P", width: 4, alignRight: true),
        TableColumn("START", width: 10, alignRight: true, dropPriority: 2),
        TableColumn("END", width: 10, alignRight: true),
        TableColumn("RECORDS", width: 8, alignRight: true),
        TableColumn("SIZE", width: 9, alignRight: true, dropPriority: 1),
        TableColumn("IN/S", width: 7, alignRight: true),
        TableColumn("TREND", width: 10, flex: 1, dropPriority: 3),
    ]
    static let consumerColumns = [
        TableColumn("GROUP", width: 12, flex: 1),
        TableColumn("P", width: 4, alignRight: true),
        TableColumn("COMMITTED", width: 10, alignRight: true),
        TableColumn("LAG", width: 8, alignRight: true),
        TableColumn("TIME LAG", width: 8, alignRight: true, dropPriority: 1),
        TableColumn("STATUS", width: 6),
    ]

    static func render(_ state: DashboardState, topic name: String, into canvas: inout Canvas, rect: Rect) {
        guard let topic = state.snapshot.topic(named: name) else {
            canvas.write(" topic \(name) no longer exists (Esc to go back)", x: rect.x, y: rect.y, maxWidth: rect.width, role: .messageError)
            return
        }
        let m = state.metrics
        let info = "\(topic.partitions.count) partitions · \(Format.count(topic.recordCount)) records · "
            + "\(Format.bytes(topic.sizeBytes)) · \(Format.rate(m.topicInRate(name)))/s in · retention \(TopicsView.retention(topic))"
        canvas.write(" " + info, x: rect.x, y: rect.y, maxWidth: rect.width, role: .dim)
        let frame = state.current
        let rows = state.topicDetailRows(frame, topic: topic)
        var consumers: [(GroupSnapshot, GroupPartitionSnapshot)] = []
        for g in state.snapshot.groups {
            for p in g.partitions where p.topic == name { consumers.append((g, p)) }
        }
        let body = Rect(x: rect.x + 1, y: rect.y + 1, width: rect.width - 2, height: rect.height - 1)
        let consumerHeight = consumers.isEmpty ? 2 : min(consumers.count + 2, max(3, body.height * 2 / 5))
        let (top, bottom) = body.height >= 8 ? body.splitBottom(consumerHeight) : (body, .zero)
        TableWidget(columns: columns, rowCount: rows.count, selected: frame.selected, scroll: frame.scroll,
                    sortColumn: frame.sortColumn, ascending: frame.ascending)
            .render(into: &canvas, rect: Rect(x: top.x, y: top.y, width: top.width, height: top.height - (bottom.isEmpty ? 0 : 1))) { i in
                let p = topic.partitions[rows[i]]
                let ref = TopicPartitionRef(topic: name, partition: p.partition)
                return [
                    TableCell(String(p.partition), role: .number), TableCell(String(p.logStart), role: .number),
                    TableCell(String(p.logEnd), role: .number), TableCell(Format.count(p.logEnd - p.logStart), role: .number),
                    TableCell(Format.bytes(p.sizeBytes), role: .number), TableCell(Format.rate(m.partitionInRate(ref)), role: .number),
                    TableCell(Sparkline.string(m.partitionIn[ref]?.history.elements ?? [], width: 10), role: .sparkline),
                ]
            }
        guard !bottom.isEmpty else { return }
        canvas.write("Consumer groups on \(name)", x: bottom.x, y: bottom.y, maxWidth: bottom.width, role: .title)
        if consumers.isEmpty {
            canvas.write("no group has committed offsets on this topic", x: bottom.x, y: bottom.y + 1, maxWidth: bottom.width, role: .dim)
            return
        }
        TableWidget(columns: consumerColumns, rowCount: consumers.count)
            .render(into: &canvas, rect: Rect(x: bottom.x, y: bottom.y + 1, width: bottom.width, height: bottom.height - 1)) { i in
                let (g, p) = consumers[i]
                let status = m.status(group: g.name, partition: p.ref)
                return [
                    TableCell(g.name), TableCell(String(p.partition), role: .number),
                    TableCell(p.committed.map(String.init) ?? "-", role: .number),
                    TableCell(Format.count(p.lag), role: p.lag == 0 ? .good : .number),
                    TableCell(p.timeLagMs.map { Format.duration(ms: $0) } ?? "-", role: .number),
                    TableCell(status.label, role: status.role),
                ]
            }
    }
}
