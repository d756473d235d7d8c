import Testing
@testable import WharfDashboard

@Suite("Queues and Dead letters views: render and update")
struct QueueViewTests {
    static let sizes = [(80, 24), (140, 40)]
    static let dlq = "emails/$deadletterqueue"

    static func screen(_ name: String, _ w: Int, _ h: Int, readOnly: Bool = false, setup: (inout DashboardState) -> Void) {
        var state = QueueFixture.state(width: w, height: h, readOnly: readOnly)
        setup(&state)
        let canvas = Dashboard.render(state, width: w, height: h)
        for y in 0..<h { #expect(DisplayWidth.of(canvas.line(y)) == w, "row \(y) of \(name) is misaligned") }
        assertSnapshot(canvas, named: "\(name)-\(w)x\(h)")
    }

    // MARK: render

    @Test("queues", arguments: sizes)
    func queues(size: (Int, Int)) {
        Self.screen("queues", size.0, size.1) { Fixture.press(&$0, [.char("4")]) }
    }

    @Test("dead letters", arguments: sizes)
    func deadLetters(size: (Int, Int)) {
        Self.screen("dead-letters", size.0, size.1) { Fixture.press(&$0, [.char("5")]) }
    }

    @Test("dead-letter browser with marks, body as JSON", arguments: sizes)
    func browser(size: (Int, Int)) {
        Self.screen("dlq-browser", size.0, size.1) { state in
            QueueFixture.openBrowser(&state)
            Fixture.press(&state, [.char(" "), .char(" "), .char("v")])
        }
    }

    @Test("requeue preview dialog")
    func requeuePreview() {
        Self.screen("requeue-preview", 80, 24) { state in
            QueueFixture.openBrowser(&state)
            Fixture.press(&state, [.char(" "), .char(" "), .char("r"), .enter])
            _ = state.update(.requeuePreviewed(RequeuePreview(entity: Self.dlq, target: "emails", sequenceNumbers: [101, 102])))
        }
    }

    @Test("requeue scope choice")
    func requeueChoose() {
        Self.screen("requeue-choose", 80, 24) { Fixture.press(&$0, [.char("5"), .char("r"), .down]) }
    }

    @Test("queue purge dialog")
    func purge() {
        Self.screen("queue-purge", 80, 24) { Fixture.press(&$0, [.char("5"), .char("x")] + Fixture.type("pur")) }
    }

    @Test("dead letters, read-only")
    func readOnlyScreen() {
        Self.screen("dead-letters-read-only", 80, 24, readOnly: true) { Fixture.press(&$0, [.char("5")]) }
    }

    @Test("every screen survives tiny sizes")
    func tiny() {
        for (w, h) in [(0, 0), (1, 1), (10, 3), (30, 6)] {
            for keys: [Key] in [[.char("4")], [.char("5")], [.char("5"), .enter], [.char("5"), .char("r")], [.char("5"), .char("x")]] {
                var state = QueueFixture.state(width: w, height: h)
                Fixture.press(&state, keys)
                _ = state.update(.deadLettersLoaded(entity: Self.dlq, rows: QueueFixture.messages))
                let canvas = Dashboard.render(state, width: w, height: h)
                #expect(canvas.width == w && canvas.height == h)
            }
        }
    }

    // MARK: update

    @Test("4 and 5 and the palette open the views; Enter on a queue opens its dead-letter browser")
    func navigation() {
        var state = QueueFixture.state()
        Fixture.press(&state, [.char("4")])
        #expect(state.current.id == .queues)
        let open = Fixture.press(&state, [.enter])
        #expect(open == [.loadDeadLetters(entity: Self.dlq, max: DeadLetterBrowserState.pageSize)])
        #expect(state.current.id == .deadLetterMessages(Self.dlq))
        Fixture.press(&state, [.char(":")] + Fixture.type("dlq") + [.enter])
        #expect(state.current.id == .deadLetters)
        Fixture.press(&state, [.char(":")] + Fixture.type("queues") + [.enter])
        #expect(state.current.id == .queues)
        let direct = Fixture.press(&state, [.char(":")] + Fixture.type("dlq payments.DLT") + [.enter])
        #expect(direct == [.loadDeadLetters(entity: "payments.DLT", max: DeadLetterBrowserState.pageSize)])
        #expect(state.stack.map(\.id) == [.overview, .deadLetters, .deadLetterMessages("payments.DLT")])
    }

    @Test("queues sort by dead-lettered count (Q, descending first) and filter by name")
    func sortAndFilter() {
        var state = QueueFixture.state()
        Fixture.press(&state, [.char("4"), .char("Q")])
        let names = state.queueRows(state.current).map { state.snapshot.queues![$0].name }
        #expect(names == ["emails", "shipping", "invoices"])
        Fixture.press(&state, [.char("/")] + Fixture.type("ship") + [.enter])
        #expect(state.queueRows(state.current).map { state.snapshot.queues![$0].name } == ["shipping"])
    }

    @Test("growth per minute comes from successive snapshots; trends from the depth history")
    func growth() {
        let state = QueueFixture.state()
        // emails DLQ: +3 per 1 s tick = +180/min; shipping flat.
        #expect(state.metrics.queues.growthPerMinute(Self.dlq) == 180)
        #expect(state.metrics.queues.growthPerMinute("shipping/$deadletterqueue") == 0)
        #expect(Trend.of(state.metrics.queues.depth(queue: "shipping")!.active) == .falling)
        var m = QueueMetrics(historyLength: 10, growthWindowMs: 60_000)
        for (t, n) in [(0, 100), (30_000, 130), (90_000, 10)] as [(Int64, Int64)] {
            m.ingest(ClusterSnapshot(timeMs: t, source: "", deadLetters: [DeadLetterSnapshot(entity: "q/$deadletterqueue", count: n)]))
        }
        // Only samples within the last minute count: 130 -> 10 over 60 s.
        #expect(m.growthPerMinute("q/$deadletterqueue") == -120)
        m.ingest(ClusterSnapshot(timeMs: 100_000, source: "", deadLetters: []))
        #expect(m.growthPerMinute("q/$deadletterqueue") == nil, "entities that disappear are dropped")
    }

    @Test("mark two, requeue the selection: preview first, then exactly the previewed messages; the browser reloads")
    func requeueSelection() {
        var state = QueueFixture.state()
        QueueFixture.openBrowser(&state)
        Fixture.press(&state, [.char(" "), .char("j"), .char(" ")])
        #expect(state.deadLetterBrowser.marked == [101, 103])
        #expect(Fixture.press(&state, [.char("r")]).isEmpty)
        guard case .queue(.requeue(let d))? = state.modal else { Issue.record("no requeue dialog"); return }
        #expect(d.selected == [101, 103] && d.defaultTarget == "emails" && d.scopes.first == .selection)
        let preview = Fixture.press(&state, [.enter])
        #expect(preview == [.previewRequeue(RequeueRequest(entity: Self.dlq, selection: .sequenceNumbers([101, 103])))])
        #expect(!preview.contains { $0.isDangerous })
        _ = state.update(.requeuePreviewed(RequeuePreview(entity: Self.dlq, target: "emails", sequenceNumbers: [101, 103])))
        let lines = Dashboard.render(state, width: 80, height: 24).lines
        #expect(lines.contains { $0.contains("2 message(s) will move") } && lines.contains { $0.contains("to   emails (source)") })
        let go = Fixture.press(&state, [.char("y")])
        #expect(go == [.requeue(RequeueRequest(entity: Self.dlq, selection: .sequenceNumbers([101, 103])))])
        #expect(state.modal == nil)
        let reload = state.update(.queueEntityChanged(entity: Self.dlq, message: "requeued 2 message(s)"))
        #expect(reload == [.loadDeadLetters(entity: Self.dlq, max: DeadLetterBrowserState.pageSize)])
        #expect(state.status?.text == "requeued 2 message(s)")
        _ = state.update(.deadLettersLoaded(entity: Self.dlq, rows: QueueFixture.messages.filter { ![101, 103].contains($0.sequenceNumber) }))
        #expect(state.deadLetterBrowser.marked.isEmpty, "marks of requeued messages are dropped")
    }

    @Test("requeue all messages of a dead-letter queue from the list, to another target")
    func requeueAllToTarget() {
        var state = QueueFixture.state()
        Fixture.press(&state, [.char("5"), .char("r")])
        guard case .queue(.requeue(let d))? = state.modal else { Issue.record("no dialog"); return }
        #expect(d.scopes == [.all, .reason, .property, .body], "no selection scope without a browser selection")
        let preview = Fixture.press(&state, [.enter])
        #expect(preview == [.previewRequeue(RequeueRequest(entity: Self.dlq, selection: .all))])
        _ = state.update(.requeuePreviewed(RequeuePreview(entity: Self.dlq, target: "emails", sequenceNumbers: [1, 2, 3])))
        // t: another target, previewed again before anything moves.
        let again = Fixture.press(&state, [.char("t")] + Fixture.type("emails-retry") + [.enter])
        #expect(again == [.previewRequeue(RequeueRequest(entity: Self.dlq, selection: .all, target: "emails-retry"))])
        _ = state.update(.requeuePreviewed(RequeuePreview(entity: Self.dlq, target: "emails-retry", sequenceNumbers: [1, 2, 3])))
        #expect(Fixture.press(&state, [.enter]) == [.requeue(RequeueRequest(entity: Self.dlq, selection: .sequenceNumbers([1, 2, 3]),
                                                                            target: "emails-retry"))])
    }

    @Test("requeue filtered by reason (suggested), property and body; bad input stays in the dialog")
    func requeueFiltered() {
        var state = QueueFixture.state()
        Fixture.press(&state, [.char("5"), .char("r"), .down, .enter])
        guard case .queue(.requeue(let d))? = state.modal else { Issue.record("no dialog"); return }
        #expect(d.input.text == "InvalidAddress", "the top reason is suggested")
        #expect(Fixture.press(&state, [.enter]) == [.previewRequeue(RequeueRequest(entity: Self.dlq, selection: .reason("InvalidAddress")))])
        Fixture.press(&state, [.escape, .char("r"), .down, .down, .enter])
        #expect(Fixture.press(&state, Fixture.type("template") + [.enter]).isEmpty, "name=value is required")
        guard case .queue(.requeue(let bad))? = state.modal else { Issue.record("dialog closed"); return }
        #expect(bad.error == "expected name=value")
        #expect(Fixture.press(&state, Fixture.type("=receipt") + [.enter])
                == [.previewRequeue(RequeueRequest(entity: Self.dlq, selection: .property(name: "template", value: "receipt")))])
        Fixture.press(&state, [.escape, .char("r"), .down, .down, .down, .enter])
        #expect(Fixture.press(&state, Fixture.type("user7@") + [.enter])
                == [.previewRequeue(RequeueRequest(entity: Self.dlq, selection: .bodyContains("user7@")))])
        // A failed dry run returns to the choice with the error.
        _ = state.update(.operationFailed("unknown queue 'x'"))
        guard case .queue(.requeue(let failed))? = state.modal else { Issue.record("dialog closed"); return }
        #expect(failed.step == .choose && failed.error == "unknown queue 'x'")
    }

    @Test("an empty preview confirms nothing")
    func emptyPreview() {
        var state = QueueFixture.state()
        Fixture.press(&state, [.char("5"), .char("r"), .enter])
        _ = state.update(.requeuePreviewed(RequeuePreview(entity: Self.dlq, target: "emails", sequenceNumbers: [], skipped: [5])))
        #expect(Fixture.press(&state, [.enter]).isEmpty)
        #expect(state.status?.text == "nothing to requeue")
    }

    @Test("purge needs the typed word; undo asks first")
    func purgeAndUndo() {
        var state = QueueFixture.state()
        Fixture.press(&state, [.char("5"), .char("x")])
        guard case .queue(.purge(let d))? = state.modal else { Issue.record("no purge dialog"); return }
        #expect(d.entity == Self.dlq && d.count == 27)
        #expect(Fixture.press(&state, Fixture.type("purg") + [.enter]).isEmpty)
        #expect(Fixture.press(&state, Fixture.type("e") + [.enter]) == [.purgeQueue(entity: Self.dlq)])
        #expect(Fixture.press(&state, [.char("u")]).isEmpty)
        #expect(state.modal == .queue(.confirmUndo(entity: Self.dlq)))
        #expect(Fixture.press(&state, [.char("n")]).isEmpty)
        #expect(Fixture.press(&state, [.char("u"), .char("y")]) == [.undoQueuePurge(entity: Self.dlq)])
        // A queue itself can be purged from the Queues view.
        #expect(Fixture.press(&state, [.char("4"), .char("x")] + Fixture.type("purge") + [.enter]) == [.purgeQueue(entity: "emails")])
        // An empty one cannot.
        Fixture.press(&state, [.char("j"), .char("x")])
        #expect(state.modal == nil && state.status?.text == "invoices is empty: nothing to purge")
    }

    @Test("a dead-letter topic's purge says it cannot be undone, and undo is refused without an effect")
    func topicPurgeHasNoUndo() {
        var state = QueueFixture.state()
        Fixture.press(&state, [.char("5"), .char("j"), .char("j"), .char("x")])
        guard case .queue(.purge(let d))? = state.modal else { Issue.record("no purge dialog"); return }
        #expect(d.entity == "payments.DLT" && !d.restorable)
        let lines = Dashboard.render(state, width: 80, height: 24).lines
        #expect(lines.contains { $0.contains("deleted for good: no undo") }, "\(lines.joined(separator: "\n"))")
        #expect(Fixture.press(&state, Fixture.type("purge") + [.enter]) == [.purgeQueue(entity: "payments.DLT")])
        #expect(Fixture.press(&state, [.char("u")]).isEmpty)
        #expect(state.modal == nil && state.status?.text.contains("cannot be restored") == true)
        // A queue's dead-letter queue keeps its undo.
        Fixture.press(&state, [.char("k"), .char("k"), .char("x")])
        guard case .queue(.purge(let q))? = state.modal else { Issue.record("no purge dialog"); return }
        #expect(q.entity == Self.dlq && q.restorable)
    }

    @Test("read-only: no requeue, purge or undo, and no dangerous hints; browsing still works")
    func readOnly() {
        var state = QueueFixture.state(readOnly: true)
        var effects = Fixture.press(&state, [.char("5"), .char("r"), .char("x"), .char("u"), .enter])
        _ = state.update(.deadLettersLoaded(entity: Self.dlq, rows: QueueFixture.messages))
        effects += Fixture.press(&state, [.char(" "), .char("r"), .enter, .char("y"), .char("x")] + Fixture.type("purge") + [.enter])
        effects += Fixture.press(&state, [.char("u"), .char("y")])
        #expect(effects == [.loadDeadLetters(entity: Self.dlq, max: DeadLetterBrowserState.pageSize)])
        #expect(state.modal == nil)
        #expect(!state.footerHints().contains { $0.dangerous })
        // A source without the capabilities hides them too, even when not read-only.
        var limited = QueueFixture.state(capabilities: [.browseRecords, .browseDeadLetters])
        #expect(Fixture.press(&limited, [.char("5"), .char("r"), .char("x")]).isEmpty && limited.modal == nil)
    }

    @Test("the browser on screen reloads when the entity's count moves, and not otherwise")
    func liveReload() {
        var state = QueueFixture.state()
        QueueFixture.openBrowser(&state)
        var snap = state.snapshot
        snap.timeMs += 1000
        snap.deadLetters![0].count = 27
        #expect(state.update(.tick(snap)).isEmpty, "27 shown, 27 there")
        snap.timeMs += 1000
        snap.deadLetters![0].count = 30
        #expect(state.update(.tick(snap)) == [.loadDeadLetters(entity: Self.dlq, max: DeadLetterBrowserState.pageSize)])
        snap.timeMs += 1000
        #expect(state.update(.tick(snap)).isEmpty, "no second load while one is in flight")
    }

    @Test("dead-letter names and targets: subqueue suffix, topic kind defaults to the original topic")
    func namesAndTargets() {
        #expect(DeadLetterSnapshot.sourceQueue(of: "orders/$deadletterqueue") == "orders")
        #expect(DeadLetterSnapshot(entity: "orders/$deadletterqueue", count: 1).kind == .queue(source: "orders"))
        #expect(DeadLetterKind.topic(originalTopic: "payments").defaultTarget == "payments")
        var state = QueueFixture.state()
        Fixture.press(&state, [.char("5"), .char("j"), .char("j"), .char("r")])
        guard case .queue(.requeue(let d))? = state.modal else { Issue.record("no dialog"); return }
        #expect(d.entity == "payments.DLT" && d.targetLabel == "payments (source)")
        #expect(QueueDialogViews.ranges([1, 2, 3, 7, 9, 10]) == "1-3, 7, 9-10")
        #expect(QueueDialogViews.ranges(Array(stride(from: 1, through: 40, by: 2))).hasSuffix(", …"))
    }

    @Test("the overview's dead-letters line shows the growth per minute")
    func overviewGrowth() {
        let state = QueueFixture.state(width: 120, height: 40)
        let lines = Dashboard.render(state, width: 120, height: 40).lines
        #expect(lines.contains { $0.contains("emails/$deadletterqueue: 27 msgs, +180/min, oldest 1m01s") }, "\(lines.joined(separator: "\n"))")
        #expect(lines.contains { $0.contains("shipping/$deadletterqueue: 4 msgs, oldest 1h00m") })
    }
}
