#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The one permission rule for everything Wharf creates: files 0600, directories 0700.
///
/// Kafka leaves modes to the umask. Wharf is stricter because its data directory usually sits
/// in a home directory on a shared machine, and records, committed offsets, outbox rows and
/// producer ids are nobody else's business. The umask can only remove bits, never add them.
public enum OwnerOnly {
    /// Mode for every data, index, snapshot, metadata, lock and log file.
    public static let fileMode: mode_t = 0o600
    /// Mode for every directory (data root, topics, partitions, queues, events, scratch).
    public static let directoryMode: mode_t = 0o700

    /// `FileManager.createDirectory(…, attributes:)` argument applying `directoryMode`
    /// (Foundation applies it to the intermediate directories it creates as well).
    public static var directoryAttributes: [FileAttributeKey: Any] { [.posixPermissions: Int(directoryMode)] }

    /// Creates `path` (and its missing parents) with `directoryMode` unless it exists: for what
    /// only keeps a file in a data directory (users, ACLs) and so never opens the engine.
    public static func createDirectoryIfMissing(_ path: String) throws {
        if !FileManager.default.fileExists(atPath: path) {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: directoryAttributes)
        }
    }

    /// Creates `path` empty with `fileMode` unless it exists, so that a library which creates
    /// files with its own default mode (SQLite: 0644, and its -wal/-shm copy the database's
    /// mode) finds an owner-only file. Errors are left to the library's own open.
    public static func createFileIfMissing(_ path: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, fileMode)
        if fd >= 0 { close(fd) }
    }
}
