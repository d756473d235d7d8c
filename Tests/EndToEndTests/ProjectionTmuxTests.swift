import Foundation
import Testing

/// The demo's balances projection rebuilt, and parked events replayed, from the Streams &
/// projections view in a real terminal.
@Suite(.serialized, .endToEnd) struct ProjectionTmuxTests {
    /// State and LAG of a reader's row ("balances projection $ce-account rebuilding 31% 329 734 …").
    static func row(_ name: String, in screen: String) -> (state: String, lag: Int)? {
        for line in screen.split(separator: "\n") {
            let cells = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            guard cells.first == name, cells.count >= 7, let s = cells.firstIndex(where: { ["running", "stopped", "faulted", "rebuilding"].contains($0) })
            else { continue }
            let checkpoint = cells[s] == "rebuilding" && cells[s + 1].hasSuffix("%") ? s + 2 : s + 1
            guard checkpoint + 1 < cells.count, let lag = DashboardTmuxTests.parseCount(cells[checkpoint + 1]) else { continue }
            return (cells[s], lag)
        }
        return nil
    }

    /// The PARKED column of a persistent subscription's row.
    static func parked(_ name: String, in screen: String) -> Int? {
        for line in screen.split(separator: "\n") {
            let cells = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            guard cells.first == name, cells.count >= 8, cells[1] == "persistent" else { continue }
            return DashboardTmuxTests.parseCount(cells[7])
        }
        return nil
    }

    @Test func demoRebuildsBalancesAndReplaysParkedEventsThroughConfirmDialogs() async throws {
        // The demo's directory is in TMPDIR, and the dialog below must show its whole path: a
        // short TMPDIR for the child, whatever the test run's (a long one truncated the path).
        let tmux = try Tmux(command: [WharfProcess.binary, "demo", "--no-kafka", "--refresh", "250"], width: 140, height: 40,
                            environment: ["TMPDIR": "/tmp"])
        _ = try await tmux.waitFor { $0.contains("Overview") && $0.contains("q quit") }
        try await tmux.send("7")
        var screen = try await tmux.waitFor { Self.row("balances", in: $0) != nil && $0.contains("fraud-review") && $0.contains("account") }
        #expect(screen.contains("Streams & projections") && screen.contains("$ce-account"), "\(screen)")
        #expect(Self.row("balances", in: screen)?.state == "running", "\(screen)")

        // The dialog says what the rebuild does before anything happens.
        try await tmux.send("b")
        screen = try await tmux.waitFor { $0.contains("Rebuild balances") && $0.contains("Type balances") }
        #expect(screen.contains("empty the read model") && screen.contains("balances.sqlite") && screen.contains("events of $ce-account"), "\(screen)")
        try await tmux.type("balances")
        try await tmux.send("Enter")

        // Rebuilding, with the lag shrinking, then running again.
        var lags: [Int] = []
        var final = ""
        let end = Date().addingTimeInterval(90)
        while Date() < end {
            let s = try await tmux.screen()
            if let r = Self.row("balances", in: s) {
                if r.state == "rebuilding" { lags.append(r.lag) } else if !lags.isEmpty && r.state == "running" { final = s; break }
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(lags.count >= 2, "saw rebuilding \(lags.count) time(s): \(lags)")
        #expect((lags.last ?? 0) < (lags.first ?? 0), "lag while rebuilding: \(lags)")
        #expect(Self.row("balances", in: final)?.state == "running", "\(final)")

        // Replay parked: the fraud-review handler parks large withdrawals; y sends them back.
        screen = try await tmux.waitFor { (Self.parked("fraud-review", in: $0) ?? 0) > 0 }
        #expect((Self.parked("fraud-review", in: screen) ?? 0) > 0, "\(screen)")
        try await tmux.send("j")
        try await tmux.send("r")
        // The whole dialog, not just its frame: tmux can capture a half-drawn screen.
        screen = try await tmux.waitFor { $0.contains("Replay parked events") && $0.contains("back to fraud-review") }
        try await tmux.send("y")
        screen = try await tmux.waitFor { $0.contains("parked event") && $0.contains("to fraud-review") && !$0.contains("Replay parked events") }
        #expect(screen.contains("replaying"), "\(screen)")

        try await tmux.send("q")
        screen = try await tmux.waitFor { $0.contains("[exit") }
        #expect(screen.contains("[exit 0]"), "\(screen)")
    }
}

/// Under --read-only the view shows the same figures but neither action exists.
@Suite(.serialized, .endToEnd) struct ProjectionReadOnlyTmuxTests {
    @Test func readOnlyDemoHasNoRebuildOrReplay() async throws {
        let tmux = try Tmux(command: [WharfProcess.binary, "demo", "--read-only", "--no-kafka", "--refresh", "250"], width: 120, height: 40)
        _ = try await tmux.waitFor { $0.contains("Overview") && $0.contains("q quit") }
        try await tmux.send("7")
        var screen = try await tmux.waitFor { ProjectionTmuxTests.row("balances", in: $0) != nil && $0.contains("fraud-review") }
        #expect(screen.contains("read-only") && !screen.contains("b rebuild") && !screen.contains("r replay parked"), "\(screen)")
        try await tmux.send("b")
        screen = try await tmux.waitFor { $0.contains("read-only: rebuild projections is disabled") }
        #expect(screen.contains("read-only: rebuild projections is disabled") && !screen.contains("Rebuild balances"), "\(screen)")
        try await tmux.send("q")
        screen = try await tmux.waitFor { $0.contains("[exit") }
        #expect(screen.contains("[exit 0]"), "\(screen)")
    }
}
