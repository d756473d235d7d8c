/// Footer hints and help for the Queues and Dead letters views and their dialogs. Dangerous
/// keys appear only when possible (capability present, not read-only).
extension DashboardState {
    func queueViewHints() -> [KeyHint] {
        var hints: [KeyHint] = []
        switch current.id {
        case .queues:
            if canBrowseDeadLetters { hints.append(KeyHint("⏎", "dead letters")) }
            hints.append(KeyHint("/", "filter"))
            if canPurgeQueue { hints.append(KeyHint("x", "purge", dangerous: true)) }
            if canUndoQueuePurge { hints.append(KeyHint("u", "undo purge", dangerous: true)) }
            hints.append(KeyHint("A/Q/O", "sort"))
        case .deadLetters:
            if canBrowseDeadLetters { hints.append(KeyHint("⏎", "messages")) }
            if canRequeue { hints.append(KeyHint("r", "requeue", dangerous: true)) }
            if canPurgeQueue { hints.append(KeyHint("x", "purge", dangerous: true)) }
            if canUndoQueuePurge { hints.append(KeyHint("u", "undo purge", dangerous: true)) }
            hints += [KeyHint("/", "filter"), KeyHint("C/G/O", "sort")]
        case .deadLetterMessages(let entity):
            if canRequeue { hints += [KeyHint("␣", "mark"), KeyHint("r", "requeue", dangerous: true)] }
            if canPurgeQueue { hints.append(KeyHint("x", "purge", dangerous: true)) }
            // A topic's purge deletes records: there is nothing to undo.
            if canUndoQueuePurge, snapshot.deadLetter(named: entity)?.isTopic != true { hints.append(KeyHint("u", "undo", dangerous: true)) }
            hints += [KeyHint("v", "view: \(deadLetterBrowser.mode.rawValue)"), KeyHint("/", "filter")]
        default:
            break
        }
        return hints
    }

    func queueModalHints(_ m: QueueModal) -> [KeyHint] {
        switch m {
        case .requeue(let d):
            switch d.step {
            case .choose: [KeyHint("↑↓", "choose"), KeyHint("⏎", "preview"), KeyHint("esc", "cancel")]
            case .value, .target: [KeyHint("⏎", "preview"), KeyHint("esc", "cancel")]
            case .previewing: [KeyHint("esc", "cancel")]
            case .review: [KeyHint("y/⏎", "requeue", dangerous: true), KeyHint("t", "target"), KeyHint("⌫", "change"),
                           KeyHint("esc", "cancel")]
            }
        case .purge: [KeyHint("⏎", "purge", dangerous: true), KeyHint("esc", "cancel")]
        case .confirmUndo: [KeyHint("y", "undo purge", dangerous: true), KeyHint("n/esc", "keep")]
        }
    }

    func queueViewHelp() -> [KeyHint] {
        var view: [KeyHint] = []
        switch current.id {
        case .queues:
            view = [KeyHint("N A L D S Q Z O", "sort: name, active, locked, deferred, scheduled, dead-lettered, size, oldest")]
            if canBrowseDeadLetters { view.append(KeyHint("⏎", "browse the queue's dead-letter queue")) }
            if canPurgeQueue { view.append(KeyHint("x", "purge the queue (typed confirmation, undo for a while)", dangerous: true)) }
        case .deadLetters:
            view = [KeyHint("N C O G", "sort: name, count, oldest, growth per minute")]
            if canBrowseDeadLetters { view.append(KeyHint("⏎", "browse the messages")) }
            if canRequeue { view.append(KeyHint("r", "requeue: all or filtered (preview first)", dangerous: true)) }
            if canPurgeQueue { view.append(KeyHint("x", "purge (typed confirmation, undo for a while)", dangerous: true)) }
        case .deadLetterMessages:
            view = [KeyHint("v", "body as text / pretty JSON / hex"), KeyHint("ctrl-r", "reload")]
            if canRequeue {
                view += [KeyHint("space", "mark a message"), KeyHint("a", "mark all shown / clear"),
                         KeyHint("r", "requeue marked, this one, all or filtered (preview first)", dangerous: true)]
            }
            if canPurgeQueue { view.append(KeyHint("x", "purge the dead-letter queue", dangerous: true)) }
        default:
            break
        }
        if canUndoQueuePurge { view.append(KeyHint("u", "undo the last purge (within its window)", dangerous: true)) }
        return view
    }
}
