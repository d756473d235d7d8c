import WharfCore

/// Key handling of the requeue, queue purge and purge-undo dialogs.
extension DashboardState {
    mutating func handleQueueModalKey(_ m: QueueModal, _ key: Key) -> [Effect] {
        switch m {
        case .requeue(let dialog):
            return handleRequeueKey(dialog, key)
        case .purge(var dialog):
            if key == .escape { modal = nil; return [] }
            if key == .enter {
                guard dialog.confirmation.text == PurgeDialog.confirmWord else {
                    dialog.error = "type \(PurgeDialog.confirmWord) to confirm, Esc to cancel"
                    modal = .queue(.purge(dialog))
                    return []
                }
                modal = nil
                guard canPurgeQueue else { return [] }
                show("purging \(dialog.entity)…")
                return [.purgeQueue(entity: dialog.entity)]
            }
            _ = dialog.confirmation.handle(key)
            modal = .queue(.purge(dialog))
            return []
        case .confirmUndo(let entity):
            modal = nil
            guard key == .char("y") || key == .char("Y") || key == .enter, canUndoQueuePurge else { return [] }
            show("restoring the last purge of \(entity)…")
            return [.undoQueuePurge(entity: entity)]
        }
    }

    mutating func handleRequeueKey(_ d: RequeueDialog, _ key: Key) -> [Effect] {
        var dialog = d
        if key == .escape { modal = nil; return [] }
        switch dialog.step {
        case .choose:
            switch key {
            case .up, .char("k"): dialog.choice = max(0, dialog.choice - 1)
            case .down, .char("j"): dialog.choice = min(dialog.scopes.count - 1, dialog.choice + 1)
            case .enter:
                dialog.error = nil
                switch dialog.scopes[dialog.choice] {
                case .selection: return previewRequeue(&dialog, .sequenceNumbers(dialog.selected))
                case .all: return previewRequeue(&dialog, .all)
                case .reason:
                    dialog.input = TextInput(suggestedReason(dialog))
                    dialog.step = .value
                case .property, .body:
                    dialog.input = TextInput()
                    dialog.step = .value
                }
            default: break
            }
        case .value:
            if key == .enter {
                let text = dialog.input.text.trimmingWhitespace()
                guard let selection = Self.requeueSelection(dialog.scopes[dialog.choice], text: text) else {
                    dialog.error = dialog.scopes[dialog.choice] == .property ? "expected name=value" : "type a value, Esc cancels"
                    break
                }
                dialog.error = nil
                return previewRequeue(&dialog, selection)
            }
            _ = dialog.input.handle(key)
        case .target:
            if key == .enter, let selection = dialog.selection {
                dialog.target.set(dialog.target.text.trimmingWhitespace())
                return previewRequeue(&dialog, selection)
            }
            _ = dialog.target.handle(key)
        case .previewing:
            break
        case .review(let preview):
            switch key {
            case .enter, .char("y"), .char("Y"):
                modal = nil
                guard canRequeue else { return [] }
                guard !preview.sequenceNumbers.isEmpty else { show("nothing to requeue"); return [] }
                show("requeueing \(preview.sequenceNumbers.count) message(s) to \(preview.target)…")
                // Exactly the previewed messages: one dead-lettered since the preview stays put.
                return [.requeue(RequeueRequest(entity: preview.entity, selection: .sequenceNumbers(preview.sequenceNumbers),
                                                target: dialog.request?.target))]
            case .char("t"):
                dialog.step = .target
            case .char("n"), .char("N"):
                modal = nil
                return []
            case .backspace:
                dialog.step = .choose
            default: break
            }
        }
        modal = .queue(.requeue(dialog))
        return []
    }

    mutating func previewRequeue(_ dialog: inout RequeueDialog, _ selection: DeadLetterSelection) -> [Effect] {
        dialog.selection = selection
        dialog.step = .previewing
        modal = .queue(.requeue(dialog))
        return dialog.request.map { [.previewRequeue($0)] } ?? []
    }

    /// The reason to offer first: the message under the cursor's, else the entity's top reason.
    func suggestedReason(_ dialog: RequeueDialog) -> String {
        if let r = selectedDeadLetterMessage()?.reason { return r }
        return snapshot.deadLetter(named: dialog.entity)?.topReasons.first?.reason ?? ""
    }

    static func requeueSelection(_ scope: RequeueDialog.Scope, text: String) -> DeadLetterSelection? {
        guard !text.isEmpty else { return nil }
        switch scope {
        case .reason: return .reason(text)
        case .body: return .bodyContains(text)
        case .property:
            guard let pair = KeyValueText(parsing: text, trimmingWhitespace: true) else { return nil }
            return .property(name: pair.key, value: pair.value)
        case .selection, .all: return nil
        }
    }
}
