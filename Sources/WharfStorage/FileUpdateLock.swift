#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WharfCore

/// Serializes read-modify-write updates of one small file (the user store, the ACL file) across
/// processes and threads: a blocking `flock(LOCK_EX)` on `<file>.lock` (0600), held while
/// `body` loads, changes and atomically replaces the file. Two `wharf acl add` runs, or one and
/// a broker answering CreateAcls, therefore cannot lose each other's update.
///
/// flock belongs to the open file description, and each call opens the lock file anew, so
/// two threads of one process exclude each other too; the kernel drops the lock if the
/// process dies. Readers need no lock: the file is only ever replaced by a rename.
public enum FileUpdateLock {
    public static func withLock<R>(for path: String, _ body: () throws(WharfError) -> R) throws(WharfError) -> R {
        let lockPath = path + ".lock"
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, OwnerOnly.fileMode)
        guard fd >= 0 else { throw PosixFile.error("open", lockPath) }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw PosixFile.error("lock", lockPath) }
        }
        defer { _ = flock(fd, LOCK_UN) }
        return try body()
    }
}

/// Identifies one version of a file that is only ever replaced by rename: a changed inode,
/// size or modification time means a new version (so a cache of its content must reload).
public struct FileStamp: Sendable, Hashable {
    let inode: UInt64
    let size: Int64
    let modifiedSeconds: Int64
    let modifiedNanoseconds: Int64

    /// The stamp of `path`, or nil when it does not exist (or cannot be examined).
    public static func of(_ path: String) -> FileStamp? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return FileStamp(inode: UInt64(info.st_ino), size: Int64(info.st_size),
                         modifiedSeconds: Int64(info.st_mtim.tv_sec), modifiedNanoseconds: Int64(info.st_mtim.tv_nsec))
    }
}
