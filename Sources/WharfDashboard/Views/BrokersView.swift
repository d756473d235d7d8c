/// Brokers (key 8): per broker its address, whether it is the controller, the partitions it
/// leads and holds, its copies out of sync, and its log volume's free space; a broker that is
/// down shows OFFLINE. On the embedded engine there is one row.
enum BrokersView {
    static let columns = [
        TableColumn("ID", width: 4, alignRight: true),
        TableColumn("ADDRESS", width: 16, flex: 1),
        TableColumn("ROLE", width: 10, dropPriority: 2),
        TableColumn("LEADS", width: 6, alignRight: true),
        TableColumn("REPLICAS", width: 8, alignRight: true, dropPriority: 1),
        TableColumn("BEHIND", width: 6, alignRight: true),
        TableColumn("DISK FREE", width: 10, alignRight: true),
        TableColumn("FREE", width: 5, alignRight: true, dropPriority: 3),
    ]

    static func cells(_ b: BrokerSnapshot) -> [TableCell] {
        let free = b.disk.map { d -> TableCell in
            let role: StyleRole = d.freePercent < DiskSnapshot.criticalPercent ? .critical : d.freePercent < DiskSnapshot.warnPercent ? .warning : .number
            return TableCell("\(d.freePercent)%", role: role)
        } ?? TableCell("-")
        return [
            TableCell(String(b.id), role: b.isOnline ? .number : .critical),
            TableCell(b.address, role: b.isOnline ? nil : .critical),
            b.isOnline ? TableCell(b.isController ? "controller" : "", role: .dim) : TableCell("OFFLINE", role: .critical),
            TableCell(String(b.leaderPartitions), role: .number),
            TableCell(String(b.replicas), role: .number),
            TableCell(String(b.outOfSync), role: b.outOfSync > 0 ? .warning : .number),
            TableCell(b.disk.map { Format.bytes($0.freeBytes) } ?? "-", role: .number),
            free,
        ]
    }

    static func render(_ state: DashboardState, into canvas: inout Canvas, rect: Rect) {
        let frame = state.current
        let brokers = state.snapshot.brokers
        let area = Rect(x: rect.x + 1, y: rect.y, width: rect.width - 2, height: rect.height)
        guard !area.isEmpty else { return }
        let rows = state.brokerRows(frame)
        let table = TableWidget(columns: columns, rowCount: rows.count, selected: rows.isEmpty ? nil : frame.selected,
                                scroll: frame.scroll, sortColumn: frame.sortColumn, ascending: frame.ascending)
        if rows.isEmpty {
            let msg = brokers.isEmpty ? "no broker has answered yet" : "no broker matches /\(frame.filter)"
            table.renderEmpty(msg, into: &canvas, rect: area)
            return
        }
        table.render(into: &canvas, rect: area) { cells(brokers[rows[$0]]) }
    }
}
