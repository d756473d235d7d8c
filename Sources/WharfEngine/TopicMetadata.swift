#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import WharfCore
import WharfStorage

/// What the engine persists about a topic, in `<data>/topics/<name>/topic.json`.
/// Written atomically (temporary file, fsync, rename), so a crash leaves the old or the new file.
struct TopicMetadata: Codable, Equatable, Sendable {
    var name: String
    var partitions: Int32
    var createdAt: Int64
    var retentionMs: Int64?
    var retentionBytes: Int64?
    var segmentBytes: Int?
    var segmentMs: Int64?
    /// The topic's own record-timestamp window (nil: the engine's); absent in older files.
    var messageTimestampBeforeMaxMs: Int64?
    var messageTimestampAfterMaxMs: Int64?
    /// `max.message.bytes` of this topic (nil: the engine's); absent in older files.
    var maxMessageBytes: Int?
    /// `cleanup.policy` of a user topic (nil: delete); absent in older files.
    var cleanupPolicy: String?

    /// Compacted by key in maintenance (Wharf's offsets topic always is).
    var isCompacted: Bool { isInternal || (cleanupPolicy?.contains("compact") ?? false) }
    /// Old segments are deleted by time and size ("compact" alone keeps every key's newest record forever).
    var deletesByRetention: Bool { !isInternal && cleanupPolicy != "compact" }
    var isInternal: Bool = false
    /// Set when an operator declared this topic the dead-letter topic of another
    /// (`wharf dlq mark`): recognised as one even when its records carry no dead-letter headers,
    /// and requeued there unless a record names its own origin.
    var deadLetterFor: String?

    static let fileName = "topic.json"

    static func load(from directory: String) throws(WharfError) -> TopicMetadata {
        let path = directory + "/" + fileName
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            return try JSONDecoder().decode(TopicMetadata.self, from: data)
        } catch {
            throw .corrupt("cannot read topic metadata \(path): \(error.localizedDescription)")
        }
    }

    func save(to directory: String, files: DurableFile) throws(WharfError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            try FileSystem.writeFileAtomically(directory + "/" + Self.fileName, Array(try encoder.encode(self)), faults: files.faults)
        } catch let e as WharfError {
            throw e
        } catch {
            throw .io("cannot write topic metadata in \(directory): \(error.localizedDescription)")
        }
    }
}

/// Durable changes to metadata files and directories (`topic.json`, `queue.json`, the scratch
/// directory's staging, publish and discard, the event store's subscription files), never on a
/// hot path. Every change is
/// recorded in `journal` when one is set (crash-consistency tests, through `EngineConfig.faults`;
/// nil in production), so a simulated power cut sees topic and queue creation and deletion as it
/// sees the logs. A change is recorded after it took effect; a descriptor's close before it
/// happens (its number may be reused at once).
///
/// A whole-file replacement is `FileSystem.writeFileAtomically` (the storage layer's, with the
/// same injector), so the logs and the metadata share one atomic-write rule.
package struct DurableFile: Sendable {
    package let faults: FaultInjector?
    var journal: FileJournal? { faults?.journal }

    package init(faults: FaultInjector?) {
        self.faults = faults
    }

    /// Removes the file `path` durably (a missing file is not an error).
    package func remove(_ path: String) throws(WharfError) {
        if unlink(path) == 0 {
            journal?.record(.unlink(path: path))
        } else if errno != ENOENT {
            throw .io("cannot remove \(path): \(String(cString: strerror(errno)))")
        }
        try syncDirectory(containing: path)
    }

    /// fsync of the directory holding `path`, so a creation, rename or unlink in it survives a
    /// power cut. A failure throws: the entry may not be durable (fsyncgate), so saying it is would lie.
    func syncDirectory(containing path: String) throws(WharfError) {
        let dir = (path as NSString).deletingLastPathComponent
        try syncDirectory(dir.isEmpty ? "." : dir)
    }

    func syncDirectory(_ directory: String) throws(WharfError) {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw .io("cannot open directory \(directory): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let syncId = journal?.syncStarted(.directory(path: directory))
        guard fsync(fd) == 0 else { throw .io("cannot fsync directory \(directory): \(String(cString: strerror(errno)))") }
        if let syncId { journal?.record(.syncFinished(id: syncId)) }
    }

    /// Creates `directory` and any missing parents (not durable by itself: sync the parent, or
    /// publish what it is built in).
    func makeDirectory(_ directory: String) throws(WharfError) {
        guard !FileManager.default.fileExists(atPath: directory) else { return }
        let parent = (directory as NSString).deletingLastPathComponent
        if !parent.isEmpty, parent != directory { try makeDirectory(parent) }
        guard mkdir(directory, OwnerOnly.directoryMode) == 0 || errno == EEXIST else {
            throw .io("cannot create \(directory): \(String(cString: strerror(errno)))")
        }
        journal?.record(.makeDirectory(path: directory))
    }

    /// Creates `directory` and any missing parents durably: each new one's parent is fsynced
    /// after its `mkdir`, so a power cut cannot drop a directory whose content was made durable
    /// (the data directory's `topics/`, `queues/`, `events/` on a first start).
    package func makeDirectoryDurably(_ directory: String) throws(WharfError) {
        guard !FileManager.default.fileExists(atPath: directory) else { return }
        let parent = (directory as NSString).deletingLastPathComponent
        if !parent.isEmpty, parent != directory { try makeDirectoryDurably(parent) }
        guard mkdir(directory, OwnerOnly.directoryMode) == 0 || errno == EEXIST else {
            throw .io("cannot create \(directory): \(String(cString: strerror(errno)))")
        }
        journal?.record(.makeDirectory(path: directory))
        try syncDirectory(parent.isEmpty ? "." : parent)
    }

    /// Renames `source` to `target` (atomic; durable once both directories are synced).
    func rename(_ source: String, to target: String) throws(WharfError) {
        guard Glibc.rename(source, target) == 0 else {
            throw .io("cannot rename \(source) to \(target): \(String(cString: strerror(errno)))")
        }
        journal?.record(.rename(from: source, to: target))
    }

    /// Removes `path` and everything under it (a missing path is not an error).
    func removeTree(_ path: String) throws(WharfError) {
        guard FileManager.default.fileExists(atPath: path) else { return }
        do { try FileManager.default.removeItem(atPath: path) } catch {
            throw .io("cannot remove \(path): \(error.localizedDescription)")
        }
        journal?.record(.removeTree(path: path))
    }
}
