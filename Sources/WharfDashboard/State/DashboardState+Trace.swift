/// `t` on a record (Records view), a dead letter (the dead-letter browser) or an outbox row (the
/// outbox rows view) opens the trace of its event: the same one `wharf trace` prints.
extension DashboardState {
    public var canTrace: Bool { capabilities.contains(.trace) }

    /// What `t` traces from the current view's selection, if anything.
    func traceQueryForSelection() -> String? {
        switch current.id {
        case .records:
            let rows = recordRows(current)
            guard current.selected < rows.count else { return nil }
            let r = records.rows[rows[current.selected]]
            return "\(r.topic)/\(r.partition)/\(r.offset)"
        case .deadLetterMessages:
            let rows = deadLetterMessageRows(current)
            guard current.selected < rows.count else { return nil }
            let r = deadLetterBrowser.rows[rows[current.selected]]
            return r.traceId ?? r.messageId
        case .outboxRows:
            return selectedOutboxRow()?.id
        default:
            return nil
        }
    }

    mutating func openTrace() -> [Effect] {
        guard canTrace else { return refuse("trace events") }
        guard let query = traceQueryForSelection(), !query.isEmpty else { return [] }
        push(.trace(query))
        trace = nil
        return [.loadTrace(query: query)]
    }

    func traceHints() -> [KeyHint] { [KeyHint("esc", "back")] }
}
