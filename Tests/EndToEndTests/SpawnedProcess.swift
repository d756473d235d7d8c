import Foundation
import WharfSpawn
import WharfTestSupport

/// A background child (a kcat group member, a Python client, `wharf serve`), its output going
/// to files the test polls. The child gets every signal at its default and none blocked
/// (`ChildProcess`): it would otherwise inherit the test process's blocked SIGTERM and never see `stop()`.
final class SpawnedProcess {
    let child: ChildProcess
    let out: String
    let err: String
    var pid: pid_t { child.pid }

    init(_ argv: [String], out: String, err: String) throws {
        self.out = out
        self.err = err
        child = try ChildProcess(argv, stdout: .file(out), stderr: .file(err))
    }

    var stdout: String { (try? String(contentsOfFile: out, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOfFile: err, encoding: .utf8)) ?? "" }

    /// Waits for the child to exit; returns its exit status (128+signal when killed). Blocks the
    /// calling thread: right after a signal that is milliseconds; for a child that runs on, await `exit()`.
    @discardableResult
    func wait() -> Int32 { child.waitUntilExit().status }

    /// Waits for the child to exit without holding a thread.
    func exit() async throws -> Int32 { await child.exit().status }

    /// SIGTERM, then waits (a kcat consumer closes cleanly: leaves its group, commits). A child
    /// still running after 15 s gets SIGKILL: a consumer whose broker is already gone can retry
    /// its close for ever, and a test must not hang on it (CI did once, session 14).
    @discardableResult
    func stop() -> Int32 {
        child.terminate()
        let deadline = Date().addingTimeInterval(15)
        while child.isRunning, Date() < deadline { usleep(10_000) }
        if child.isRunning { child.kill() }
        return wait()
    }

    /// A child left running is killed (and reaped by `ChildProcess`).
    deinit { child.kill() }
}
