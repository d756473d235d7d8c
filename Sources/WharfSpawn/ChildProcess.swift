import CWharfSpawn
import Foundation
import Synchronization

/// A child process started with posix_spawn, for the tests and tools that run other programs
/// (kcat, Python clients, `wharf` itself, tmux, PostgreSQL, promtool, dd).
///
/// Not Foundation's `Process`: on Linux its `run()` emulates close-on-exec by listing
/// /proc/self/fd and copies each entry's full 256-byte name (swift-corelibs-foundation #5472, in
/// our Swift 6.3.1); once ~1,360 descriptors are open the listing fills opendir's buffer and the
/// over-read can fault, as it did in CI's parallel suite. Here the child closes every descriptor
/// above 2 itself (close_range), so the parent's count does not matter and a pipe of one child
/// never leaks into another started at the same moment.
///
/// The exit is noticed by a dispatch timer polling `waitpid(WNOHANG)` (`ExitWatch`): no thread
/// blocks in `waitpid`, and the child is reaped as soon as it exits, whether or not anyone awaits it.
public final class ChildProcess: Sendable {
    public let pid: pid_t
    /// The write end of the child's standard input, for `.pipe`; close it to send end of file.
    public let standardInput: FileHandle?
    /// The read ends of the child's standard output and error, for `.pipe`.
    public let standardOutput: FileHandle?
    public let standardError: FileHandle?
    private let exit: ExitWatch

    /// Starts `argv[0]` (a path, or a name looked up in PATH) with `argv`. `environment` nil
    /// passes this process's environment on unchanged.
    public init(_ argv: [String], environment: [String: String]? = nil,
                stdin: Input = .null, stdout: Output = .inherit, stderr: Output = .inherit) throws {
        guard let program = argv.first else { throw SpawnError(program: "", reason: "no program given") }
        var opened = ChildDescriptors()
        var spawned = false
        defer { opened.finish(spawned: spawned) }
        let input = try opened.input(stdin)
        let output = try opened.output(stdout, inherited: 1)
        let errors = try opened.output(stderr, inherited: 2, standardOutputOfChild: output.child)

        var child: pid_t = 0
        let cArguments = argv.map { strdup($0) } + [nil]
        let cEnvironment = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer {
            cArguments.forEach { free($0) }
            cEnvironment?.forEach { free($0) }
        }
        let rc = cEnvironment.map { env in
            wharf_spawn(&child, program, cArguments, env, input.child, output.child, errors.child)
        } ?? wharf_spawn(&child, program, cArguments, environ, input.child, output.child, errors.child)
        guard rc == 0 else { throw SpawnError(program: program, reason: String(cString: strerror(rc))) }
        spawned = true
        pid = child
        exit = ExitWatch(pid: child)
        standardOutput = output.parent.map { FileHandle(fileDescriptor: $0, closeOnDealloc: true) }
        standardError = errors.parent.map { FileHandle(fileDescriptor: $0, closeOnDealloc: true) }
        if case .bytes(let data) = stdin, let fd = input.parent {
            standardInput = nil
            Self.write(data, to: fd)
        } else {
            standardInput = input.parent.map { FileHandle(fileDescriptor: $0, closeOnDealloc: true) }
        }
    }

    /// How the child ended, once it has (nil while it runs).
    public var termination: Termination? { exit.termination }
    public var isRunning: Bool { exit.termination == nil }

    /// Waits for the exit without holding a thread.
    @discardableResult
    public func exit() async -> Termination {
        await withCheckedContinuation { continuation in exit.onExit { continuation.resume(returning: $0) } }
    }

    /// Blocks the calling thread until the exit: only for synchronous code kept for older tests
    /// and for `atexit`; everything else awaits `exit()`.
    @discardableResult
    public func waitUntilExit() -> Termination {
        let exited = DispatchSemaphore(value: 0)
        let result = Mutex<Termination?>(nil)
        exit.onExit { termination in
            result.withLock { $0 = termination }
            exited.signal()
        }
        exited.wait()
        return result.withLock { $0! }
    }

    /// Sends `signal` unless the child has already been reaped (its pid may belong to another
    /// process by then).
    public func signal(_ signal: Int32) { exit.signal(signal) }
    public func terminate() { signal(SIGTERM) }
    public func kill() { signal(SIGKILL) }
}

/// A program that could not be started (not found, not executable, out of resources).
public struct SpawnError: Error, CustomStringConvertible {
    public let program: String
    public let reason: String
    public var description: String { "cannot run \(program): \(reason)" }
}
