#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import WharfCore

/// Whole-file and directory helpers used off the hot path (open, roll, checkpoint, retention).
/// Foundation is used only for listing and recursive removal.
enum FileSystem {
    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// The whole content of `path`, or nil when it does not exist.
    static func readFile(_ path: String) throws(WharfError) -> [UInt8]? {
        guard exists(path) else { return nil }
        let file = try PosixFile.open(path)
        let size = try file.size()
        return try file.read(count: Int(size), at: 0)
    }

    /// Replaces `path` with `bytes` atomically: write `path.tmp`, fdatasync, rename, fsync the directory.
    static func writeFileAtomically(_ path: String, _ bytes: [UInt8], faults: FaultInjector? = nil) throws(WharfError) {
        let tmp = path + ".tmp"
        let file = try PosixFile.open(tmp, create: true, truncate: true, faults: faults)
        try file.write(bytes, at: 0)
        try file.sync()
        try rename(tmp, over: path)
        try syncDirectory(of: path)
    }

    /// Creates (or empties) `path`, writes `bytes`, and fdatasyncs it when `sync` is set.
    static func writeFile(_ path: String, _ bytes: [UInt8], sync: Bool, faults: FaultInjector? = nil) throws(WharfError) {
        let file = try PosixFile.open(path, create: true, truncate: true, faults: faults)
        try file.write(bytes, at: 0)
        if sync { try file.sync() }
    }

    /// fsync of the directory holding `path`, so creations, renames and unlinks survive a crash.
    static func syncDirectory(of path: String) throws(WharfError) {
        let dir = parent(of: path)
        let fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw PosixFile.error("open directory", dir) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw PosixFile.error("fsync directory", dir) }
    }

    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// Atomically replaces `target` with `source` (same directory).
    static func rename(_ source: String, over target: String) throws(WharfError) {
        guard Glibc.rename(source, target) == 0 else { throw PosixFile.error("rename", source) }
    }

    /// Removes a file; a missing file is not an error.
    static func remove(_ path: String) throws(WharfError) {
        if unlink(path) != 0 && errno != ENOENT { throw PosixFile.error("unlink", path) }
    }

    static func createDirectory(_ path: String) throws(WharfError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw .io("create directory \(path): \(error.localizedDescription)")
        }
    }

    static func removeTree(_ path: String) throws(WharfError) {
        guard exists(path) else { return }
        do {
            try FileManager.default.removeItem(atPath: path)
        } catch {
            throw .io("remove \(path): \(error.localizedDescription)")
        }
    }

    static func list(_ path: String) throws(WharfError) -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            throw .io("list directory \(path): \(error.localizedDescription)")
        }
    }
}
