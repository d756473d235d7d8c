/// The keys shown in the footer and the help overlay. Dangerous keys are listed only when
/// the action is possible (capability present, not read-only), like k9s `ClearDanger()`.
extension DashboardState {
    /// Footer hints for the current view, most useful first (the footer drops what does not fit).
    public func footerHints() -> [KeyHint] {
        if let modal { return modalHints(modal) }
        var hints: [KeyHint] = []
        switch current.id {
        case .overview:
            hints = [KeyHint("⏎", "group")]
            if canReset { hints.append(KeyHint("r", "replay", dangerous: true)) }
            if canUndo { hints.append(KeyHint("u", "undo", dangerous: true)) }
            hints += [KeyHint("2", "topics"), KeyHint("3", "groups")]
        case .topics:
            hints = [KeyHint("⏎", "open"), KeyHint("/", "filter")]
            if canPurge { hints.append(KeyHint("x", "purge", dangerous: true)) }
            // n (new) and D (delete) are in the help overlay: at 80 columns the footer has no room left.
            hints.append(KeyHint("N/R/S/I", "sort"))
        case .topicDetail:
            hints = [KeyHint("⏎", canBrowse ? "records" : "open"), KeyHint("/", "filter")]
            if canPurge { hints.append(KeyHint("x", "purge", dangerous: true)) }
            hints.append(KeyHint("E/R/I", "sort"))
        case .groups:
            hints = [KeyHint("⏎", "open"), KeyHint("/", "filter")]
            if canReset { hints.append(KeyHint("r", "replay", dangerous: true)) }
            if canUndo { hints.append(KeyHint("u", "undo", dangerous: true)) }
            hints.append(KeyHint("L/E/U", "sort"))
        case .groupDetail:
            hints = [KeyHint("⏎", "records")]
            if canReset { hints += [KeyHint("␣", "mark"), KeyHint("r", "replay", dangerous: true)] }
            if canUndo { hints.append(KeyHint("u", "undo", dangerous: true)) }
            hints.append(KeyHint("/", "filter"))
        case .streams:
            hints = streamsHints()
        case .records:
            hints = [KeyHint("v", "view: \(records.mode.rawValue)"), KeyHint("o", "seek"), KeyHint("n/b", "next/prev"),
                     KeyHint("/", "filter")]
        case .queues, .deadLetters, .deadLetterMessages:
            hints = queueViewHints()
        case .outbox:
            hints = outboxHints()
        case .outboxRows:
            hints = outboxRowsHints()
        case .brokers:
            hints = [KeyHint("/", "filter"), KeyHint("L/B/D", "sort")]
        case .audit:
            hints = auditHints()
        case .trace:
            hints = []
        }
        if stack.count > 1 { hints.append(KeyHint("esc", "back")) }
        hints += [KeyHint(":", "cmd"), KeyHint("?", "help"), KeyHint("q", "quit")]
        return hints
    }

    func modalHints(_ modal: Modal) -> [KeyHint] {
        switch modal {
        case .help: [KeyHint("esc", "close")]
        case .palette: [KeyHint("tab", "complete"), KeyHint("↑↓", "choose"), KeyHint("⏎", "run"), KeyHint("esc", "cancel")]
        case .filter: [KeyHint("⏎", "keep filter"), KeyHint("esc", "cancel"), KeyHint("!", "prefix inverts")]
        case .reset(let d):
            switch d.step {
            case .choose: [KeyHint("↑↓", "choose"), KeyHint("⏎", "next"), KeyHint("esc", "cancel")]
            case .value: [KeyHint("⏎", "preview"), KeyHint("esc", "cancel")]
            case .previewing: [KeyHint("esc", "cancel")]
            case .review: [KeyHint("y/⏎", "apply reset", dangerous: true), KeyHint("⌫", "change"), KeyHint("esc", "cancel")]
            }
        case .purge(let d):
            d.step == .offset ? [KeyHint("⏎", "count records"), KeyHint("esc", "cancel")]
                : [KeyHint("⏎", "purge", dangerous: true), KeyHint("esc", "cancel")]
        case .confirmUndo: [KeyHint("y", "undo", dangerous: true), KeyHint("n/esc", "keep")]
        case .confirmRetryDead: [KeyHint("y", "retry dead rows", dangerous: true), KeyHint("n/esc", "keep")]
        case .seek: [KeyHint("⏎", "go"), KeyHint("esc", "cancel")]
        case .queue(let m): queueModalHints(m)
        case .rebuildProjection: [KeyHint("⏎", "rebuild", dangerous: true), KeyHint("esc", "cancel")]
        case .replayParked: [KeyHint("y", "replay", dangerous: true), KeyHint("n/esc", "keep parked")]
        case .createTopic(let d):
            d.step == .name ? [KeyHint("⏎", "next"), KeyHint("esc", "cancel")]
                : [KeyHint("⏎", "create", dangerous: true), KeyHint("⌫", "back"), KeyHint("esc", "cancel")]
        case .deleteTopic: [KeyHint("⏎", "delete", dangerous: true), KeyHint("esc", "cancel")]
        case .confirmAuditUndo: [KeyHint("y", "undo", dangerous: true), KeyHint("n/esc", "keep")]
        }
    }

    /// Every binding for the help overlay: global keys, then this view's.
    public func helpSections() -> [(String, [KeyHint])] {
        let global = [
            KeyHint(":", "command palette (:topics :groups :queues :dlq :records NAME :audit)"), KeyHint("/", "filter rows (!text inverts)"),
            KeyHint("j k ↑ ↓", "move"), KeyHint("⏎", "drill down"), KeyHint("esc", "back / clear filter"),
            KeyHint("1-8", "overview, topics, groups, queues, DLQ, outbox, streams, brokers"), KeyHint("p", "pause / resume refresh"),
            KeyHint("+ -", "refresh faster / slower"), KeyHint("?", "this help"), KeyHint("q", "quit"),
        ]
        var view: [KeyHint] = []
        switch current.id {
        case .overview:
            view = [KeyHint("⏎", "open the selected group"),
                    KeyHint("i", showInternalTopics ? "hide internal topics (__consumer_offsets...)" : "show internal topics (__consumer_offsets...)")]
            if canReset { view.append(KeyHint("r", "replay the selected group (preview first)", dangerous: true)) }
        case .topics:
            view = [KeyHint("N P R S I T", "sort: name, partitions, records, size, in/s, retention")]
            if canPurge { view.append(KeyHint("x", "purge the topic's partitions", dangerous: true)) }
            if canManageTopics {
                view.append(KeyHint("n", "create a topic (name, partitions)", dangerous: true))
                view.append(KeyHint("D", "delete the topic (type its name)", dangerous: true))
            }
        case .topicDetail:
            view = [KeyHint("P E R Z I", "sort: partition, end, records, size, in/s")]
            if canBrowse { view.append(KeyHint("⏎", "browse the partition's records")) }
            if canPurge { view.append(KeyHint("x", "purge the partition", dangerous: true)) }
            if canManageTopics { view.append(KeyHint("D", "delete this topic (type its name)", dangerous: true)) }
        case .groups:
            view = [KeyHint("N S M L T E U", "sort: name, state, members, lag, time lag, ETA, status")]
            if canReset { view.append(KeyHint("r", "replay: reset offsets (preview first)", dangerous: true)) }
        case .groupDetail:
            view = [KeyHint("N P L T E U", "sort: topic, partition, lag, time lag, ETA, status")]
            if canReset {
                view.append(KeyHint("space", "mark partition for replay"))
                view.append(KeyHint("r", "replay marked (or all) partitions", dangerous: true))
            }
        case .streams:
            view = streamsHelp()
        case .records:
            view = [KeyHint("v", "text / pretty JSON / hex"), KeyHint("o", "seek to offset or date-time"),
                    KeyHint("n b", "next / previous page")]
        case .queues, .deadLetters, .deadLetterMessages:
            view = queueViewHelp()
        case .outbox:
            view = outboxHelp()
        case .outboxRows:
            view = outboxRowsHelp()
        case .brokers:
            view = [KeyHint("I L R B D", "sort: id, partitions led, replicas, copies behind, disk free")]
        case .audit:
            view = auditHelp()
        case .trace:
            view = [KeyHint("esc", "back to where t was pressed")]
        }
        switch current.id {
        case .records, .deadLetterMessages:
            if canTrace { view.append(KeyHint("t", "trace the selected record's event: dead letters, requeues, consumers")) }
        default: break
        }
        switch current.id {
        case .overview, .groups, .groupDetail:
            if canUndo { view.append(KeyHint("u", "undo the last reset", dangerous: true)) }
        default: break
        }
        var sections = [(current.id.title, view), ("Everywhere", global)]
        if readOnly { sections.append(("Read-only", [KeyHint("", "destructive actions are disabled")])) }
        return sections
    }
}
