/// Elm-style entry points: `update` changes the state and returns effects; `render` draws it.
public enum Dashboard {
    public static func update(_ state: inout DashboardState, _ action: Action) -> [Effect] {
        state.update(action)
    }

    public static func render(_ state: DashboardState, width: Int, height: Int) -> Canvas {
        var canvas = Canvas(width: width, height: height)
        DashboardRenderer.render(state, into: &canvas)
        return canvas
    }

    /// Renders into an existing canvas (resized if needed), reusing its storage.
    public static func render(_ state: DashboardState, into canvas: inout Canvas, width: Int, height: Int) {
        canvas.reset(width: width, height: height)
        DashboardRenderer.render(state, into: &canvas)
    }
}

/// Refresh intervals `+`/`-` step through.
let refreshSteps = [250, 500, 1000, 2000, 5000, 10_000]

extension DashboardState {
    /// Applies one action. Pure: the only way out is the returned effects.
    public mutating func update(_ action: Action) -> [Effect] {
        switch action {
        case .key(let key):
            return handleKey(key)
        case .tick(let snap):
            guard !paused else { return [] }
            snapshot = snap
            metrics.ingest(snap)
            eventRates.ingest(snap)
            ticksSeen += 1
            if let s = status, ticksSeen > s.untilTick { status = nil }
            clampSelections()
            return refreshDeadLetterBrowserIfStale()
        case .resize(let w, let h):
            width = max(0, w)
            height = max(0, h)
            clampSelections()
            return []
        case .resetPreviewed(let group, let rows):
            guard case .reset(var dialog)? = modal, dialog.group == group,
                  case .previewing(let pending) = dialog.step else { return [] }
            dialog.rows.append(contentsOf: rows)
            if pending <= 1 {
                dialog.rows.sort { ($0.topic, $0.partition) < ($1.topic, $1.partition) }
                dialog.step = .review
            } else {
                dialog.step = .previewing(pending: pending - 1)
            }
            modal = .reset(dialog)
            return []
        case .recordsLoaded(let rows):
            records.rows = rows
            records.loading = false
            if case .records = current.id { current.selected = 0; current.scroll = 0 }
            return []
        case .deadLettersLoaded(let entity, let rows):
            deadLettersLoaded(entity: entity, rows: rows)
            return []
        case .requeuePreviewed(let preview):
            requeuePreviewed(preview)
            return []
        case .queueEntityChanged(let entity, let message):
            return queueEntityChanged(entity: entity, message: message)
        case .operationSucceeded(let text):
            show(text)
            return []
        case .outboxRowsLoaded(let outbox, let rows):
            outboxRowsLoaded(outbox: outbox, rows: rows)
            return []
        case .traceLoaded(let loaded):
            trace = loaded
            return []
        case .auditLoaded(let entries, let message):
            auditEntries = entries
            auditLoading = false
            if let message { show(message) }
            clampSelections()
            return []
        case .operationFailed(let text):
            if case .reset(var dialog)? = modal, case .previewing = dialog.step {
                dialog.step = .choose
                dialog.error = text
                modal = .reset(dialog)
            }
            records.loading = false
            queueOperationFailed(text)
            show(text, error: true)
            return []
        }
    }

    mutating func clampSelections() {
        for i in stack.indices {
            let count = rowCount(stack[i])
            stack[i].selected = max(0, min(stack[i].selected, count - 1))
        }
    }

    mutating func handleKey(_ key: Key) -> [Effect] {
        if key == .ctrl("c") { quitRequested = true; return [.quit] }
        if let modal { return handleModalKey(modal, key) }
        switch key {
        case .char("q"):
            quitRequested = true
            return [.quit]
        case .char(":"):
            modal = .palette(PaletteState())
        case .char("/"):
            if current.id.filterable { modal = .filter(input: TextInput(current.filter), previous: current.filter) }
        case .char("?"):
            modal = .help
        case .char("p"):
            paused.toggle()
            show(paused ? "paused: press p to resume" : "resumed")
        case .char("+"), .char("="):
            return changeRefresh(faster: true)
        case .char("-"), .char("_"):
            return changeRefresh(faster: false)
        case .escape:
            if !current.filter.isEmpty {
                current.filter = ""
                current.selected = 0
            } else if stack.count > 1 {
                stack.removeLast()
            }
        case .up, .char("k"): move(by: -1)
        case .down, .char("j"): move(by: 1)
        case .pageUp, .ctrl("b"): move(by: -pageRows)
        case .pageDown, .ctrl("f"): move(by: pageRows)
        case .home, .char("g"): move(by: Int.min / 2)
        case .end, .char("G"): move(by: Int.max / 2)
        case .enter, .right, .char("l"):
            return drillDown()
        case .left, .char("h"):
            if stack.count > 1 { stack.removeLast() }
        case .char("1"): navigate(to: [.overview])
        case .char("2"): navigate(to: [.overview, .topics])
        case .char("3"): navigate(to: [.overview, .groups])
        case .char("4"): navigate(to: [.overview, .queues])
        case .char("5"): navigate(to: [.overview, .deadLetters])
        case .char("6"): navigate(to: [.overview, .outbox])
        case .char("7"): navigate(to: [.overview, .streams])
        case .char("8"): navigate(to: [.overview, .brokers])
        case .char(let c) where current.id.sortKeys.contains(where: { $0.key == c }):
            sort(by: c)
        default:
            return handleViewKey(key)
        }
        return []
    }

    /// Keys that only mean something in one view.
    mutating func handleViewKey(_ key: Key) -> [Effect] {
        if let effects = handleQueueViewKey(key) { return effects }
        switch (current.id, key) {
        case (.topics, .char("x")):
            guard let topic = selectedTopic() else { return [] }
            openPurge(topic: topic, partitions: topic.partitions.map(\.partition))
        case (.topics, .char("n")), (.topicDetail, .char("n")):
            return openCreateTopic()
        case (.topics, .char("D")):
            guard let topic = selectedTopic() else { return [] }
            return openDeleteTopic(topic)
        case (.topicDetail(let name), .char("D")):
            guard let topic = snapshot.topic(named: name) else { return [] }
            return openDeleteTopic(topic)
        case (.topicDetail(let name), .char("x")):
            guard let topic = snapshot.topic(named: name), let p = selectedTopicPartition() else { return [] }
            openPurge(topic: topic, partitions: [p.partition])
        case (.groups, .char("r")), (.overview, .char("r")):
            guard let group = selectedGroup() else { return [] }
            openReset(group: group, only: [])
        case (.groupDetail(let name), .char("r")):
            guard let group = snapshot.group(named: name) else { return [] }
            openReset(group: group, only: marked.filter { ref in group.partitions.contains { $0.ref == ref } })
        case (.overview, .char("i")):
            showInternalTopics.toggle()
            show(showInternalTopics ? "internal topics shown: i hides them" : "internal topics hidden: i shows them")
        case (.groups, .char("u")), (.groupDetail, .char("u")), (.overview, .char("u")):
            guard canUndo else { return refuse("undo") }
            modal = .confirmUndo
        case (.groupDetail(let name), .char(" ")):
            guard let group = snapshot.group(named: name) else { return [] }
            let rows = groupDetailRows(current, group: group)
            guard current.selected < rows.count else { return [] }
            let ref = group.partitions[rows[current.selected]].ref
            if marked.remove(ref) == nil { marked.insert(ref) }
            move(by: 1)
        case (.outbox, .char(" ")), (.outbox, .char("r")):
            return handleOutboxKey(key)
        case (.streams, _):
            return handleStreamsKey(key)
        case (.audit, _):
            return handleAuditKey(key)
        case (.outboxRows, _):
            return handleOutboxRowsKey(key)
        case (.records, .char("t")):
            return openTrace()
        case (.records, .char("v")):
            records.mode = records.mode.next
        case (.records, .char("o")):
            modal = .seek(TextInput())
        case (.records, .char("n")):
            guard let last = records.rows.last else { return [] }
            return loadRecords(from: .offset(last.offset + 1))
        case (.records, .char("b")):
            guard let first = records.rows.first else { return [] }
            return loadRecords(from: .offset(max(0, first.offset - Int64(RecordsState.pageSize))))
        default:
            break
        }
        return []
    }

    mutating func refuse(_ what: String) -> [Effect] {
        show(readOnly ? "read-only: \(what) is disabled" : "this source cannot \(what)", error: true)
        return []
    }

    mutating func changeRefresh(faster: Bool) -> [Effect] {
        let index = refreshSteps.firstIndex { $0 >= refreshMs } ?? refreshSteps.count - 1
        let next = faster ? max(0, index - 1) : min(refreshSteps.count - 1, index + 1)
        refreshMs = refreshSteps[next]
        show("refresh every \(Format.duration(ms: Int64(refreshMs)))")
        return [.setRefresh(ms: refreshMs)]
    }

    mutating func move(by delta: Int) {
        let count = rowCount(current)
        guard count > 0 else { current.selected = 0; return }
        let target = delta > 0 ? min(count - 1, current.selected + min(delta, count)) : max(0, current.selected + max(delta, -count))
        current.selected = target
        current.scroll = TableWidget.clampScroll(current.scroll, selected: target, rowCount: count, visibleRows: pageRows)
    }

    mutating func sort(by key: Character) {
        guard let spec = current.id.sortKeys.first(where: { $0.key == key }) else { return }
        if current.sortColumn == spec.column {
            current.ascending.toggle()
        } else {
            current.sortColumn = spec.column
            current.ascending = !spec.numeric
        }
        current.selected = 0
        current.scroll = 0
    }

    mutating func navigate(to ids: [ViewID]) {
        stack = ids.map(ViewFrame.init)
        modal = nil
    }

    mutating func push(_ id: ViewID) {
        stack.append(ViewFrame(id))
    }

    func selectedTopic() -> TopicSnapshot? {
        let rows = topicRows(current)
        return current.selected < rows.count ? snapshot.topics[rows[current.selected]] : nil
    }

    func selectedGroup() -> GroupSnapshot? {
        switch current.id {
        case .groups:
            let rows = groupRows(current)
            return current.selected < rows.count ? snapshot.groups[rows[current.selected]] : nil
        case .overview:
            let rows = worstGroups(limit: Self.overviewGroupLimit)
            return current.selected < rows.count ? snapshot.groups[rows[current.selected]] : nil
        default:
            return nil
        }
    }

    func selectedTopicPartition() -> PartitionSnapshot? {
        guard case .topicDetail(let name) = current.id, let topic = snapshot.topic(named: name) else { return nil }
        let rows = topicDetailRows(current, topic: topic)
        return current.selected < rows.count ? topic.partitions[rows[current.selected]] : nil
    }

    mutating func drillDown() -> [Effect] {
        switch current.id {
        case .overview, .groups:
            if let g = selectedGroup() { push(.groupDetail(g.name)) }
        case .topics:
            if let t = selectedTopic() { push(.topicDetail(t.name)) }
        case .topicDetail(let name):
            guard let p = selectedTopicPartition() else { return [] }
            let from = max(p.logStart, p.logEnd - Int64(RecordsState.pageSize))
            return openRecords(topic: name, partition: p.partition, from: .offset(from))
        case .groupDetail(let name):
            guard let group = snapshot.group(named: name) else { return [] }
            let rows = groupDetailRows(current, group: group)
            guard current.selected < rows.count else { return [] }
            let gp = group.partitions[rows[current.selected]]
            // Start where the group will read next: the first unconsumed record.
            return openRecords(topic: gp.topic, partition: gp.partition, from: .offset(gp.committed ?? 0))
        case .outbox:
            return openOutboxRows()
        case .records, .outboxRows, .streams, .brokers, .audit, .trace:
            break
        case .queues, .deadLetters, .deadLetterMessages:
            return drillDownQueues()
        }
        return []
    }

    mutating func openRecords(topic: String, partition: Int32, from start: RecordStart) -> [Effect] {
        guard canBrowse else { return refuse("read records") }
        if case .records = current.id { stack.removeLast() }
        push(.records(topic: topic, partition: partition))
        records = RecordsState(topic: topic, partition: partition, start: start, rows: [], mode: records.mode, loading: true)
        return [.loadRecords(topic: topic, partition: partition, from: start, max: RecordsState.pageSize)]
    }

    mutating func loadRecords(from start: RecordStart) -> [Effect] {
        records.start = start
        records.loading = true
        return [.loadRecords(topic: records.topic, partition: records.partition, from: start, max: RecordsState.pageSize)]
    }
}
