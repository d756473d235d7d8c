import Foundation

/// Drives a program in a detached tmux session, as a person at a terminal would: send keys,
/// read the screen. Each instance owns a uniquely named session (and its own tmux server socket)
/// and kills it when done.
final class Tmux {
    let session = "wharf-e2e-\(UUID().uuidString.prefix(8))"
    let socket: String

    init(command: [String], width: Int = 120, height: Int = 40, environment: [String: String] = [:]) throws {
        socket = NSTemporaryDirectory() + "tmux-\(session)"
        let env = environment.map { "\($0.key)=\(Self.quote($0.value))" }.joined(separator: " ")
        let shell = "env TERM=xterm-256color \(env) " + command.map(Self.quote).joined(separator: " ")
            + "; echo \"[exit $?]\"; sleep 30"
        try run(["new-session", "-d", "-s", session, "-x", "\(width)", "-y", "\(height)", shell])
    }

    static func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    @discardableResult
    func run(_ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/tmux")
        p.arguments = ["-S", socket] + args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    func send(_ keys: String...) throws { try run(["send-keys", "-t", session] + keys) }
    func type(_ text: String) throws { try run(["send-keys", "-t", session, "-l", text]) }
    func screen() throws -> String { try run(["capture-pane", "-p", "-t", session]) }
    func resize(width: Int, height: Int) throws { try run(["resize-window", "-t", session, "-x", "\(width)", "-y", "\(height)"]) }

    /// Polls the screen until `predicate` holds or `timeout` passes; returns the last screen.
    @discardableResult
    func waitFor(timeout: TimeInterval = 15, _ predicate: (String) -> Bool) throws -> String {
        let end = Date().addingTimeInterval(timeout)
        var last = ""
        while Date() < end {
            last = try screen()
            if predicate(last) { return last }
            usleep(100_000)
        }
        return last
    }

    deinit {
        _ = try? run(["kill-server"])
        try? FileManager.default.removeItem(atPath: socket)
    }
}
