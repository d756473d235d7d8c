/// The `:` command palette: commands, completion of topic and group names, execution.
extension DashboardState {
    static let paletteCommands = ["overview", "topics", "groups", "topic ", "group ", "records ", "queues", "dlq", "dlq ", "outbox", "streams", "audit", "help", "quit"]

    /// Completions for what has been typed: command names, then topic or group names.
    public func paletteCandidates(_ typed: String) -> [String] {
        let text = typed.lowercased()
        guard let space = text.firstIndex(of: " ") else {
            return Self.paletteCommands.filter { $0.hasPrefix(text) }
        }
        let command = String(text[..<space])
        let arg = String(typed[typed.index(after: space)...])
        let names: [String]
        switch command {
        case "topic", "records": names = snapshot.topics.map(\.name)
        case "group": names = snapshot.groups.map(\.name)
        case "dlq": names = (snapshot.deadLetters ?? []).map(\.entity)
        default: return []
        }
        let lowerArg = arg.lowercased()
        return names.filter { $0.lowercased().hasPrefix(lowerArg) }.sorted().prefix(50).map { command + " " + $0 }
    }

    mutating func handlePaletteKey(_ p: PaletteState, _ key: Key) -> [Effect] {
        var palette = p
        let candidates = paletteCandidates(palette.input.text)
        switch key {
        case .escape:
            modal = nil
            return []
        case .tab, .right where palette.input.cursor == palette.input.text.count:
            if let pick = candidates.isEmpty ? nil : candidates[min(palette.selected, candidates.count - 1)] {
                palette.input.set(Self.commonPrefix(candidates, typed: palette.input.text, pick: pick))
                palette.selected = 0
            }
        case .up:
            palette.selected = max(0, palette.selected - 1)
        case .down:
            palette.selected = min(max(0, candidates.count - 1), palette.selected + 1)
        case .enter:
            let typed = palette.input.text.trimmingWhitespace()
            if let effects = runCommand(typed) { return effects }
            if !candidates.isEmpty {
                let pick = candidates[min(palette.selected, candidates.count - 1)]
                if pick.hasSuffix(" ") {
                    palette.input.set(pick)
                    palette.selected = 0
                } else if let effects = runCommand(pick) {
                    return effects
                }
            } else {
                show("unknown command: \(typed)", error: true)
                modal = nil
                return []
            }
        default:
            if palette.input.handle(key) { palette.selected = 0 }
        }
        modal = .palette(palette)
        return []
    }

    /// Tab with one candidate completes it; with several, completes their common prefix, or
    /// the highlighted one when the prefix is already typed.
    static func commonPrefix(_ candidates: [String], typed: String, pick: String) -> String {
        guard candidates.count > 1 else { return pick }
        var prefix = Array(candidates[0])
        for c in candidates.dropFirst() {
            let chars = Array(c)
            var n = 0
            while n < min(prefix.count, chars.count) && prefix[n] == chars[n] { n += 1 }
            prefix = Array(prefix[0..<n])
        }
        let p = String(prefix)
        return p.count > typed.count ? p : pick
    }

    /// Runs a complete command; nil when `text` is not one (so the palette stays open).
    mutating func runCommand(_ text: String) -> [Effect]? {
        let parts = text.split(separator: " ", maxSplits: 1).map(String.init)
        guard let command = parts.first?.lowercased() else { return nil }
        let arg = parts.count > 1 ? parts[1].trimmingWhitespace() : ""
        switch (command, arg.isEmpty) {
        case ("overview", true): navigate(to: [.overview])
        case ("topics", true): navigate(to: [.overview, .topics])
        case ("groups", true): navigate(to: [.overview, .groups])
        case ("outbox", true), ("outboxes", true): navigate(to: [.overview, .outbox])
        case ("streams", true): navigate(to: [.overview, .streams])
        case ("brokers", true): navigate(to: [.overview, .brokers])
        case ("audit", true): return openAudit()
        case ("help", true): modal = .help
        case ("queues", true): navigate(to: [.overview, .queues])
        case ("dlq", true): navigate(to: [.overview, .deadLetters])
        case ("dlq", false):
            guard snapshot.deadLetter(named: arg) != nil else { return nil }
            navigate(to: [.overview, .deadLetters])
            return openDeadLetterBrowser(arg)
        case ("quit", true), ("q", true):
            modal = nil
            quitRequested = true
            return [.quit]
        case ("topic", false):
            guard snapshot.topic(named: arg) != nil else { return nil }
            navigate(to: [.overview, .topics, .topicDetail(arg)])
        case ("group", false):
            guard snapshot.group(named: arg) != nil else { return nil }
            navigate(to: [.overview, .groups, .groupDetail(arg)])
        case ("records", false):
            var topicName = arg
            var partition: Int32 = 0
            if snapshot.topic(named: arg) == nil, let space = arg.lastIndex(of: " "),
               let p = Int32(arg[arg.index(after: space)...]) {
                topicName = String(arg[..<space])
                partition = p
            }
            guard let topic = snapshot.topic(named: topicName) else { return nil }
            navigate(to: [.overview, .topics, .topicDetail(topicName)])
            let part = topic.partitions.first { $0.partition == partition }
            let from = part.map { max($0.logStart, $0.logEnd - Int64(RecordsState.pageSize)) } ?? 0
            return openRecords(topic: topicName, partition: partition, from: .offset(from))
        default:
            return nil
        }
        if case .palette? = modal { modal = nil }
        return []
    }
}
