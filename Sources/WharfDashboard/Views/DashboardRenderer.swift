/// Draws a whole screen: header, breadcrumbs (with filter and status), the current view,
/// the footer, and any dialog on top. Layout at height h: row 0 header, row 1 breadcrumbs,
/// rows 2..<h-1 the view, row h-1 footer; smaller screens keep what fits, top first.
public enum DashboardRenderer {
    public static func render(_ state: DashboardState, into canvas: inout Canvas) {
        let area = canvas.bounds
        guard !area.isEmpty else { return }
        let (headerRow, afterHeader) = area.splitTop(1)
        renderHeader(state, into: &canvas, rect: headerRow)
        guard !afterHeader.isEmpty else { return }
        let (crumbRow, afterCrumbs) = afterHeader.splitTop(1)
        renderCrumbs(state, into: &canvas, rect: crumbRow)
        guard !afterCrumbs.isEmpty else { return }
        let (body, footer) = afterCrumbs.height >= 2 ? afterCrumbs.splitBottom(1) : (afterCrumbs, Rect.zero)
        renderView(state, into: &canvas, rect: body)
        FooterHints.render(into: &canvas, rect: footer, hints: state.footerHints())
        renderModal(state, into: &canvas, rect: body)
    }

    static func renderHeader(_ state: DashboardState, into canvas: inout Canvas, rect: Rect) {
        let snap = state.snapshot
        var segments = [HeaderBar.Segment("Wharf", role: .headerAccent), HeaderBar.Segment(snap.source)]
        if let problem = snap.sourceProblem { segments.append(HeaderBar.Segment(problem.badge, role: .messageError)) }
        segments += snap.listeners.map { HeaderBar.Segment("\($0.name): \($0.state)") }
        if state.readOnly { segments.append(HeaderBar.Segment("read-only", role: .headerAccent)) }
        segments.append(state.paused ? HeaderBar.Segment("PAUSED", role: .headerAccent)
                                     : HeaderBar.Segment("every " + Format.duration(ms: Int64(state.refreshMs))))
        let clock = snap.timeMs > 0 ? Format.clock(ms: snap.timeMs) + " UTC" : "--:--:--"
        HeaderBar.render(into: &canvas, rect: rect, segments: segments, right: clock)
    }

    /// The status line's mark while effects run.
    public static let workingIndicator = "working…"

    static func renderCrumbs(_ state: DashboardState, into canvas: inout Canvas, rect: Rect) {
        canvas.fill(rect, role: .base)
        let used = Breadcrumbs.render(into: &canvas, rect: rect, path: state.stack.map(\.id.title))
        var x = rect.x + used + 2
        if case .filter(let input, _)? = state.modal {
            let room = rect.maxX - x
            if room >= 8 {
                input.render(into: &canvas, rect: Rect(x: x, y: rect.y, width: min(room, 40), height: 1), prompt: "/")
                x += min(room, 40) + 1
            }
        } else if !state.current.filter.isEmpty {
            x += canvas.write(" /" + state.current.filter + " ", x: x, y: rect.y, maxWidth: max(0, rect.maxX - x), role: .filter)
            x += 1
        }
        // A transient status wins for its few ticks; otherwise an unreachable source says why, until it answers.
        var status = state.status ?? state.snapshot.sourceProblem.map({ StatusMessage(text: $0.text, isError: true, untilTick: 0) })
        // An effect still running says so first (the keys keep working meanwhile).
        if state.pendingEffects > 0 {
            let working = Self.workingIndicator + (state.pendingEffects > 1 ? " (\(state.pendingEffects))" : "")
            status = StatusMessage(text: working + (status.map { " · " + $0.text } ?? ""), isError: status?.isError ?? false, untilTick: 0)
        }
        if let status {
            let room = rect.maxX - x - 1
            guard room >= 6 else { return }
            let text = DisplayWidth.truncate(status.text, to: room)
            canvas.write(text, x: rect.maxX - DisplayWidth.of(text) - 1, y: rect.y, role: status.isError ? .messageError : .message)
        }
    }

    static func renderView(_ state: DashboardState, into canvas: inout Canvas, rect: Rect) {
        guard !rect.isEmpty else { return }
        canvas.fill(rect, role: .base)
        switch state.current.id {
        case .overview: OverviewView.render(state, into: &canvas, rect: rect)
        case .topics: TopicsView.render(state, into: &canvas, rect: rect)
        case .topicDetail(let name): TopicDetailView.render(state, topic: name, into: &canvas, rect: rect)
        case .groups: GroupsView.render(state, into: &canvas, rect: rect)
        case .groupDetail(let name): GroupDetailView.render(state, group: name, into: &canvas, rect: rect)
        case .records: RecordsView.render(state, into: &canvas, rect: rect)
        case .queues: QueuesView.render(state, into: &canvas, rect: rect)
        case .deadLetters: DeadLettersView.render(state, into: &canvas, rect: rect)
        case .deadLetterMessages(let entity): DeadLetterMessagesView.render(state, entity: entity, into: &canvas, rect: rect)
        case .outbox: OutboxView.render(state, into: &canvas, rect: rect)
        case .outboxRows(let outbox): OutboxRowsView.render(state, outbox: outbox, into: &canvas, rect: rect)
        case .streams: StreamsView.render(state, into: &canvas, rect: rect)
        case .brokers: BrokersView.render(state, into: &canvas, rect: rect)
        case .audit: AuditView.render(state, into: &canvas, rect: rect)
        case .trace(let query): TraceView.render(state, query: query, into: &canvas, rect: rect)
        }
    }

    static func renderModal(_ state: DashboardState, into canvas: inout Canvas, rect: Rect) {
        guard let modal = state.modal, !rect.isEmpty else { return }
        switch modal {
        case .help:
            HelpOverlay.render(into: &canvas, in: rect, sections: state.helpSections())
        case .palette(let p):
            CommandPaletteView.render(into: &canvas, in: rect, input: p.input, candidates: state.paletteCandidates(p.input.text),
                                      selected: p.selected)
        case .filter:
            break   // drawn in the breadcrumb row
        case .reset(let d):
            DialogViews.renderReset(d, into: &canvas, rect: rect)
        case .purge(let d):
            DialogViews.renderPurge(d, into: &canvas, rect: rect)
        case .createTopic(let d):
            TopicDialogViews.renderCreate(d, into: &canvas, rect: rect)
        case .deleteTopic(let d):
            TopicDialogViews.renderDelete(d, into: &canvas, rect: rect)
        case .confirmUndo:
            let inner = ModalDialog.render(into: &canvas, in: rect, width: 50, height: 5, title: "Undo reset", dangerous: true)
            ModalDialog.lines([("Restore the offsets saved before the", .dialog),
                               ("last reset?   y = undo   n / Esc = keep", .dialog)], into: &canvas, rect: inner)
        case .queue(let m):
            QueueDialogViews.render(m, into: &canvas, rect: rect)
        case .confirmRetryDead(let outbox, let dead):
            OutboxView.renderConfirmRetry(outbox: outbox, dead: dead, into: &canvas, rect: rect)
        case .rebuildProjection(let d):
            EventDialogViews.renderRebuild(d, into: &canvas, rect: rect)
        case .replayParked(let d):
            EventDialogViews.renderReplayParked(d, into: &canvas, rect: rect)
        case .confirmAuditUndo(let entry):
            AuditView.renderConfirmUndo(entry, into: &canvas, rect: rect)
        case .seek(let input):
            let inner = ModalDialog.render(into: &canvas, in: rect, width: 56, height: 5, title: "Seek")
            ModalDialog.lines([("Offset, or UTC date-time (2026-11-26 15:04:05):", .dialog)], into: &canvas, rect: inner)
            input.render(into: &canvas, rect: inner.row(1))
        }
    }
}
