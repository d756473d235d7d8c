import Foundation
import Testing

/// The dashboard's changes are audited as its own (unix user, process, pid), and a reset one
/// dashboard made is undone from the `:audit` view of another, after the first has exited:
/// the exact offsets come back.
@Suite(.endToEnd, .serialized) struct AuditTmuxTests {
    static func dashboard(_ dir: TempDir) throws -> Tmux {
        try Tmux(command: [WharfProcess.binary, "--data", dir.path, "--no-kafka"], width: 120, height: 40)
    }

    static func quit(_ tmux: Tmux) async throws {
        try await tmux.send("q")
        let screen = try await tmux.waitFor { $0.contains("[exit") }
        #expect(screen.contains("[exit 0]"), "\(screen)")
    }

    @Test func dashboardChangesAreAuditedAndAnotherDashboardUndoesTheResetExactly() async throws {
        let dir = TempDir()
        let d = ["--data", dir.path]
        #expect(try await WharfProcess.run(["topic", "create", "orders", "--partitions", "2"] + d).status == 0)
        for p in ["0", "1"] {
            let lines = (0..<15).map { "v\($0)" }.joined(separator: "\n") + "\n"
            #expect(try await WharfProcess.run(["produce", "orders", "--partition", p] + d, stdin: lines).status == 0)
        }
        #expect(try await WharfProcess.run(["group", "reset", "billing", "--topic", "orders:0", "--to-offset", "5", "--execute"] + d).status == 0)
        #expect(try await WharfProcess.run(["group", "reset", "billing", "--topic", "orders:1", "--to-offset", "9", "--execute"] + d).status == 0)

        // The first dashboard replays billing to the earliest offsets and creates a topic.
        var tmux = try Self.dashboard(dir)
        try await tmux.send("3")
        _ = try await tmux.waitFor { $0.contains("Overview › Groups") && $0.contains("billing") }
        try await tmux.send("r")
        _ = try await tmux.waitFor { $0.contains("Replay billing") }
        try await tmux.send("Enter")
        _ = try await tmux.waitFor { $0.contains("records to re-read") && $0.contains("RE-READ") }
        try await tmux.send("y")
        _ = try await tmux.waitFor { $0.contains("reset billing on 2 partition(s)") }
        try await tmux.send("2")
        try await tmux.send("n")
        _ = try await tmux.waitFor { $0.contains("New topic") || $0.contains("Create topic") }
        try await tmux.type("dash-made")
        try await tmux.send("Enter")
        try await tmux.send("Enter")
        _ = try await tmux.waitFor { $0.contains("created topic dash-made") }
        try await Self.quit(tmux)
        #expect(try await AuditCLITests.committed("billing", d) == ["orders/0": 0, "orders/1": 0])

        // A second dashboard: :audit lists the first one's reset; u, y puts back 5 and 9.
        tmux = try Self.dashboard(dir)
        try await tmux.send(":")
        try await tmux.type("audit")
        try await tmux.send("Enter")
        var screen = try await tmux.waitFor { $0.contains("Overview › Audit log") && $0.contains("topic:dash-made") }
        let rows = screen.split(separator: "\n").filter { $0.contains("group.reset-offsets") || $0.contains("topic.create") }
        #expect(rows.count == 5, "\(screen)")   // newest first: dash-made, the dashboard's reset, two CLI resets, orders
        try await tmux.send("j")
        try await tmux.send("u")
        screen = try await tmux.waitFor { $0.contains("Put back the offsets") }
        #expect(screen.contains("orders/0 → 5") && screen.contains("orders/1 → 9"), "\(screen)")
        try await tmux.send("y")
        // The undo is a new entry on top (its action, group.reset-offsets.undo, may be cut to the
        // column; the CLI's log below checks it by name): four reset rows where there were three.
        screen = try await tmux.waitFor { $0.split(separator: "\n").filter { $0.contains("group.reset-offsets") }.count == 4 }
        try await Self.quit(tmux)
        #expect(try await AuditCLITests.committed("billing", d) == ["orders/0": 5, "orders/1": 9])

        let log = try await AuditCLITests.audit(d)
        #expect(log.map(\.action) == ["topic.create", "group.reset-offsets", "group.reset-offsets", "group.reset-offsets",
                                      "topic.create", "group.reset-offsets.undo"], "\(log.map(\.action))")
        guard log.count == 6 else { return }
        let dashboardEntries = [log[3], log[4], log[5]]
        #expect(dashboardEntries.allSatisfy { $0.actor.kind == "process" && $0.actor.process == "wharf" && $0.result == "ok" })
        #expect(log[3].actor.pid != log[5].actor.pid)   // two dashboards: the undo came from the second
        #expect(log[3].before == ["orders/0": "5", "orders/1": "9"] && log[3].after == ["orders/0": "0", "orders/1": "0"])
        #expect(log[5].undoes == log[3].id && log[5].after == ["orders/0": "5", "orders/1": "9"])
    }
}
