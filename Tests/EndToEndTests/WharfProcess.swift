import Foundation
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

    /// Runs the command to its exit and returns what it printed. The pipe reads run on threads of
    /// their own and the exit arrives through `terminationHandler`, so no pool thread blocks.
    /// A command still running after `timeout` is killed and the run throws `WaitedTooLong`
    /// naming it and its last lines, instead of holding the suite silently.
    @discardableResult
    static func run(_ args: [String], stdin: String? = nil, environment: [String: String] = [:],
                    executable: String? = nil, prefix: [String] = [], timeout: Duration = .seconds(600)) async throws -> Result {
        let (exits, exited) = AsyncStream<Int32>.makeStream()
        let child = try Launched(prefix + args, stdin: stdin, environment: environment, executable: executable) { process in
            exited.yield(process.terminationStatus)
            exited.finish()
        }
        let pid = child.process.processIdentifier
        let killed = ThreadSafeBox<Bool>()
        let watchdog = Task {
            try await Task.sleep(for: timeout)
            killed.set(true)
            kill(pid, SIGKILL)
        }
        // Both pipes are read to the end before the exit is awaited, so a large output cannot block the child.
        async let errData = offThePool { child.err.fileHandleForReading.readDataToEndOfFile() }
        let outData = try await offThePool { child.out.fileHandleForReading.readDataToEndOfFile() }
        let stderr = try await errData
        var status: Int32 = -1
        for await s in exits { status = s }
        watchdog.cancel()
        let result = Result(status: status, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
        if killed.get() == true {
            throw WaitedTooLong(waitingFor: "\(child.process.executableURL?.lastPathComponent ?? "?") \(prefix + args) to exit",
                                after: timeout, output: result.stdout + result.stderr)
        }
        return result
    }

    /// A started child with its stdin written and closed, its stdout and stderr still to read.
    struct Launched: Sendable {
        let process: Process
        let out = Pipe(), err = Pipe()

        init(_ argv: [String], stdin: String?, environment: [String: String], executable: String?,
             onExit: (@Sendable (Process) -> Void)? = nil) throws {
            process = Process()
            process.executableURL = URL(fileURLWithPath: executable ?? WharfProcess.binary)
            process.arguments = argv
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            let input = Pipe()
            process.standardOutput = out
            process.standardError = err
            process.standardInput = input
            process.terminationHandler = onExit
            try process.run()
            if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
            try input.fileHandleForWriting.close()
        }
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
