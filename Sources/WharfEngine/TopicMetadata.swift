import Foundation
import WharfCore

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

    func save(to directory: String) throws(WharfError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            try DurableFile.writeAtomically(try encoder.encode(self), to: directory + "/" + Self.fileName)
        } catch let e as WharfError {
            throw e
        } catch {
            throw .io("cannot write topic metadata in \(directory): \(error.localizedDescription)")
        }
    }
}

/// Small durable-file helpers for metadata (never on a hot path).
enum DurableFile {
    /// Writes `data` to `path` so that after a crash the file holds either the old or the new content.
    static func writeAtomically(_ data: Data, to path: String) throws(WharfError) {
        let tmp = path + ".tmp"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, OwnerOnly.fileMode)
        guard fd >= 0 else { throw .io("cannot create \(tmp): \(String(cString: strerror(errno)))") }
        let ok = data.withUnsafeBytes { raw -> Bool in
            var done = 0
            while done < raw.count {
                let n = write(fd, raw.baseAddress! + done, raw.count - done)
                if n <= 0 { return false }
                done += n
            }
            return fsync(fd) == 0
        }
        close(fd)
        guard ok else { throw .io("cannot write \(tmp): \(String(cString: strerror(errno)))") }
        guard rename(tmp, path) == 0 else { throw .io("cannot rename \(tmp): \(String(cString: strerror(errno)))") }
        try syncDirectory(containing: path)
    }

    /// fsync of the directory holding `path`, so a creation, rename or unlink in it survives a
    /// power cut. A failure throws: the entry may not be durable (fsyncgate), so saying it is would lie.
    static func syncDirectory(containing path: String) throws(WharfError) {
        let dir = (path as NSString).deletingLastPathComponent
        try syncDirectory(dir.isEmpty ? "." : dir)
    }

    static func syncDirectory(_ directory: String) throws(WharfError) {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw .io("cannot open directory \(directory): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw .io("cannot fsync directory \(directory): \(String(cString: strerror(errno)))") }
    }
}
