#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import WharfCore

/// Whole-file and directory helpers used off the hot path (open, roll, checkpoint, retention).
/// Foundation is used only for listing and recursive removal.
package enum FileSystem {
    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// The whole content of `path`, or nil when it does not exist.
    static func readFile(_ path: String) throws(WharfError) -> [UInt8]? {
        guard exists(path) else { return nil }
        let file = try PosixFile.open(path)
        let size = try file.size()
        return try file.read(count: Int(size), at: 0)
    }

    /// Replaces `path` with `bytes` so that after a crash it holds either the old or the new
    /// content: write `path.tmp`, fsync it, rename, fsync the directory. The one atomic write of
    /// the project (the logs' checkpoints and the engine's `topic.json`, `queue.json`, ...).
    package static func writeFileAtomically(_ path: String, _ bytes: [UInt8], faults: FaultInjector? = nil) throws(WharfError) {
        let tmp = path + ".tmp"
        let file = try PosixFile.open(tmp, create: true, truncate: true, faults: faults)
        try file.write(bytes, at: 0)
        try file.sync(metadata: true)
        try rename(tmp, over: path, faults: faults)
        try syncDirectory(of: path, faults: faults)
    }

    /// Creates (or empties) `path`, writes `bytes`, and fdatasyncs it when `sync` is set.
    static func writeFile(_ path: String, _ bytes: [UInt8], sync: Bool, faults: FaultInjector? = nil) throws(WharfError) {
        let file = try PosixFile.open(path, create: true, truncate: true, faults: faults)
        try file.write(bytes, at: 0)
        if sync { try file.sync() }
    }

    /// fsync of the directory holding `path`, so creations, renames and unlinks survive a crash.
    static func syncDirectory(of path: String, faults: FaultInjector? = nil) throws(WharfError) {
        try sync(directory: parent(of: path), faults: faults)
    }

    /// fsync of `dir` itself.
    static func sync(directory dir: String, faults: FaultInjector? = nil) throws(WharfError) {
        let fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw PosixFile.error("open directory", dir) }
        defer { close(fd) }
        let syncId = faults?.journal?.syncStarted(.directory(path: dir))
        guard fsync(fd) == 0 else { throw PosixFile.error("fsync directory", dir) }
        if let syncId { faults?.journal?.record(.syncFinished(id: syncId)) }
    }

    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// Atomically replaces `target` with `source` (same directory).
    static func rename(_ source: String, over target: String, faults: FaultInjector? = nil) throws(WharfError) {
        guard Glibc.rename(source, target) == 0 else { throw PosixFile.error("rename", source) }
        faults?.journal?.record(.rename(from: source, to: target))
    }

    /// Removes a file; a missing file is not an error.
    static func remove(_ path: String, faults: FaultInjector? = nil) throws(WharfError) {
        if unlink(path) == 0 {
            faults?.journal?.record(.unlink(path: path))
        } else if errno != ENOENT {
            throw PosixFile.error("unlink", path)
        }
    }

    /// Creates `path` and any missing parents, each durably: after every `mkdir` its parent is
    /// fsync'ed, so a power cut cannot drop a directory that files inside it were synced into.
    static func createDirectory(_ path: String, faults: FaultInjector? = nil) throws(WharfError) {
        guard !exists(path) else { return }
        let up = parent(of: path)
        if up != path, up != ".", up != "/" { try createDirectory(up, faults: faults) }
        if mkdir(path, OwnerOnly.directoryMode) != 0 {
            guard errno == EEXIST else { throw PosixFile.error("create directory", path) }
            return
        }
        faults?.journal?.record(.makeDirectory(path: path))
        try sync(directory: up, faults: faults)
    }

    static func removeTree(_ path: String, faults: FaultInjector? = nil) throws(WharfError) {
        guard exists(path) else { return }
        do {
            try FileManager.default.removeItem(atPath: path)
        } catch {
            throw .io("remove \(path): \(error.localizedDescription)")
        }
        faults?.journal?.record(.removeTree(path: path))
    }

    static func list(_ path: String) throws(WharfError) -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            throw .io("list directory \(path): \(error.localizedDescription)")
        }
    }
}
