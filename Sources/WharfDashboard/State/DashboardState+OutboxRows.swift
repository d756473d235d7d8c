/// The outbox rows view (Enter on an outbox): its newest rows, and `t` on one opens the trace
/// of its event, which starts at the row and follows the record it became.
extension DashboardState {
    mutating func openOutboxRows() -> [Effect] {
        guard let outbox = selectedOutbox() else { return [] }
        push(.outboxRows(outbox.name))
        outboxRowsBrowser = OutboxRowsBrowser()
        outboxRowsBrowser.outbox = outbox.name
        outboxRowsBrowser.loading = true
        return [.loadOutboxRows(outbox: outbox.name, max: OutboxRowsBrowser.pageSize)]
    }

    mutating func outboxRowsLoaded(outbox: String, rows: [OutboxRowSnapshot]) {
        guard outboxRowsBrowser.outbox == outbox else { return }
        outboxRowsBrowser.rows = rows
        outboxRowsBrowser.loading = false
        clampSelections()
    }

    /// Indices into the browser's rows (newest first) matching the filter.
    func outboxRowRows(_ frame: ViewFrame) -> [Int] {
        let rows = outboxRowsBrowser.rows
        return rows.indices.filter { i in
            Self.matches("\(rows[i].id) \(rows[i].aggregate) \(rows[i].type) \(rows[i].status) \(rows[i].lastError ?? "")", filter: frame.filter)
        }
    }

    func selectedOutboxRow() -> OutboxRowSnapshot? {
        guard case .outboxRows = current.id else { return nil }
        let rows = outboxRowRows(current)
        return current.selected < rows.count ? outboxRowsBrowser.rows[rows[current.selected]] : nil
    }

    mutating func handleOutboxRowsKey(_ key: Key) -> [Effect] {
        guard case .outboxRows(let name) = current.id else { return [] }
        switch key {
        case .char("t"):
            return openTrace()
        case .char("r"):
            outboxRowsBrowser.loading = true
            return [.loadOutboxRows(outbox: name, max: OutboxRowsBrowser.pageSize)]
        default:
            return []
        }
    }

    func outboxRowsHints() -> [KeyHint] {
        (canTrace ? [KeyHint("t", "trace")] : []) + [KeyHint("r", "reload"), KeyHint("/", "filter")]
    }

    func outboxRowsHelp() -> [KeyHint] {
        var view = [KeyHint("r", "read the outbox's newest rows again"), KeyHint("/", "filter by id, aggregate, type, status, error")]
        if canTrace { view.append(KeyHint("t", "trace the selected row's event: the record it became, consumers, dead letters")) }
        return view
    }
}
