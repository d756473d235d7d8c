import Foundation
import Testing
import WharfSpawn
import WharfTestSupport

/// Drives a program in a detached tmux session, as a person at a terminal would: send keys,
/// read the screen. Each instance owns a uniquely named session (and its own tmux server socket)
/// and kills it when done. Every tmux call is awaited (`ChildProcess`) and the polling sleeps are
/// `Task.sleep`, so a test waiting for a screen holds no thread.
final class Tmux: Sendable {
    let session = "wharf-e2e-\(UUID().uuidString.prefix(8))"
    let socket: String

    /// Starts the session. `new-session -d` returns as soon as the tmux server has forked, so this
    /// short spawn stays synchronous (an initializer that blocks for milliseconds, not a wait).
    init(command: [String], width: Int = 120, height: Int = 40, environment: [String: String] = [:]) throws {
        socket = NSTemporaryDirectory() + "tmux-\(session)"
        let env = environment.map { "\($0.key)=\(Self.quote($0.value))" }.joined(separator: " ")
        let shell = "env TERM=xterm-256color \(env) " + command.map(Self.quote).joined(separator: " ")
            + "; echo \"[exit $?]\"; sleep 30"
        try spawnAndWait(["new-session", "-d", "-s", session, "-x", "\(width)", "-y", "\(height)", shell], capture: false)
    }

    static func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    @discardableResult
    func run(_ args: [String], capture: Bool = true) async throws -> String {
        let child = try spawn(args, capture: capture)
        let output = capture ? await ChildProcess.readToEnd(child.standardOutput!) : Data()
        await child.exit()
        return String(decoding: output, as: UTF8.self)
    }

    func send(_ keys: String...) async throws { try await run(["send-keys", "-t", session] + keys) }
    func type(_ text: String) async throws { try await run(["send-keys", "-t", session, "-l", text]) }
    func screen() async throws -> String { try await run(["capture-pane", "-p", "-t", session]) }
    func resize(width: Int, height: Int) async throws {
        try await run(["resize-window", "-t", session, "-x", "\(width)", "-y", "\(height)"])
    }

    /// Polls the screen until `predicate` holds on a settled screen, or `timeout` passes; returns
    /// the last screen (see `SettledScreen` for what settled means). A timeout is recorded as an
    /// issue at the caller's line with the last screen, so the failure shows what the test waited
    /// for and what it saw instead (the test goes on with that screen, as before).
    @discardableResult
    func waitFor(timeout: TimeInterval = 60, settleLimit: TimeInterval = 2, sourceLocation: SourceLocation = #_sourceLocation,
                 _ predicate: (String) -> Bool) async throws -> String {
        let end = Date().addingTimeInterval(timeout)
        var settled = SettledScreen(settleLimit: settleLimit)
        var last = ""
        while Date() < end {
            last = try await screen()
            guard let pause = settled.observe(last, matches: predicate(last), at: Date()) else { return last }
            try await Task.sleep(for: .seconds(pause))
        }
        Issue.record("no screen matched within \(Int(timeout)) s; the last one:\n\(last)", sourceLocation: sourceLocation)
        return last
    }

    /// Runs a tmux command, blocking the calling thread (the initializer and `deinit` only; tests
    /// await `run`). The command that starts the server must not capture output: the server it
    /// forks would hold the pipe open.
    @discardableResult
    func spawnAndWait(_ args: [String], capture: Bool = true) throws -> String {
        let child = try spawn(args, capture: capture)
        let output = capture ? child.standardOutput!.readDataToEndOfFile() : Data()
        child.waitUntilExit()
        return String(decoding: output, as: UTF8.self)
    }

    private func spawn(_ args: [String], capture: Bool) throws -> ChildProcess {
        do {
            return try ChildProcess(["/usr/bin/tmux", "-S", socket] + args, stdout: capture ? .pipe : .null, stderr: .null)
        } catch {
            throw TmuxError("\(error) (is tmux installed?)")
        }
    }

    deinit {
        _ = try? spawnAndWait(["kill-server"], capture: false)
        try? FileManager.default.removeItem(atPath: socket)
    }
}

/// When a polled screen counts as matched. A capture can land while curses is still writing a
/// frame (the first rows of a dialog drawn, the rest not yet), so a match counts once a second
/// capture a moment later is identical. A screen that never settles (live data redrawn faster
/// than the captures) is accepted after `settleLimit` with the newest matching capture.
struct SettledScreen {
    let settleLimit: TimeInterval
    private var firstMatch: Date?
    private var previousMatch: String?

    init(settleLimit: TimeInterval) { self.settleLimit = settleLimit }

    /// Nil when `screen` is the answer; otherwise how long to wait before the next capture.
    mutating func observe(_ screen: String, matches: Bool, at now: Date) -> TimeInterval? {
        guard matches else {
            firstMatch = nil
            previousMatch = nil
            return 0.1
        }
        if screen == previousMatch { return nil }
        if let first = firstMatch, now.timeIntervalSince(first) >= settleLimit { return nil }
        firstMatch = firstMatch ?? now
        previousMatch = screen
        return 0.03
    }
}

struct TmuxError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
