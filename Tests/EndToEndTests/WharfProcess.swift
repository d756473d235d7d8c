import Foundation
import WharfSpawn
import WharfTestSupport
import Synchronization
import Testing

/// Runs the real `wharf` binary built next to the test bundle, as a user would.
struct WharfProcess {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var lines: [String] { stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty } }
    }

    /// `.build/<config>/wharf`, beside the test bundle; `WHARF_BIN` overrides.
    static var binary: String {
        if let b = ProcessInfo.processInfo.environment["WHARF_BIN"] { return b }
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for dir in [bundle, bundle.deletingLastPathComponent()] {
            let candidate = dir.appendingPathComponent("wharf").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return bundle.appendingPathComponent("wharf").path
    }

    /// Runs the command to its exit and returns what it printed; nothing blocks a thread while
    /// it runs (`ChildProcess.run`). A command still running after `timeout` is killed and the run
    /// throws `WaitedTooLong` naming it and its last lines, instead of holding the suite silently.
    @discardableResult
    static func run(_ args: [String], stdin: String? = nil, environment: [String: String] = [:],
                    executable: String? = nil, prefix: [String] = [], timeout: Duration = .seconds(600)) async throws -> Result {
        let program = executable ?? binary
        let r = try await ChildProcess.run([program] + prefix + args, environment: ChildProcess.environment(adding: environment),
                                           stdin: stdin.map { Data($0.utf8) }, timeout: timeout)
        let result = Result(status: r.status, stdout: String(decoding: r.standardOutput, as: UTF8.self),
                            stderr: String(decoding: r.standardError, as: UTF8.self))
        if r.timedOut {
            throw WaitedTooLong(waitingFor: "\(URL(fileURLWithPath: program).lastPathComponent) \(prefix + args) to exit",
                                after: timeout, output: result.stdout + result.stderr)
        }
        return result
    }
}

/// A fresh data directory per test, removed afterwards.
final class TempDir {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "wharf-e2e-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

final class ThreadSafeBox<T: Sendable>: Sendable {
    private let value = Mutex<T?>(nil)
    func set(_ v: T) { value.withLock { $0 = v } }
    func get() -> T? { value.withLock { $0 } }
}

/// An end-to-end wait that ran out: says what it waited for and the last lines it saw, so a
/// failure in a long parallel run tells what hung without rerunning it.
struct WaitedTooLong: Error, CustomStringConvertible {
    var description: String

    init(waitingFor what: String, after: Duration, output: String) {
        let last = output.split(separator: "\n", omittingEmptySubsequences: true).suffix(15)
        description = "gave up after \(after) waiting for \(what)"
            + (last.isEmpty ? " (it printed nothing)" : "; its last lines:\n" + last.joined(separator: "\n"))
    }
}
