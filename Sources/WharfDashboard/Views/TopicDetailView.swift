import WharfCore

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
    /// Shown on a cluster, where partitions have leaders (and may have none) and replicas: ISR is
    /// in-sync replicas / replicas.
    static let clusterColumns = [TableColumn("LEADER", width: 6, alignRight: true, dropPriority: 2),
                                 TableColumn("ISR", width: 5, alignRight: true, dropPriority: 2)]
    /// Shown while a partition has an open transaction: where read_committed readers stop.
    static let transactionColumns = [TableColumn("LSO", width: 10, alignRight: true),
                                     TableColumn("TXNS", width: 4, alignRight: true, dropPriority: 1)]
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
        let info = "\(topic.partitions.count) partition\(topic.partitions.count == 1 ? "" : "s") · \(Format.count(topic.recordCount)) records · "
            + "\(Format.size(topic.sizeBytes)) · \(Format.rate(m.topicInRate(name)))/s in · retention \(TopicsView.retention(topic))"
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
        let showLeader = topic.partitions.contains { $0.leader != nil }
        let showTransactions = topic.partitions.contains { $0.openTransactions > 0 }
        let shown = columns + (showLeader ? clusterColumns : []) + (showTransactions ? transactionColumns : [])
        TableWidget(columns: shown, rowCount: rows.count, selected: frame.selected, scroll: frame.scroll,
                    sortColumn: frame.sortColumn, ascending: frame.ascending)
            .render(into: &canvas, rect: Rect(x: top.x, y: top.y, width: top.width, height: top.height - (bottom.isEmpty ? 0 : 1))) { i in
                let p = topic.partitions[rows[i]]
                let ref = TopicPartitionRef(topic: name, partition: p.partition)
                var cells = [
                    TableCell(String(p.partition), role: .number), TableCell(String(p.logStart), role: .number),
                    TableCell(String(p.logEnd), role: .number), TableCell(Format.count(OffsetMath.subtract(p.logEnd, p.logStart)), role: .number),
                    TableCell(Format.size(p.sizeBytes), role: .number), TableCell(Format.rate(m.partitionInRate(ref)), role: .number),
                    TableCell(Sparkline.string(m.partitionSeries(ref)?.history.elements ?? [], width: 10), role: .sparkline),
                ]
                if showLeader {
                    // No leader: nothing can be produced to or read from the partition.
                    cells.append(p.leader.map { $0 >= 0 ? TableCell(String($0), role: .number) : TableCell("none", role: .critical) } ?? TableCell("-"))
                    cells.append(isrCell(p))
                }
                if showTransactions {
                    cells.append(TableCell(String(p.lastStable ?? p.logEnd), role: p.lastStable.map { $0 < p.logEnd } == true ? .warning : .number))
                    cells.append(TableCell(p.openTransactions > 0 ? String(p.openTransactions) : "-", role: .number))
                }
                return cells
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

    /// "2/3": in-sync replicas of all replicas; under-replicated in the warning colour, none in
    /// sync in the critical one.
    static func isrCell(_ p: PartitionSnapshot) -> TableCell {
        guard let replicas = p.replicas, let inSync = p.inSyncReplicas else { return TableCell("-") }
        let role: StyleRole = inSync == 0 ? .critical : (inSync < replicas ? .warning : .number)
        return TableCell("\(inSync)/\(replicas)", role: role)
    }
}
