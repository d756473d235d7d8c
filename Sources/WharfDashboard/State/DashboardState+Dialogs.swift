import WharfCore

/// Dialog key handling: reset (replay), purge, undo, seek, help, filter and palette.
/// Dangerous effects leave only from the confirm step of a dialog that could only be opened
/// with the matching capability outside read-only.
extension DashboardState {
    mutating func handleModalKey(_ modal: Modal, _ key: Key) -> [Effect] {
        switch modal {
        case .help:
            if key == .escape || key == .char("?") || key == .char("q") || key == .enter { self.modal = nil }
            return []
        case .palette(let palette):
            return handlePaletteKey(palette, key)
        case .filter(var input, let previous):
            switch key {
            case .escape:
                current.filter = previous
                self.modal = nil
            case .enter:
                self.modal = nil
            default:
                if input.handle(key) {
                    current.filter = input.text
                    current.selected = 0
                    current.scroll = 0
                    self.modal = .filter(input: input, previous: previous)
                }
            }
            return []
        case .reset(let dialog):
            return handleResetKey(dialog, key)
        case .createTopic(let dialog):
            return handleCreateTopicKey(dialog, key)
        case .deleteTopic(let dialog):
            return handleDeleteTopicKey(dialog, key)
        case .purge(let dialog):
            return handlePurgeKey(dialog, key)
        case .queue(let m):
            return handleQueueModalKey(m, key)
        case .confirmUndo:
            self.modal = nil
            guard key == .char("y") || key == .char("Y") || key == .enter, canUndo else { return [] }
            show("undoing the last reset…")
            return [.undoLastReset]
        case .confirmRetryDead(let outbox, _):
            self.modal = nil
            guard key == .char("y") || key == .char("Y") || key == .enter, canControlOutbox else { return [] }
            show("retrying the dead rows of \(outbox)…")
            return [.retryDeadOutboxRows(outbox: outbox)]
        case .rebuildProjection(let dialog):
            return handleRebuildKey(dialog, key)
        case .replayParked(let dialog):
            return handleReplayParkedKey(dialog, key)
        case .confirmAuditUndo(let entry):
            self.modal = nil
            guard key == .char("y") || key == .char("Y"), canUndo else { return [] }
            show("undoing \(entry.action) of \(entry.target) (\(entry.id))…")
            return [.undoAuditEntry(id: entry.id)]
        case .seek(var input):
            switch key {
            case .escape:
                self.modal = nil
            case .enter:
                let text = input.text.trimmingWhitespace()
                if let offset = Int64(text), offset >= 0 {
                    self.modal = nil
                    return loadRecords(from: .offset(offset))
                }
                if let ms = CivilDate.parse(text) {
                    self.modal = nil
                    return loadRecords(from: .timestamp(ms))
                }
                show("seek: expected an offset or a date-time like 2026-11-26 15:04:05", error: true)
            default:
                if input.handle(key) { self.modal = .seek(input) }
            }
            return []
        }
    }

    // MARK: reset

    mutating func openReset(group: GroupSnapshot, only: Set<TopicPartitionRef>) {
        guard canReset else { _ = refuse("reset"); return }
        if !capabilities.contains(.resetLiveGroups), !group.members.isEmpty || !["Empty", "Dead"].contains(group.state) {
            let n = group.members.count
            // A KIP-848 group's members are not described by the classic API: its state still says it is live.
            show(n > 0 ? "\(group.name): stop its \(n) live member\(n == 1 ? "" : "s") first; a remote group cannot be fenced"
                       : "\(group.name) is \(group.state): stop its consumers first; a remote group cannot be fenced", error: true)
            return
        }
        var scope: [(topic: String, partitions: [Int32])] = []
        for topic in group.topics {
            let parts = group.partitions.filter { $0.topic == topic && (only.isEmpty || only.contains($0.ref)) }.map(\.partition).sorted()
            if !parts.isEmpty { scope.append((topic, parts)) }
        }
        guard !scope.isEmpty else { show("group \(group.name) has no partitions to reset", error: true); return }
        modal = .reset(ResetDialog(group: group.name, scope: scope))
    }

    mutating func handleResetKey(_ d: ResetDialog, _ key: Key) -> [Effect] {
        var dialog = d
        if key == .escape { modal = nil; return [] }
        switch dialog.step {
        case .choose:
            switch key {
            case .up, .char("k"): dialog.choice = max(0, dialog.choice - 1)
            case .down, .char("j"): dialog.choice = min(ResetDialog.choices.count - 1, dialog.choice + 1)
            case .enter:
                dialog.error = nil
                switch dialog.choice {
                case 0: return preview(&dialog, spec: .earliest)
                case 1: return preview(&dialog, spec: .latest)
                default:
                    dialog.step = .value
                    dialog.input = TextInput()
                }
            default: break
            }
        case .value:
            switch key {
            case .enter:
                guard let spec = Self.parseResetValue(choice: dialog.choice, text: dialog.input.text) else {
                    dialog.error = "not a valid \(ResetDialog.choices[dialog.choice]): \(ResetDialog.valueHint(dialog.choice))"
                    break
                }
                dialog.error = nil
                return preview(&dialog, spec: spec)
            default:
                _ = dialog.input.handle(key)
            }
        case .previewing:
            break
        case .review:
            switch key {
            case .enter, .char("y"), .char("Y"):
                modal = nil
                guard canReset else { return [] }
                guard !dialog.rows.isEmpty else { show("nothing to reset"); return [] }
                show("resetting \(dialog.group): \(dialog.rows.count) partition(s) to \(dialog.spec?.label ?? "?")")
                marked.subtract(dialog.rows.map { TopicPartitionRef(topic: $0.topic, partition: $0.partition) })
                return [.executeReset(group: dialog.group, plan: dialog.rows)]
            case .char("n"), .char("N"):
                modal = nil
                return []
            case .backspace:
                dialog.step = .choose
                dialog.rows = []
            default: break
            }
        }
        modal = .reset(dialog)
        return []
    }

    mutating func preview(_ dialog: inout ResetDialog, spec: ResetSpec) -> [Effect] {
        dialog.spec = spec
        dialog.rows = []
        dialog.step = .previewing(pending: dialog.scope.count)
        modal = .reset(dialog)
        return dialog.scope.map { .previewReset(group: dialog.group, topic: $0.topic, partitions: $0.partitions, spec: spec) }
    }

    /// Parses the value typed for reset choice `choice` (2 offset, 3 date-time, 4 shift-by, 5 duration).
    public static func parseResetValue(choice: Int, text raw: String) -> ResetSpec? {
        let text = raw.trimmingWhitespace()
        switch choice {
        case 2: return Int64(text).flatMap { $0 >= 0 ? .offset($0) : nil }
        case 3:
            if let ms = CivilDate.parse(text) { return .datetime(ms) }
            return Int64(text).flatMap { $0 > 0 ? .datetime($0) : nil }
        case 4: return Int64(text).map { .shiftBy($0) }
        case 5: return parseDuration(text).map { .duration($0) }
        default: return nil
        }
    }

    /// How far back a duration reset goes: the CLI's `--by-duration` rule (`TimeParsing`), so
    /// `PT1M`, `P1DT2H`, `90s`, `1h30m` mean the same in both; nil when malformed or zero.
    public static func parseDuration(_ text: String) -> Int64? {
        TimeParsing.durationMillis(text).flatMap { $0 > 0 ? $0 : nil }
    }

    // MARK: purge

    mutating func openPurge(topic: TopicSnapshot, partitions: [Int32]) {
        guard canPurge else { _ = refuse("purge"); return }
        guard !partitions.isEmpty else { return }
        modal = .purge(PurgeDialog(topic: topic.name, partitions: partitions))
    }

    /// Records each partition would lose when purged below `offset` (nil: up to the end).
    func purgePlan(topic name: String, partitions: [Int32], before offset: Int64?) -> [PurgeDialog.Row] {
        guard let topic = snapshot.topic(named: name) else { return [] }
        return partitions.compactMap { p in
            guard let part = topic.partitions.first(where: { $0.partition == p }) else { return nil }
            let before = min(offset ?? part.logEnd, part.logEnd)
            return PurgeDialog.Row(partition: p, beforeOffset: before, records: max(0, before - part.logStart))
        }
    }

    mutating func handlePurgeKey(_ d: PurgeDialog, _ key: Key) -> [Effect] {
        var dialog = d
        if key == .escape { modal = nil; return [] }
        switch dialog.step {
        case .offset:
            if key == .enter {
                let text = dialog.input.text.trimmingWhitespace().lowercased()
                let offset: Int64?
                if text == "end" || text.isEmpty {
                    offset = nil
                } else if let v = Int64(text), v >= 0 {
                    offset = v
                } else {
                    dialog.error = "expected \"end\" or an offset"
                    modal = .purge(dialog)
                    return []
                }
                dialog.plan = purgePlan(topic: dialog.topic, partitions: dialog.partitions, before: offset)
                if dialog.totalRecords == 0 {
                    dialog.error = "nothing to purge below that offset"
                } else {
                    dialog.error = nil
                    dialog.step = .confirm
                }
            } else {
                _ = dialog.input.handle(key)
            }
        case .confirm:
            if key == .enter {
                guard dialog.confirmation.text == PurgeDialog.confirmWord else {
                    dialog.error = "type \(PurgeDialog.confirmWord) to confirm, Esc to cancel"
                    modal = .purge(dialog)
                    return []
                }
                modal = nil
                guard canPurge else { return [] }
                show("purging \(Format.count(dialog.totalRecords)) records from \(dialog.topic)")
                return dialog.plan.filter { $0.records > 0 }.map {
                    .purge(topic: dialog.topic, partition: $0.partition, beforeOffset: $0.beforeOffset)
                }
            }
            _ = dialog.confirmation.handle(key)
        }
        modal = .purge(dialog)
        return []
    }
}

extension ResetDialog {
    static func valueHint(_ choice: Int) -> String {
        switch choice {
        case 2: "an offset, e.g. 1200"
        case 3: "UTC, e.g. 2026-11-26 15:04:05"
        case 4: "records, e.g. -500 or +100"
        case 5: "how far back, e.g. 15m, 1h30m, PT1M, P1D"
        default: ""
        }
    }
}
