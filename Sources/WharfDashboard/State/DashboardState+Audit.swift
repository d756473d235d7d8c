import WharfCore

/// The audit view (`:audit`): the data directory's recorded changes, newest first, and undo of a
/// recorded reset, which works whichever process made it (the entry holds the offsets before).
extension DashboardState {
    public var canReadAudit: Bool { capabilities.contains(.audit) }

    mutating func openAudit() -> [Effect] {
        guard canReadAudit else {
            show("this source has no audit log (it is kept in an embedded data directory)", error: true)
            modal = nil
            return []
        }
        navigate(to: [.overview, .audit])
        auditLoading = true
        return [.loadAudit]
    }

    /// Indices into `auditEntries`, newest first, matching the filter.
    func auditRows(_ frame: ViewFrame) -> [Int] {
        auditEntries.indices.reversed().filter { i in
            let e = auditEntries[i]
            return Self.matches("\(e.time) \(e.actor.summary) \(e.action) \(e.target) \(e.changeSummary) \(e.result)", filter: frame.filter)
        }
    }

    func selectedAuditEntry() -> AuditEntry? {
        let rows = auditRows(current)
        return current.selected < rows.count ? auditEntries[rows[current.selected]] : nil
    }

    mutating func handleAuditKey(_ key: Key) -> [Effect] {
        switch key {
        case .char("r"):
            auditLoading = true
            return [.loadAudit]
        case .char("u"):
            guard canUndo else { return refuse("undo") }
            guard let entry = selectedAuditEntry() else { return [] }
            guard entry.isUndoableReset else {
                show("only a successful offset reset can be undone (this is \(entry.action))", error: true)
                return []
            }
            modal = .confirmAuditUndo(entry)
        default:
            break
        }
        return []
    }

    func auditHints() -> [KeyHint] {
        var hints: [KeyHint] = []
        if canUndo { hints.append(KeyHint("u", "undo reset", dangerous: true)) }
        hints += [KeyHint("r", "reload"), KeyHint("/", "filter")]
        return hints
    }

    func auditHelp() -> [KeyHint] {
        var view = [KeyHint("r", "read the audit log again"), KeyHint("/", "filter by time, actor, action, target")]
        if canUndo { view.append(KeyHint("u", "undo the selected reset: put back the offsets it replaced", dangerous: true)) }
        return view
    }
}
