import CWharfSpawn
import Foundation
import Synchronization

extension ChildProcess {
    /// Where the child's standard input comes from.
    public enum Input: Sendable {
        case null
        /// `standardInput` is the write end.
        case pipe
        /// Written to the child from a dispatch queue, then closed (a child that exits without
        /// reading it all is no error).
        case bytes(Data)
        case inherit
    }

    /// Where the child's standard output or error goes.
    public enum Output: Sendable {
        case null
        /// `standardOutput` / `standardError` is the read end.
        case pipe
        case inherit
        /// A file, created or truncated.
        case file(String)
        /// A file, created or appended to.
        case appendingTo(String)
        /// The caller's descriptor (left open here).
        case descriptor(Int32)
        /// For standard error: wherever standard output goes.
        case standardOutput
    }

    /// Reads `handle` to end of file on a thread of its own (not the cooperative pool) and
    /// resumes the caller then. (Not a DispatchIO channel or a read source: libdispatch's Linux
    /// event loop crashed the test process in `_dispatch_event_loop_drain` with them.)
    public static func readToEnd(_ handle: FileHandle) async -> Data {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: handle.readDataToEndOfFile()) }.start()
        }
    }

    /// Writes `data` to `fd` on a thread of its own, then closes it. SIGPIPE is ignored from the
    /// first such write on: a child that exits without reading its input must not kill this
    /// process (children get it back at its default, see wharf_spawn).
    static func write(_ data: Data, to fd: Int32) {
        _ = ignoreBrokenPipes
        Thread {
            data.withUnsafeBytes { bytes in
                var offset = 0
                while offset < bytes.count {
                    let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                    if n < 0 && errno == EINTR { continue }
                    if n <= 0 { break }  // EPIPE: the child stopped reading
                    offset += n
                }
            }
            close(fd)
        }.start()
    }

    private static let ignoreBrokenPipes: Void = { _ = SwiftGlibc.signal(SIGPIPE, SIG_IGN) }()
}

/// The descriptors of one spawn: the child's ends (closed here once the child has its copies)
/// and this process's ends (handed to the `ChildProcess`, or closed if the spawn fails).
struct ChildDescriptors {
    private var childEnds: [Int32] = []
    private var parentEnds: [Int32] = []

    mutating func input(_ input: ChildProcess.Input) throws -> (child: Int32, parent: Int32?) {
        switch input {
        case .null: return (try file("/dev/null", O_RDONLY), nil)
        case .inherit: return (0, nil)
        case .pipe, .bytes:
            let (read, write) = try pipe(childEnd: .read)
            return (read, write)
        }
    }

    /// `inherited` is this process's descriptor of the same stream (1 or 2); `standardOutputOfChild`
    /// what the child's standard output was made from (for `.standardOutput`).
    mutating func output(_ output: ChildProcess.Output, inherited: Int32, standardOutputOfChild: Int32 = 1) throws -> (child: Int32, parent: Int32?) {
        switch output {
        case .null: return (try file("/dev/null", O_WRONLY), nil)
        case .inherit: return (inherited, nil)
        case .file(let path): return (try file(path, O_WRONLY | O_CREAT | O_TRUNC), nil)
        case .appendingTo(let path): return (try file(path, O_WRONLY | O_CREAT | O_APPEND), nil)
        case .descriptor(let fd): return (fd, nil)
        case .standardOutput: return (standardOutputOfChild, nil)
        case .pipe:
            let (read, write) = try pipe(childEnd: .write)
            return (write, read)
        }
    }

    /// After the spawn: the child has its copies of the child ends; on failure the parent ends go too.
    mutating func finish(spawned: Bool) {
        childEnds.forEach { close($0) }
        if !spawned { parentEnds.forEach { close($0) } }
        childEnds = []
        parentEnds = []
    }

    private mutating func file(_ path: String, _ flags: Int32) throws -> Int32 {
        let fd = open(path, flags | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SpawnError(program: path, reason: "cannot open: \(String(cString: strerror(errno)))") }
        childEnds.append(fd)
        return fd
    }

    private enum End { case read, write }

    /// A pipe as (read end, write end), each end recorded as the child's or this process's.
    private mutating func pipe(childEnd: End) throws -> (Int32, Int32) {
        var fds: [Int32] = [-1, -1]
        guard wharf_pipe(&fds) == 0 else { throw SpawnError(program: "pipe", reason: String(cString: strerror(errno))) }
        childEnds.append(childEnd == .read ? fds[0] : fds[1])
        parentEnds.append(childEnd == .read ? fds[1] : fds[0])
        return (fds[0], fds[1])
    }
}
