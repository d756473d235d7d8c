#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization
import WharfCore

/// Exclusive ownership of a data directory by one process: `flock(LOCK_EX | LOCK_NB)` on
/// `<dir>/.lock`, whose content is the owner's pid in decimal followed by a newline.
///
/// The lock belongs to the open file description, so a second `acquire` fails even inside the
/// same process; the kernel drops it when the process dies (no stale locks after `kill -9`).
/// The file itself is left in place on release (removing it would race with a new owner).
/// Thread-safe: the descriptor sits behind a `Mutex`; `release` is idempotent.
public final class DataDirectoryLock: Sendable {
    public static let fileName = ".lock"

    public let directory: String
    private let fd: Mutex<Int32?>

    private init(directory: String, fd: Int32) {
        self.directory = directory
        self.fd = Mutex(fd)
    }

    deinit { release() }

    /// Takes the lock, creating the directory if needed. Another holder ->
    /// `.locked(path:ownerPid:)` with the pid read from the lock file.
    public static func acquire(directory: String) throws(WharfError) -> DataDirectoryLock {
        try FileSystem.createDirectory(directory)
        let path = directory + "/" + fileName
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, OwnerOnly.fileMode)
        guard fd >= 0 else { throw PosixFile.error("open", path) }
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            if code == EINTR { continue }
            let owner = readPid(fd)
            close(fd)
            if code == EWOULDBLOCK { throw .locked(path: directory, ownerPid: owner) }
            throw .io("lock \(path): \(String(cString: strerror(code))) (errno \(code))")
        }
        let pid = Array("\(getpid())\n".utf8)
        let written = pid.withUnsafeBytes { raw in ftruncate(fd, 0) == 0 ? pwrite(fd, raw.baseAddress, raw.count, 0) : -1 }
        guard written == pid.count else {
            let error = PosixFile.error("write", path)
            close(fd)
            throw error
        }
        return DataDirectoryLock(directory: directory, fd: fd)
    }

    /// Unlocks and closes; later calls do nothing.
    public func release() {
        fd.withLock { fd in
            guard let descriptor = fd else { return }
            _ = flock(descriptor, LOCK_UN)
            close(descriptor)
            fd = nil
        }
    }

    public var isHeld: Bool { fd.withLock { $0 != nil } }

    private static func readPid(_ fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return nil }
        return Int32(String(decoding: buffer[..<n], as: UTF8.self).trimmingSpaces)
    }
}
