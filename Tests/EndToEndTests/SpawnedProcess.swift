import Foundation
import WharfTestSupport

/// A background child (a kcat group member, a Python client) started with posix_spawn, its
/// output going to files the test polls. The child gets an empty signal mask and default
/// SIGTERM/SIGPIPE: with Foundation's Process it would inherit the test process's blocked
/// SIGTERM and never see `stop()`.
final class SpawnedProcess {
    let pid: pid_t
    let out: String
    let err: String
    private var status: Int32?

    init(_ argv: [String], out: String, err: String) throws {
        self.out = out
        self.err = err
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attr, &none)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGTERM)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attr, &defaults)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var cargs = argv.map { strdup($0) } + [nil]
        defer { for a in cargs { free(a) } }
        var child: pid_t = 0
        let rc = posix_spawnp(&child, argv[0], &actions, &attr, &cargs, environ)
        guard rc == 0 else { throw TmuxError("cannot run \(argv[0]): \(String(cString: strerror(rc)))") }
        pid = child
    }

    var stdout: String { (try? String(contentsOfFile: out, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOfFile: err, encoding: .utf8)) ?? "" }

    /// Waits for the child to exit; returns its exit status (128+signal when killed). Blocks the
    /// calling thread: right after a signal that is milliseconds; for a child that runs on, await `exit()`.
    @discardableResult
    func wait() -> Int32 {
        if let status { return status }
        let s = Self.reap(pid)
        status = s
        return s
    }

    /// Waits for the child to exit on a thread of its own (see `offThePool`).
    func exit() async throws -> Int32 {
        if let status { return status }
        let pid = self.pid
        let s = try await offThePool { Self.reap(pid) }
        status = s
        return s
    }

    private static func reap(_ pid: pid_t) -> Int32 {
        var raw: Int32 = 0
        while waitpid(pid, &raw, 0) < 0 && errno == EINTR {}
        return (raw & 0x7f) == 0 ? (raw >> 8) & 0xff : 128 + (raw & 0x7f)
    }

    /// SIGTERM, then waits (a kcat consumer closes cleanly: leaves its group, commits).
    @discardableResult
    func stop() -> Int32 {
        if status == nil { kill(pid, SIGTERM) }
        return wait()
    }

    deinit { if status == nil { kill(pid, SIGKILL); wait() } }
}
