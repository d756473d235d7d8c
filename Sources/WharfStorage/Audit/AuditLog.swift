#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Logging
import Synchronization
import WharfCore

/// `<data>/audit.log`: every change made to a data directory, whoever made it, as JSON Lines.
///
/// Format: one `AuditEntry` per line, UTF-8 JSON, appended with `O_APPEND` and fsynced before
/// `record` returns (changes are rare; an operator asking "who reset this group" needs the entry
/// to survive the crash that followed). The file is owner-only (0600) like every file Wharf
/// creates. A crash can leave the last line torn: `read` skips lines that do not decode and
/// counts them, so a torn tail never hides the entries before it; the next append starts on a
/// new line.
///
/// Several processes may append (the CLI while `wharf serve` runs); `O_APPEND` makes each
/// single `write` of a line land whole at the end. Thread-safety: appends in this process are
/// serialized by a mutex.
public final class AuditLog: Sendable {
    public static let fileName = "audit.log"

    public let path: String
    let clock: any WallClock
    let logger: Logger
    private let appendLock = Mutex<Void>(())

    public init(dataDirectory: String, clock: any WallClock = SystemClock(), logger: Logger = Logger(label: "wharf.audit")) {
        self.path = dataDirectory + "/" + Self.fileName
        self.clock = clock
        self.logger = logger
    }

    /// Appends one entry and returns it. Never throws: the change it describes has already
    /// happened (or failed), so a log that cannot be written is reported, not allowed to turn
    /// a done change into an error.
    @discardableResult
    public func record(_ actor: AuditActor, action: String, target: String, before: [String: String]? = nil,
                       after: [String: String]? = nil, result: String = AuditEntry.ok, undoes: String? = nil) -> AuditEntry {
        let now = clock.nowMillis()
        let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        let entry = AuditEntry(id: "\(now)-\(suffix)", timeMs: now, actor: actor, action: action, target: target,
                               before: before, after: after, result: result, undoes: undoes)
        do {
            try append(entry)
        } catch {
            logger.error("could not write the audit log", metadata: ["path": "\(path)", "action": "\(action)", "error": "\(error)"])
        }
        return entry
    }

    /// Runs `change`, recording it as `action` on `target` with its outcome: `after` of its
    /// result when it succeeds, the error's text when it throws (which is rethrown).
    public func audited<T>(_ actor: AuditActor, _ action: String, target: String, before: [String: String]? = nil,
                           undoes: String? = nil, after: (T) -> [String: String]? = { _ in nil },
                           _ change: () throws(WharfError) -> T) throws(WharfError) -> T {
        do {
            let value = try change()
            record(actor, action: action, target: target, before: before, after: after(value), undoes: undoes)
            return value
        } catch {
            record(actor, action: action, target: target, before: before, result: "\(error)", undoes: undoes)
            throw error
        }
    }

    /// `audited` for changes that suspend (group resets wait for the coordinator).
    public func audited<T>(_ actor: AuditActor, _ action: String, target: String, before: [String: String]? = nil,
                           undoes: String? = nil, after: (T) -> [String: String]? = { _ in nil },
                           _ change: () async throws(WharfError) -> T) async throws(WharfError) -> T {
        do {
            let value = try await change()
            record(actor, action: action, target: target, before: before, after: after(value), undoes: undoes)
            return value
        } catch {
            record(actor, action: action, target: target, before: before, result: "\(error)", undoes: undoes)
            throw error
        }
    }

    /// The entries in the order they were written, and how many lines did not decode (a torn
    /// last line after a crash, or damage).
    public func read() throws(WharfError) -> (entries: [AuditEntry], skippedLines: Int) {
        guard let bytes = try FileSystem.readFile(path) else { return ([], 0) }
        let decoder = JSONDecoder()
        var entries: [AuditEntry] = []
        var skipped = 0
        for line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
            if let entry = try? decoder.decode(AuditEntry.self, from: Data(line)) { entries.append(entry) } else { skipped += 1 }
        }
        return (entries, skipped)
    }

    /// The entries at or after `cutoffMs` (nil: all) whose action is `action` or lies under it
    /// (`AuditEntry.matches`; nil: every action), with how many the log holds in all and how
    /// many lines did not decode.
    public func read(since cutoffMs: Int64?, action: String?) throws(WharfError) -> (entries: [AuditEntry], recorded: Int, skippedLines: Int) {
        let (all, skipped) = try read()
        let entries = all.filter { e in (cutoffMs.map { e.timeMs >= $0 } ?? true) && (action.map { e.matches(action: $0) } ?? true) }
        return (entries, all.count, skipped)
    }

    /// The entry with `id`, if the log has it.
    public func entry(id: String) throws(WharfError) -> AuditEntry? {
        try read().entries.last { $0.id == id }
    }

    private func append(_ entry: AuditEntry) throws(WharfError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let json = try? encoder.encode(entry) else { throw .io("audit entry \(entry.id) does not encode as JSON") }
        try appendLock.withLock { _ throws(WharfError) in
            try Self.appendLine(Array(json), to: path)
        }
    }

    /// One `write` of the line (with a newline before it when the file does not end in one: the
    /// tail a crash tore), then fsync; a new file's directory entry is fsynced too.
    private static func appendLine(_ json: [UInt8], to path: String) throws(WharfError) {
        let existed = FileSystem.exists(path)
        let fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, OwnerOnly.fileMode)  // read: the last byte
        guard fd >= 0 else { throw PosixFile.error("open", path) }
        defer { close(fd) }
        var line = json + [UInt8(ascii: "\n")]
        var st = stat()
        if fstat(fd, &st) == 0, st.st_size > 0, let last = lastByte(fd: fd, size: Int64(st.st_size)), last != UInt8(ascii: "\n") {
            line.insert(UInt8(ascii: "\n"), at: 0)
        }
        var written = 0
        while written < line.count {
            let n = line.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                throw PosixFile.error("append", path)
            }
            written += n
        }
        guard fsync(fd) == 0 else { throw PosixFile.error("fsync", path) }
        if !existed { try FileSystem.syncDirectory(of: path) }
    }

    private static func lastByte(fd: Int32, size: Int64) -> UInt8? {
        var byte: UInt8 = 0
        return pread(fd, &byte, 1, off_t(size - 1)) == 1 ? byte : nil
    }
}
