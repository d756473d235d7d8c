import Foundation
import Testing

/// The dashboard stops cleanly on SIGTERM, SIGINT and SIGHUP (a closed terminal): it closes the
/// engine, so every partition log (topics, `__consumer_offsets`, queue logs) has its
/// `clean-shutdown` marker and the next open recovers nothing. The real binary, in tmux.
@Suite(.serialized, .endToEnd) struct SignalStopTmuxTests {
    /// Partition-log directories (those holding a `<20 digits>.log` segment) under `root`.
    static func logDirectories(under root: String) -> [String] {
        var found = Set<String>()
        let enumerator = FileManager.default.enumerator(atPath: root)
        while let relative = enumerator?.nextObject() as? String {
            let name = (relative as NSString).lastPathComponent
            guard name.hasSuffix(".log"), name.count == 24, name.prefix(20).allSatisfy(\.isNumber) else { continue }
            found.insert(root + "/" + (relative as NSString).deletingLastPathComponent)
        }
        return found.sorted()
    }

    static func unclean(_ dirs: [String]) -> [String] {
        dirs.filter { !FileManager.default.fileExists(atPath: $0 + "/clean-shutdown") }
    }

    /// A data directory with a topic holding records and a queue, and the dashboard on it.
    func startDashboard(_ dir: TempDir) async throws -> Tmux {
        try await WharfProcess.run(["topic", "create", "invoices", "--partitions", "2", "--data", dir.path])
        try await WharfProcess.run(["produce", "invoices", "--data", dir.path], stdin: "a\nb\nc\n")
        let tmux = try Tmux(command: [WharfProcess.binary, "--data", dir.path, "--theme", "monochrome", "--no-kafka"], width: 100, height: 30,
                            environment: ["WHARF_THEMES": FileManager.default.currentDirectoryPath + "/themes"])
        try await tmux.send("2")
        let screen = try await tmux.waitFor { $0.contains("invoices") }
        #expect(screen.contains("invoices"), "\(screen)")
        // While it runs, the logs are open: no marker (open removed it).
        #expect(Self.unclean(Self.logDirectories(under: dir.path)).count >= 3)
        return tmux
    }

    /// Waits until every log directory has its marker (the process closed the engine), or 30 s.
    func waitForCleanStop(_ dir: TempDir) async throws -> [String] {
        let deadline = Date().addingTimeInterval(30)
        var missing = Self.unclean(Self.logDirectories(under: dir.path))
        while !missing.isEmpty, Date() < deadline {
            try await Task.sleep(for: .milliseconds(100))
            missing = Self.unclean(Self.logDirectories(under: dir.path))
        }
        return missing
    }

    @Test(arguments: ["TERM", "INT"])
    func stopSignalClosesTheEngineAndRestoresTheTerminal(signal: String) async throws {
        let dir = TempDir()
        let tmux = try await startDashboard(dir)
        let shell = try await tmux.run(["list-panes", "-t", tmux.session, "-F", "#{pane_pid}"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let children = (try? String(contentsOfFile: "/proc/\(shell)/task/\(shell)/children", encoding: .utf8)) ?? ""
        let pid = try #require(children.split(separator: " ").first.flatMap { Int32($0) }, "no wharf process under the pane's shell \(shell)")
        #expect(kill(pid, signal == "TERM" ? SIGTERM : SIGINT) == 0)
        let screen = try await tmux.waitFor { $0.contains("[exit") }
        #expect(screen.contains("[exit 0]"), "a stop signal is a normal exit: \(screen)")
        #expect(!screen.contains("Overview"), "the dashboard left the alternate screen: \(screen)")
        #expect(try await waitForCleanStop(dir).isEmpty, "logs left without a clean-shutdown marker")
        #expect(try await WharfProcess.run(["consume", "invoices", "--data", dir.path]).lines.sorted() == ["a", "b", "c"])
    }

    /// tmux kill-session hangs the terminal up: SIGHUP, then no terminal at all for the cleanup.
    @Test func closedTerminalIsACleanStop() async throws {
        let dir = TempDir()
        let tmux = try await startDashboard(dir)
        try await tmux.run(["kill-session", "-t", tmux.session], capture: false)
        let missing = try await waitForCleanStop(dir)
        let log = (try? String(contentsOfFile: dir.path + "/wharf.log", encoding: .utf8)) ?? ""
        #expect(missing.isEmpty, "logs left without a clean-shutdown marker after SIGHUP: \(missing); wharf.log: \(log.suffix(2000))")
        // The directory lock is free again once the process is gone, and nothing was lost.
        var last = try await WharfProcess.run(["consume", "invoices", "--data", dir.path])
        for _ in 0..<100 where last.status != 0 {
            try await Task.sleep(for: .milliseconds(100))
            last = try await WharfProcess.run(["consume", "invoices", "--data", dir.path])
        }
        #expect(last.lines.sorted() == ["a", "b", "c"], "status \(last.status): \(last.stderr)")
    }
}
