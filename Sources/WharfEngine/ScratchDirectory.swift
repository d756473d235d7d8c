import Foundation
import Logging
import WharfCore

/// `<parent>/@scratch/`: the directories under `topics/` or `queues/` that are not a topic or a
/// queue. A topic or queue is built here and renamed into place when whole, and a deleted one is
/// renamed in here before its files go. Its name cannot collide with a topic or queue (`@` is not
/// allowed in their names) and its entries are short UUIDs, so a name of any legal length can be
/// deleted. Everything in it is removed when the engine opens: start-up deletes nothing else.
///
/// Directories left by older Wharf versions as `<name>.deleted-<ms>` (an interrupted delete) are
/// not removed, since a live topic may have that very name (`crm.account.deleted-v1`): their
/// `topic.json` names another topic, so they are not loaded, and a warning says where they are.
struct ScratchDirectory {
    static let name = "@scratch"
    let path: String
    /// Every change goes through it (journaled in crash tests).
    let files: DurableFile

    init(inside parent: String, files: DurableFile) {
        path = parent + "/" + Self.name
        self.files = files
    }

    /// Removes everything in it (a create or delete a crash interrupted), creating it if missing.
    func purge(logger: Logger) throws(WharfError) {
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] {
            logger.info("removing the leftover of an interrupted create or delete", metadata: ["path": "\(path)/\(entry)"])
            try? files.removeTree(path + "/" + entry)
        }
        try files.makeDirectory(path)
    }

    /// A new empty directory in scratch, to build a topic or queue in before `publish`.
    func makeStaging() throws(WharfError) -> String {
        try files.makeDirectory(path)
        let staging = path + "/" + UUID().uuidString.lowercased()
        try files.makeDirectory(staging)
        return staging
    }

    /// Renames a whole staging directory to `destination` (which must not exist) and makes both
    /// the rename and everything in the staging directory durable.
    func publish(_ staging: String, as destination: String) throws(WharfError) {
        try files.syncDirectory(staging)
        try files.rename(staging, to: destination)
        try files.syncDirectory(containing: destination)
        try files.syncDirectory(path)
    }

    /// Moves `directory` into scratch durably (atomic: after a crash it is either still in place
    /// or in scratch, to be purged), then removes it. A failed removal is only logged: the next
    /// open purges it.
    func discard(_ directory: String, logger: Logger) throws(WharfError) {
        try files.makeDirectory(path)
        let tomb = path + "/" + UUID().uuidString.lowercased()
        try files.rename(directory, to: tomb)
        try files.syncDirectory(containing: directory)
        try files.syncDirectory(path)
        do { try files.removeTree(tomb) } catch {
            logger.warning("could not remove a deleted directory; the next start will", metadata: ["path": "\(tomb)", "error": "\(error)"])
        }
    }
}
