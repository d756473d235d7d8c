/// The Outbox view's rows and keys: space pauses or resumes the selected outbox's relay, `r`
/// asks to revive its dead rows. Both exist only with `.outboxControl` outside read-only.
extension DashboardState {
    /// Outboxes shown, filtered by name and sorted by the frame's column.
    func outboxRows(_ frame: ViewFrame) -> [Int] {
        let list = snapshot.outboxes ?? []
        let filtered = list.indices.filter { DashboardState.matches(list[$0].name, filter: frame.filter) }
        let asc = frame.ascending
        switch frame.sortColumn {
        case 1: return Self.sorted(filtered, ascending: asc) { list[$0].relay }
        case 2: return Self.sorted(filtered, ascending: asc) { list[$0].pending }
        case 3: return Self.sorted(filtered, ascending: asc) { list[$0].oldestAgeMs ?? -1 }
        case 4: return Self.sorted(filtered, ascending: asc) { metrics.publishRate(outbox: list[$0].name) }
        case 5: return Self.sorted(filtered, ascending: asc) { list[$0].failing }
        case 6: return Self.sorted(filtered, ascending: asc) { list[$0].dead }
        default: return Self.sorted(filtered, ascending: asc) { list[$0].name }
        }
    }

    func selectedOutbox() -> OutboxSnapshot? {
        guard case .outbox = current.id, let list = snapshot.outboxes else { return nil }
        let rows = outboxRows(current)
        return current.selected < rows.count ? list[rows[current.selected]] : nil
    }

    mutating func handleOutboxKey(_ key: Key) -> [Effect] {
        guard let outbox = selectedOutbox() else { return [] }
        switch key {
        case .char(" "):
            guard canControlOutbox else { return refuse("pause or resume relays") }
            guard outbox.relay != .stopped else {
                show("no relay runs for \(outbox.name) here: nothing to pause", error: true)
                return []
            }
            let pause = outbox.relay != .paused
            show(pause ? "pausing the relay of \(outbox.name)…" : "resuming the relay of \(outbox.name)…")
            return [.setOutboxRelayPaused(outbox: outbox.name, paused: pause)]
        case .char("r"):
            guard canControlOutbox else { return refuse("retry dead rows") }
            guard outbox.dead > 0 else {
                show("\(outbox.name) has no dead rows")
                return []
            }
            modal = .confirmRetryDead(outbox: outbox.name, dead: outbox.dead)
        default:
            break
        }
        return []
    }

    func outboxHints() -> [KeyHint] {
        var hints: [KeyHint] = []
        if canControlOutbox, let selected = selectedOutbox() {
            let paused = selected.relay == .paused
            hints += [KeyHint("␣", paused ? "resume relay" : "pause relay", dangerous: true),
                      KeyHint("r", "retry dead", dangerous: true)]
        }
        hints += [KeyHint("/", "filter"), KeyHint("P/A/D", "sort")]
        return hints
    }

    func outboxHelp() -> [KeyHint] {
        var view = [KeyHint("N S P A R F D", "sort: name, state, pending, oldest age, rate, failing, dead"),
                    KeyHint("enter", "the selected outbox's newest rows (t there: trace)")]
        if canControlOutbox {
            view.append(KeyHint("space", "pause / resume the selected outbox's relay", dangerous: true))
            view.append(KeyHint("r", "retry the selected outbox's dead rows (asks first)", dangerous: true))
        }
        return view
    }
}
