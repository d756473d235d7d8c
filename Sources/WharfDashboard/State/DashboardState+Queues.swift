/// Keys, drill-down and effect results of the Queues view, the Dead letters view and the
/// dead-letter browser. Dangerous effects (requeue, purge, undo) leave only from the confirm
/// step of a dialog, and the dialogs open only with the capability outside read-only.
extension DashboardState {
    /// Keys specific to the three views; nil when the current view is not one of them.
    mutating func handleQueueViewKey(_ key: Key) -> [Effect]? {
        switch (current.id, key) {
        case (.queues, .char("x")):
            guard let q = selectedQueue() else { return [] }
            openQueuePurge(entity: q.name, count: q.total)
        case (.queues, .char("u")):
            guard let q = selectedQueue() else { return [] }
            openQueueUndo(entity: q.name)
        case (.deadLetters, .char("r")):
            guard let d = selectedDeadLetter() else { return [] }
            openRequeue(entity: d.entity, selected: [])
        case (.deadLetters, .char("x")):
            guard let d = selectedDeadLetter() else { return [] }
            openQueuePurge(entity: d.entity, count: d.count)
        case (.deadLetters, .char("u")):
            guard let d = selectedDeadLetter() else { return [] }
            openQueueUndo(entity: d.entity)
        case (.deadLetterMessages, .char(" ")):
            guard let m = selectedDeadLetterMessage() else { return [] }
            if deadLetterBrowser.marked.remove(m.sequenceNumber) == nil { deadLetterBrowser.marked.insert(m.sequenceNumber) }
            move(by: 1)
        case (.deadLetterMessages, .char("a")):
            // Marks every shown (filtered) message, or clears the marks when all are marked.
            let shown = deadLetterMessageRows(current).map { deadLetterBrowser.rows[$0].sequenceNumber }
            if !shown.isEmpty && shown.allSatisfy(deadLetterBrowser.marked.contains) {
                deadLetterBrowser.marked.subtract(shown)
            } else {
                deadLetterBrowser.marked.formUnion(shown)
            }
        case (.deadLetterMessages(let entity), .char("r")):
            let marked = deadLetterBrowser.marked.sorted()
            let selected = marked.isEmpty ? (selectedDeadLetterMessage().map { [$0.sequenceNumber] } ?? []) : marked
            openRequeue(entity: entity, selected: selected)
        case (.deadLetterMessages(let entity), .char("x")):
            openQueuePurge(entity: entity, count: snapshot.deadLetter(named: entity)?.count ?? Int64(deadLetterBrowser.rows.count))
        case (.deadLetterMessages(let entity), .char("u")):
            openQueueUndo(entity: entity)
        case (.deadLetterMessages, .char("v")):
            deadLetterBrowser.mode = deadLetterBrowser.mode.next
        case (.deadLetterMessages(let entity), .ctrl("r")):
            return reloadDeadLetters(entity)
        case (.deadLetterMessages, .char("t")):
            return openTrace()
        case (.queues, _), (.deadLetters, _), (.deadLetterMessages, _):
            return []
        default:
            return nil
        }
        return []
    }

    /// Enter: a queue opens its dead-letter queue's browser; a dead-letter entity its own.
    mutating func drillDownQueues() -> [Effect] {
        switch current.id {
        case .queues:
            guard let q = selectedQueue() else { return [] }
            return openDeadLetterBrowser(q.name + DeadLetterSnapshot.subqueueSuffix)
        case .deadLetters:
            guard let d = selectedDeadLetter() else { return [] }
            return openDeadLetterBrowser(d.entity)
        default:
            return []
        }
    }

    mutating func openDeadLetterBrowser(_ entity: String) -> [Effect] {
        guard canBrowseDeadLetters else { return refuse("browse dead letters") }
        if case .deadLetterMessages = current.id { stack.removeLast() }
        push(.deadLetterMessages(entity))
        deadLetterBrowser = DeadLetterBrowserState(entity: entity, mode: deadLetterBrowser.mode)
        return reloadDeadLetters(entity)
    }

    mutating func reloadDeadLetters(_ entity: String) -> [Effect] {
        deadLetterBrowser.loading = true
        return [.loadDeadLetters(entity: entity, max: DeadLetterBrowserState.pageSize)]
    }

    /// On a tick: reloads the browser on screen when the entity's count moved (new dead
    /// letters, or another process requeued), so the list stays as live as the counts.
    mutating func refreshDeadLetterBrowserIfStale() -> [Effect] {
        guard case .deadLetterMessages(let entity) = current.id, !deadLetterBrowser.loading, modal == nil,
              deadLetterBrowser.entity == entity, let d = snapshot.deadLetter(named: entity) else { return [] }
        let shown = Int64(deadLetterBrowser.rows.count)
        let expected = min(d.count, Int64(DeadLetterBrowserState.pageSize))
        return shown == expected ? [] : reloadDeadLetters(entity)
    }

    // MARK: effect results

    mutating func deadLettersLoaded(entity: String, rows: [DeadLetterMessageRow]) {
        guard deadLetterBrowser.entity == entity else { return }
        deadLetterBrowser.rows = rows
        deadLetterBrowser.loading = false
        // Marks of messages that left (requeued, purged) must not be requeued again by mistake.
        let present = Set(rows.map(\.sequenceNumber))
        deadLetterBrowser.marked.formIntersection(present)
        clampSelections()
    }

    mutating func requeuePreviewed(_ preview: RequeuePreview) {
        guard case .queue(.requeue(var dialog))? = modal, dialog.entity == preview.entity,
              dialog.step == .previewing else { return }
        dialog.step = .review(preview)
        modal = .queue(.requeue(dialog))
    }

    mutating func queueEntityChanged(entity: String, message: String) -> [Effect] {
        show(message)
        guard stack.contains(where: { $0.id == .deadLetterMessages(entity) }), deadLetterBrowser.entity == entity else { return [] }
        return reloadDeadLetters(entity)
    }

    /// A failed effect: a requeue dialog waiting for its dry run goes back to the choice.
    mutating func queueOperationFailed(_ text: String) {
        deadLetterBrowser.loading = false
        if case .queue(.requeue(var dialog))? = modal, dialog.step == .previewing {
            dialog.step = .choose
            dialog.error = text
            modal = .queue(.requeue(dialog))
        }
    }

    // MARK: opening dialogs

    mutating func openRequeue(entity: String, selected: [Int64]) {
        guard canRequeue else { _ = refuse("requeue"); return }
        let target = snapshot.deadLetter(named: entity)?.kind.defaultTarget ?? DeadLetterSnapshot.sourceQueue(of: entity)
        modal = .queue(.requeue(RequeueDialog(entity: entity, selected: selected, defaultTarget: target)))
    }

    mutating func openQueuePurge(entity: String, count: Int64) {
        guard canPurgeQueue else { _ = refuse("purge"); return }
        guard count > 0 else { show("\(entity) is empty: nothing to purge"); return }
        let isTopic = snapshot.deadLetter(named: entity)?.isTopic ?? false
        modal = .queue(.purge(QueuePurgeDialog(entity: entity, count: count, restorable: !isTopic)))
    }

    mutating func openQueueUndo(entity: String) {
        guard canUndoQueuePurge else { _ = refuse("undo a purge"); return }
        if snapshot.deadLetter(named: entity)?.isTopic == true {
            show("\(entity) is a topic: its purge deletes records, which cannot be restored", error: true)
            return
        }
        modal = .queue(.confirmUndo(entity: entity))
    }
}
