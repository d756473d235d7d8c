import Foundation
import Testing

/// The real `wharf demo` in a real terminal (tmux), driven with keys as an operator would.
@Suite(.serialized, .endToEnd) struct DashboardTmuxTests {
    /// The LAG column of a group's row in the groups table ("19.4k" -> 19400).
    static func lag(of group: String, in screen: String) -> Int? {
        for line in screen.split(separator: "\n") {
            let cells = line.split(separator: " ", omittingEmptySubsequences: true)
            guard cells.first.map(String.init) == group, cells.count >= 4 else { continue }
            return parseCount(String(cells[3]))
        }
        return nil
    }

    static func parseCount(_ s: String) -> Int? {
        let multipliers: [Character: Double] = ["k": 1e3, "M": 1e6, "G": 1e9]
        if let last = s.last, let m = multipliers[last], let v = Double(s.dropLast()) { return Int(v * m) }
        return Int(s)
    }

    @Test func demoShowsLiveLagAndSupportsFilterDrillReplayPurgeResizeAndQuit() async throws {
        let tmux = try Tmux(command: [WharfProcess.binary, "demo", "--kafka-listen", "127.0.0.1:0"], width: 120, height: 40,
                            environment: ["WHARF_THEMES": FileManager.default.currentDirectoryPath + "/themes"])
        // Starts on the overview with topics and groups, and the stopped group has lag.
        var screen = try await tmux.waitFor { $0.contains("fraud-check") && $0.contains("clicks") && $0.contains("billing") }
        #expect(screen.contains("Overview"), "\(screen)")
        #expect(screen.contains("kafka: 127.0.0.1:") && screen.contains("0 clients"), "the header shows the listener: \(screen)")
        // The demo's queue handler dead-letters some e-mails: the overview counts them.
        screen = try await tmux.waitFor { $0.contains("emails/$deadletterqueue") }
        #expect(screen.contains("emails/$deadletterqueue"), "\(screen)")
        #expect((Self.lag(of: "fraud-check", in: screen) ?? 0) > 0, "\(screen)")

        // Groups view: analytics falls behind, so its lag grows between two refreshes.
        try await tmux.send("3")
        // Under load the group may still be joining (lag 0) on the first screens: wait for its lag.
        screen = try await tmux.waitFor { $0.contains("Groups") && (Self.lag(of: "analytics", in: $0) ?? 0) > 0 }
        let lagBefore = Self.lag(of: "analytics", in: screen) ?? 0
        #expect(lagBefore > 0, "\(screen)")

        // Filter: only matching groups remain.
        try await tmux.send("/")
        try await tmux.type("anal")
        try await tmux.send("Enter")
        screen = try await tmux.waitFor { $0.contains("/anal") }
        #expect(screen.contains("analytics") && !screen.contains("billing") && !screen.contains("fraud-check"), "\(screen)")

        // Drill into the group: per-partition rows with committed offsets and the member.
        try await tmux.send("Enter")
        screen = try await tmux.waitFor { $0.contains("Groups › analytics") && $0.contains("COMMITTED") && $0.contains("analytics-1") }
        #expect(screen.contains("COMMITTED") && screen.contains("analytics-1"), "\(screen)")

        // Replay to earliest: preview first, then confirm; lag jumps and the group is fenced live.
        try await tmux.send("Escape")
        _ = try await tmux.waitFor { !$0.contains("Groups › analytics") }
        let lagAtReset = Self.lag(of: "analytics", in: try await tmux.screen()) ?? 0
        try await tmux.send("r")
        screen = try await tmux.waitFor { $0.contains("Replay analytics") }
        try await tmux.send("Enter")
        screen = try await tmux.waitFor { $0.contains("RE-READ") && $0.contains("records to re-read") }
        #expect(screen.contains("Reset to earliest"), "\(screen)")
        try await tmux.send("y")
        screen = try await tmux.waitFor { $0.contains("reset analytics on 8 partition(s)") && $0.contains("fenced") }
        #expect(screen.contains("live members fenced"), "\(screen)")
        screen = try await tmux.waitFor { (Self.lag(of: "analytics", in: $0) ?? 0) > lagAtReset + 1000 }
        #expect((Self.lag(of: "analytics", in: screen) ?? 0) > lagAtReset + 1000, "lag did not grow after replay: \(screen)")

        // Purge audit.log with the typed confirmation.
        try await tmux.send("Escape")
        try await tmux.send("2")
        try await tmux.send("/")
        try await tmux.type("audit")
        try await tmux.send("Enter")
        _ = try await tmux.waitFor { $0.contains("/audit") }
        try await tmux.send("x")
        _ = try await tmux.waitFor { $0.contains("Purge audit.log") }
        try await tmux.send("Enter")
        screen = try await tmux.waitFor { $0.contains("will be deleted") }
        try await tmux.type("purge")
        try await tmux.send("Enter")
        screen = try await tmux.waitFor { $0.contains("purged") && $0.contains("audit.log/0") }
        #expect(screen.contains("log start is now"), "\(screen)")

        // Resize to 80x24: header, content and footer still fit.
        try await tmux.resize(width: 80, height: 24)
        try await tmux.send("Escape")
        try await tmux.send("1")
        screen = try await tmux.waitFor { $0.contains("Overview") && $0.contains("q quit") && $0.contains("analytics") }
        let lines = screen.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.allSatisfy { $0.count <= 80 }, "\(screen)")
        #expect(screen.contains("Wharf") && screen.contains("analytics"), "\(screen)")

        // q exits 0 and gives the terminal back (the alternate screen is gone).
        try await tmux.send("q")
        screen = try await tmux.waitFor { $0.contains("[exit") }
        #expect(screen.contains("[exit 0]"), "\(screen)")
        #expect(!screen.contains("Overview"), "\(screen)")
    }

    @Test func readOnlyHidesDangerousActions() async throws {
        let tmux = try Tmux(command: [WharfProcess.binary, "demo", "--read-only", "--no-kafka"], width: 120, height: 40)
        var screen = try await tmux.waitFor { $0.contains("fraud-check") }
        #expect(!screen.contains("r replay") && !screen.contains("u undo"), "\(screen)")
        try await tmux.send("3")
        try await tmux.send("r")
        try await Task.sleep(for: .milliseconds(500))
        screen = try await tmux.screen()
        #expect(!screen.contains("Replay"), "\(screen)")
        try await tmux.send("q")
        screen = try await tmux.waitFor { $0.contains("[exit") }
        #expect(screen.contains("[exit 0]"), "\(screen)")
    }

    @Test func dashboardOnADataDirectoryShowsItsTopics() async throws {
        let dir = TempDir()
        try await WharfProcess.run(["topic", "create", "注文", "--data", dir.path]).status == 0 ? () : ()
        try await WharfProcess.run(["topic", "create", "invoices", "--partitions", "2", "--data", dir.path])
        try await WharfProcess.run(["produce", "invoices", "--data", dir.path], stdin: "a\nb\nc\n")
        let tmux = try Tmux(command: [WharfProcess.binary, "--data", dir.path, "--theme", "monochrome", "--no-kafka"], width: 100, height: 30,
                            environment: ["WHARF_THEMES": FileManager.default.currentDirectoryPath + "/themes"])
        try await tmux.send("2")
        var screen = try await tmux.waitFor { $0.contains("invoices") }
        #expect(screen.contains("invoices") && screen.contains(dir.path), "\(screen)")
        // Brokers (8): the engine is one broker leading its 3 partitions (invoices 2 and
        // __consumer_offsets 1; 注文 was refused, topic names are ASCII), with the data directory's disk.
        try await tmux.send("8")
        screen = try await tmux.waitFor { $0.contains("Overview › Brokers") && $0.contains("embedded") }
        let row = screen.split(separator: "\n").first { $0.contains("embedded") }.map { $0.split(separator: " ").map(String.init) } ?? []
        #expect(row.count >= 8 && row[2] == "controller" && row[3] == "3" && row[5] == "0" && row.last?.hasSuffix("%") == true, "\(screen)")
        try await tmux.send("q")
        #expect(try await tmux.waitFor { $0.contains("[exit") }.contains("[exit 0]"))
        // A second process on the same directory while the dashboard ran would have been refused;
        // after quitting, the directory is free and intact.
        #expect(try await WharfProcess.run(["consume", "invoices", "--data", dir.path]).lines.sorted() == ["a", "b", "c"])
    }
}
