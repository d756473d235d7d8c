/// Overview: cluster totals with in/out sparklines, the worst groups by Burrow status and lag,
/// and the dead-letter and outbox sections ("none yet" until those features exist).
enum OverviewView {
    static func render(_ state: DashboardState, into canvas: inout Canvas, rect: Rect) {
        let snap = state.snapshot
        let m = state.metrics
        var y = rect.y
        let partitions = snap.topics.reduce(0) { $0 + $1.partitions.count }
        let records = snap.topics.reduce(Int64(0)) { $0 + $1.recordCount }
        let size = snap.topics.contains { $0.sizeBytes < 0 } ? PartitionSnapshot.unknownSize : snap.topics.reduce(Int64(0)) { $0 + $1.sizeBytes }
        var x = rect.x + 1
        x += canvas.write("Cluster  ", x: x, y: y, maxWidth: rect.maxX - x, role: .title)
        let totals: [(String, String)] = [("topics", "\(snap.topics.count)"), ("partitions", "\(partitions)"),
                                          ("groups", "\(snap.groups.count)"), ("records", Format.count(records)),
                                          ("size", Format.size(size))]
        // Problems come first, so a narrow terminal cannot cut them off: brokers down, partitions
        // offline or under-replicated (a cluster only), and a log volume nearly full.
        let offline = snap.topics.reduce(0) { $0 + $1.offlineCount }
        let underReplicated = snap.topics.reduce(0) { $0 + $1.underReplicatedCount }
        let brokersDown = snap.brokers.reduce(0) { $0 + ($1.isOnline ? 0 : 1) }
        var problems = [(brokersDown, "\(brokersDown) broker\(brokersDown == 1 ? "" : "s") down", StyleRole.critical),
                        (offline, "\(offline) offline", StyleRole.critical), (underReplicated, "\(underReplicated) under-replicated", StyleRole.warning)]
            .filter { $0.0 > 0 }.map { ($0.1, $0.2) }
        if let disk = snap.disk, disk.freePercent < DiskSnapshot.warnPercent {
            problems.append(("disk \(disk.freePercent)% free" + (disk.location.map { " on " + $0 } ?? ""),
                             disk.freePercent < DiskSnapshot.criticalPercent ? .critical : .warning))
        }
        for (text, role) in problems {
            x += canvas.write(text, x: x, y: y, maxWidth: max(0, rect.maxX - x), role: role)
            x += canvas.write(" · ", x: x, y: y, maxWidth: max(0, rect.maxX - x), role: .dim)
        }
        for (i, (label, value)) in totals.enumerated() {
            if i > 0 { x += canvas.write(" · ", x: x, y: y, maxWidth: max(0, rect.maxX - x), role: .dim) }
            x += canvas.write(value, x: x, y: y, maxWidth: max(0, rect.maxX - x), role: .number)
            x += canvas.write(" " + label, x: x, y: y, maxWidth: max(0, rect.maxX - x), role: .dim)
        }
        // A disk with room is worth a glance, not a warning: last, and only when it fits whole.
        if let disk = snap.disk, disk.freePercent >= DiskSnapshot.warnPercent {
            let free = Format.bytes(disk.freeBytes), rest = " free (\(disk.freePercent)%)"
            if rect.maxX - x >= 3 + DisplayWidth.of(free) + DisplayWidth.of(rest) {
                x += canvas.write(" · ", x: x, y: y, maxWidth: 3, role: .dim)
                x += canvas.write(free, x: x, y: y, maxWidth: rect.maxX - x, role: .number)
                canvas.write(rest, x: x, y: y, maxWidth: rect.maxX - x, role: .dim)
            }
        }
        y += 1
        for (label, series) in [("in ", m.totalIn), ("out", m.totalOut)] where y < rect.maxY {
            let rateText = DisplayWidth.fit(Format.rate(series.perSecond) + "/s", to: 9, alignRight: true)
            var cx = rect.x + 1
            cx += canvas.write(label + " ", x: cx, y: y, maxWidth: rect.maxX - cx, role: .dim)
            cx += canvas.write(rateText + "  ", x: cx, y: y, maxWidth: max(0, rect.maxX - cx), role: .number)
            Sparkline.render(series.history.elements, into: &canvas, rect: Rect(x: cx, y: y, width: min(60, rect.maxX - cx - 1), height: 1))
            y += 1
        }
        y += 1
        // Bottom: dead letters and outbox, two rows each.
        let bottomHeight = rect.maxY - y >= 10 ? 4 : (rect.maxY - y >= 6 ? 2 : 0)
        let middle = rect.maxY - y - bottomHeight
        let rows = state.worstGroups(limit: DashboardState.overviewGroupLimit)
        // Groups get what they need; leftover room (at least 4 rows) shows the busiest topics.
        let groupsHeight = min(middle, max(3, rows.count + 2))
        let topicsHeight = middle - groupsHeight >= 4 ? middle - groupsHeight : 0
        let groupsRect = Rect(x: rect.x, y: y, width: rect.width, height: middle - topicsHeight)
        if groupsRect.height >= 2 {
            canvas.write(" Consumer groups, worst first", x: rect.x, y: groupsRect.y, maxWidth: rect.width, role: .title)
            let tableRect = Rect(x: rect.x + 1, y: groupsRect.y + 1, width: rect.width - 2, height: groupsRect.height - 1)
            if rows.isEmpty {
                canvas.write("no consumer groups yet", x: tableRect.x, y: tableRect.y, maxWidth: tableRect.width, role: .dim)
            } else {
                GroupsView.table(state, rows: rows, selected: state.current.selected, scroll: state.current.scroll, sortable: false)
                    .render(into: &canvas, rect: tableRect) { GroupsView.cells(state, group: snap.groups[rows[$0]]) }
            }
        }
        if topicsHeight > 0 {
            renderBusiestTopics(state, into: &canvas,
                                rect: Rect(x: rect.x, y: groupsRect.maxY, width: rect.width, height: topicsHeight))
        }
        if bottomHeight > 0 {
            let by = rect.maxY - bottomHeight
            renderSection(into: &canvas, x: rect.x, y: by, width: rect.width, rows: bottomHeight / 2, title: "Dead letters",
                          items: snap.deadLetters.map { $0.map { ($0.entity, DeadLettersView.summary($0, state.metrics), $0.oldestAgeMs) } })
            renderSection(into: &canvas, x: rect.x, y: by + bottomHeight / 2, width: rect.width, rows: bottomHeight / 2,
                          title: "Outbox backlog",
                          items: snap.outboxes.map { $0.map { ($0.name, OutboxView.overviewLine($0), nil) } })
        }
    }

    /// The topics with the highest in-rate, with their sparklines (not selectable).
    static func renderBusiestTopics(_ state: DashboardState, into canvas: inout Canvas, rect: Rect) {
        let hiddenInternal = state.showInternalTopics ? 0 : state.snapshot.topics.filter(\.isInternal).count
        let title = " Busiest topics" + (hiddenInternal > 0 ? " (internal hidden: i)" : "")
        canvas.write(title, x: rect.x, y: rect.y + 1, maxWidth: rect.width, role: .title)
        let topics = state.showInternalTopics ? state.snapshot.topics : state.snapshot.topics.filter { !$0.isInternal }
        let m = state.metrics
        let ordered = DashboardState.sorted(Array(topics.indices), ascending: false) { m.topicInRate(topics[$0].name) }
        let shown = Array(ordered.prefix(rect.height - 3))
        let columns = [TableColumn("TOPIC", width: 14, flex: 1), TableColumn("IN/S", width: 7, alignRight: true),
                       TableColumn("IN TREND", width: 20, flex: 1, dropPriority: 1),
                       TableColumn("RECORDS", width: 8, alignRight: true), TableColumn("RISK", width: 5, dropPriority: 2)]
        TableWidget(columns: columns, rowCount: shown.count)
            .render(into: &canvas, rect: Rect(x: rect.x + 1, y: rect.y + 2, width: rect.width - 2, height: rect.height - 2)) { i in
                let t = topics[shown[i]]
                let risk = m.risk(topic: t.name)
                return [TableCell(t.name, role: t.isInternal ? .dim : nil), TableCell(Format.rate(m.topicInRate(t.name)), role: .number),
                        TableCell(Sparkline.string(m.topicIn[t.name]?.history.elements ?? [], width: 20), role: .sparkline),
                        TableCell(Format.count(t.recordCount), role: .number),
                        TableCell(risk == .lost ? "LOST" : risk == .atRisk ? "risk" : "", role: risk == .lost ? .critical : .warning)]
            }
    }

    static func renderSection(into canvas: inout Canvas, x: Int, y: Int, width: Int, rows: Int, title: String,
                              items: [(String, String, Int64?)]?) {
        var cx = x + canvas.write(" " + title + "  ", x: x, y: y, maxWidth: width, role: .title)
        guard let items else {
            canvas.write("none yet", x: cx, y: y, maxWidth: x + width - cx, role: .dim)
            return
        }
        if items.isEmpty {
            canvas.write("empty", x: cx, y: y, maxWidth: x + width - cx, role: .good)
            return
        }
        var line = y
        for (i, item) in items.enumerated() {
            var text = item.0 + ": " + item.1
            if let age = item.2 { text += ", oldest " + Format.duration(ms: age) }
            // Wrap before an item that would be cut (or when little room is left).
            if i > 0 && cx + max(20, DisplayWidth.of(text)) > x + width { line += 1; cx = x + 2; if line >= y + rows { break } }
            cx += canvas.write(text + "   ", x: cx, y: line, maxWidth: max(0, x + width - cx), role: .warning)
        }
    }
}
