#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WharfCore

/// Whole-file replacement that survives a crash with the old or the new content: write
/// `<path>.tmp`, fsync it, rename over `path`, fsync the directory.
enum AtomicFile {
    static func write(_ bytes: [UInt8], to path: String) throws(WharfError) {
        let tmp = path + ".tmp"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, OwnerOnly.fileMode)
        guard fd >= 0 else { throw .io("cannot create \(tmp): \(String(cString: strerror(errno)))") }
        let ok = bytes.withUnsafeBytes { raw -> Bool in
            var done = 0
            while done < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + done, raw.count - done)
                if n <= 0 { return false }
                done += n
            }
            return fsync(fd) == 0
        }
        close(fd)
        guard ok else { throw .io("cannot write \(tmp): \(String(cString: strerror(errno)))") }
        guard rename(tmp, path) == 0 else { throw .io("cannot rename \(tmp): \(String(cString: strerror(errno)))") }
        syncDirectory(of: path)
    }

    static func remove(_ path: String) {
        unlink(path)
        syncDirectory(of: path)
    }

    static func syncDirectory(of path: String) {
        let dir = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        let fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
    }
}
