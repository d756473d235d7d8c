/// The Streams & projections view: its rows, keys and the two dangerous dialogs (rebuild a
/// projection, replay parked events). Both effects leave only from a confirm step, and the
/// dialogs open only with the capability and outside read-only.
extension DashboardState {
    public var canReplayParked: Bool { !readOnly && capabilities.contains(.replayParked) }
    public var canRebuildProjection: Bool { !readOnly && capabilities.contains(.rebuildProjection) }

    /// Readers (projections, then persistent, then catch-up subscriptions, by name) matching the filter.
    func readerRows(_ frame: ViewFrame) -> [Int] {
        guard let readers = snapshot.events?.readers else { return [] }
        let filtered = readers.indices.filter { DashboardState.matches(readers[$0].name + " " + readers[$0].source, filter: frame.filter) }
        return filtered.sorted { (readers[$0].kind, readers[$0].name, $0) < (readers[$1].kind, readers[$1].name, $1) }
    }

    func selectedReader() -> EventReaderSnapshot? {
        guard case .streams = current.id, let readers = snapshot.events?.readers else { return nil }
        let rows = readerRows(current)
        return current.selected < rows.count ? readers[rows[current.selected]] : nil
    }

    mutating func handleStreamsKey(_ key: Key) -> [Effect] {
        switch key {
        case .char("b"):
            guard canRebuildProjection else { return refuse("rebuild projections") }
            guard let r = selectedReader(), r.kind == .projection else {
                show("select a projection to rebuild", error: true)
                return []
            }
            guard r.rebuildable else {
                show("\(r.name) is not running in this process: use wharf projection rebuild", error: true)
                return []
            }
            modal = .rebuildProjection(RebuildDialog(projection: r.name, source: r.source, database: r.database,
                                                     processed: r.processed ?? 0, head: r.head ?? 0))
        case .char("r"):
            guard canReplayParked else { return refuse("replay parked events") }
            guard let r = selectedReader(), r.kind == .persistent, let group = r.group else {
                show("select a persistent subscription to replay its parked events", error: true)
                return []
            }
            guard r.parked > 0 else {
                show("\(r.name) has no parked events")
                return []
            }
            modal = .replayParked(ReplayParkedDialog(group: group, source: r.source, parked: r.parked))
        default:
            break
        }
        return []
    }

    mutating func handleRebuildKey(_ d: RebuildDialog, _ key: Key) -> [Effect] {
        var dialog = d
        switch key {
        case .escape:
            modal = nil
            return []
        case .enter:
            guard dialog.confirmation.text == dialog.projection else {
                dialog.error = "type \(dialog.projection) to confirm, Esc to cancel"
                modal = .rebuildProjection(dialog)
                return []
            }
            modal = nil
            guard canRebuildProjection else { return [] }
            show("rebuilding \(dialog.projection): replaying \(Format.count(Int64(dialog.head))) events")
            return [.rebuildProjection(name: dialog.projection)]
        default:
            if dialog.confirmation.handle(key) { dialog.error = nil }
            modal = .rebuildProjection(dialog)
            return []
        }
    }

    mutating func handleReplayParkedKey(_ d: ReplayParkedDialog, _ key: Key) -> [Effect] {
        modal = nil
        guard key == .char("y") || key == .char("Y"), canReplayParked else { return [] }
        show("replaying \(d.parked) parked event(s) to \(d.group)")
        return [.replayParked(group: d.group, source: d.source)]
    }

    func streamsHints() -> [KeyHint] {
        var hints = [KeyHint("/", "filter")]
        if canRebuildProjection { hints.append(KeyHint("b", "rebuild", dangerous: true)) }
        if canReplayParked { hints.append(KeyHint("r", "replay parked", dangerous: true)) }
        return hints
    }

    func streamsHelp() -> [KeyHint] {
        var view = [KeyHint("/", "filter subscriptions and projections")]
        if canRebuildProjection { view.append(KeyHint("b", "rebuild the selected projection (preview first)", dangerous: true)) }
        if canReplayParked { view.append(KeyHint("r", "replay the selected subscription's parked events", dangerous: true)) }
        return view
    }
}
