/// Rows of the Queues, Dead letters and dead-letter browser views, filtered and sorted, as
/// indices (into the snapshot's lists or the browser's page). Update and render share them.
extension DashboardState {
    func queueRows(_ frame: ViewFrame) -> [Int] {
        let queues = snapshot.queues ?? []
        let filtered = queues.indices.filter { DashboardState.matches(queues[$0].name, filter: frame.filter) }
        let asc = frame.ascending
        switch frame.sortColumn {
        case 1: return Self.sorted(filtered, ascending: asc) { queues[$0].active }
        case 2: return Self.sorted(filtered, ascending: asc) { queues[$0].locked }
        case 3: return Self.sorted(filtered, ascending: asc) { queues[$0].deferred }
        case 4: return Self.sorted(filtered, ascending: asc) { queues[$0].scheduled }
        case 5: return Self.sorted(filtered, ascending: asc) { queues[$0].deadLettered }
        case 6: return Self.sorted(filtered, ascending: asc) { queues[$0].sizeBytes }
        case 7: return Self.sorted(filtered, ascending: asc) { queues[$0].oldestAgeMs ?? -1 }
        default: return Self.sorted(filtered, ascending: asc) { queues[$0].name }
        }
    }

    func deadLetterRows(_ frame: ViewFrame) -> [Int] {
        let dls = snapshot.deadLetters ?? []
        let filtered = dls.indices.filter {
            DashboardState.matches(dls[$0].entity + " " + dls[$0].topReasons.map(\.reason).joined(separator: " "), filter: frame.filter)
        }
        let asc = frame.ascending
        switch frame.sortColumn {
        case 2: return Self.sorted(filtered, ascending: asc) { dls[$0].count }
        case 3: return Self.sorted(filtered, ascending: asc) { dls[$0].oldestAgeMs ?? -1 }
        case 4: return Self.sorted(filtered, ascending: asc) { metrics.queues.growthPerMinute(dls[$0].entity) ?? 0 }
        default: return Self.sorted(filtered, ascending: asc) { dls[$0].entity }
        }
    }

    /// The browser's messages in sequence order; `/` matches reason, description, message id,
    /// properties and body text.
    func deadLetterMessageRows(_ frame: ViewFrame) -> [Int] {
        let rows = deadLetterBrowser.rows
        guard !frame.filter.isEmpty else { return Array(rows.indices) }
        return rows.indices.filter { i in
            let r = rows[i]
            var text = "\(r.sequenceNumber) \(r.messageId) \(r.reason ?? "") \(r.errorDescription ?? "") "
            for (k, v) in r.properties { text += "\(k)=\(v) " }
            text += RecordFormatter.text(r.body)
            return DashboardState.matches(text, filter: frame.filter)
        }
    }

    func selectedQueue() -> QueueSnapshot? {
        guard case .queues = current.id else { return nil }
        let rows = queueRows(current)
        return current.selected < rows.count ? snapshot.queues?[rows[current.selected]] : nil
    }

    func selectedDeadLetter() -> DeadLetterSnapshot? {
        guard case .deadLetters = current.id else { return nil }
        let rows = deadLetterRows(current)
        return current.selected < rows.count ? snapshot.deadLetters?[rows[current.selected]] : nil
    }

    func selectedDeadLetterMessage() -> DeadLetterMessageRow? {
        guard case .deadLetterMessages = current.id else { return nil }
        let rows = deadLetterMessageRows(current)
        return current.selected < rows.count ? deadLetterBrowser.rows[rows[current.selected]] : nil
    }
}
