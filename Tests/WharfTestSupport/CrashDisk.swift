import Foundation
import WharfStorage

/// A simulated power cut (what LazyFS / ALICE do), replayed from a `FileJournal` of a run that
/// started on an empty `root`: after operation k, a file's content is what its last completed
/// fdatasync covered (nothing, if it never was synced), and a directory's entries are what its
/// last completed fsync covered; a file or directory whose entry was never synced is gone.
/// Unsynced writes are all dropped (the harshest page-cache loss; reordered partial flushes are
/// not modelled).
///
/// A run may also start on a directory that already holds data (`startingFrom: root`): what is
/// there when recording starts counts as durable (set it up, close it cleanly, then record).
///
/// Use: `CrashDisk.explore(journal.operations, root:, at: points) { k, dir in ... }` materialises
/// the disk after each chosen operation index into a fresh directory (the same relative layout)
/// and hands it to the check, which reopens storage there.
package final class CrashDisk {
    /// One inode: a file (content) or a directory (entries), with its durable counterpart.
    final class Node {
        let isDirectory: Bool
        var content: [UInt8] = []
        var durableContent: [UInt8] = []
        var entries: [String: Node] = [:]
        var durableEntries: [String: Node] = [:]
        init(isDirectory: Bool) { self.isDirectory = isDirectory }
    }

    enum Snapshot {
        case file(Node, [UInt8])
        case directory(Node, [String: Node])
    }

    let root: String
    let top = Node(isDirectory: true)
    var open: [Int32: Node] = [:]
    var syncs: [Int: Snapshot] = [:]

    init(root: String) { self.root = root }

    /// Loads what is under `root` now as the durable starting state.
    func loadExisting() throws {
        try load(top, from: root)
    }

    private func load(_ node: Node, from directory: String) throws {
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) {
            let path = directory + "/" + name
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
            let child = Node(isDirectory: isDirectory.boolValue)
            if isDirectory.boolValue {
                try load(child, from: path)
            } else {
                child.content = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
                child.durableContent = child.content
            }
            node.entries[name] = child
            node.durableEntries[name] = child
        }
    }

    /// Path components below `root`, nil for a path outside it (not simulated).
    func components(_ path: String) -> [String]? {
        guard path.hasPrefix(root + "/") else { return nil }
        return path.dropFirst(root.count + 1).split(separator: "/").map(String.init)
    }

    /// The directory holding `path` and the entry name, in the current (volatile) namespace.
    func parent(_ path: String) -> (Node, String)? {
        guard let parts = components(path), let name = parts.last else { return nil }
        var node = top
        for part in parts.dropLast() {
            guard let next = node.entries[part], next.isDirectory else { return nil }
            node = next
        }
        return (node, name)
    }

    func apply(_ operation: FileJournal.Operation) {
        switch operation {
        case .open(let fd, let path, let create, let truncate):
            guard let (dir, name) = parent(path) else { return }
            let node: Node
            if let existing = dir.entries[name] {
                node = existing
            } else {
                guard create else { return }
                node = Node(isDirectory: false)
                dir.entries[name] = node
            }
            if truncate { node.content = [] }
            open[fd] = node
        case .write(let fd, let offset, let bytes):
            guard let node = open[fd] else { return }
            let start = Int(offset)
            if node.content.count < start + bytes.count {
                node.content += [UInt8](repeating: 0, count: start + bytes.count - node.content.count)
            }
            node.content.replaceSubrange(start..<start + bytes.count, with: bytes)
        case .truncate(let fd, let size):
            guard let node = open[fd] else { return }
            let size = Int(size)
            if node.content.count > size {
                node.content.removeSubrange(size...)
            } else {
                node.content += [UInt8](repeating: 0, count: size - node.content.count)
            }
        case .close(let fd):
            open[fd] = nil
        case .syncStarted(.file(let fd), let id):
            if let node = open[fd] { syncs[id] = .file(node, node.content) }
        case .syncStarted(.directory(let path), let id):
            let node: Node?
            if path == root {
                node = top
            } else if let (dir, name) = parent(path) {
                node = dir.entries[name]
            } else {
                node = nil
            }
            if let node { syncs[id] = .directory(node, node.entries) }
        case .syncFinished(let id):
            switch syncs.removeValue(forKey: id) {
            case .file(let node, let content): node.durableContent = content
            case .directory(let node, let entries): node.durableEntries = entries
            case nil: break
            }
        case .makeDirectory(let path):
            guard let (dir, name) = parent(path), dir.entries[name] == nil else { return }
            dir.entries[name] = Node(isDirectory: true)
        case .rename(let from, let to):
            guard let (source, name) = parent(from), let node = source.entries[name], let (target, newName) = parent(to) else { return }
            source.entries[name] = nil
            target.entries[newName] = node
        case .unlink(let path), .removeTree(let path):
            guard let (dir, name) = parent(path) else { return }
            dir.entries[name] = nil
        }
    }

    /// Writes the durable state into `directory` (which must exist and be empty).
    func materialise(into directory: String) throws {
        try write(top, into: directory)
    }

    private func write(_ node: Node, into directory: String) throws {
        for (name, child) in node.durableEntries {
            let path = directory + "/" + name
            if child.isDirectory {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
                try write(child, into: path)
            } else {
                try Data(child.durableContent).write(to: URL(fileURLWithPath: path))
            }
        }
    }

    /// Replays `operations` and, after each index in `points` (0 = before the first operation,
    /// `operations.count` = after the last), materialises the disk into a fresh directory and
    /// runs `check(k, directory)`. The directory is removed afterwards. `initial` is what `root`
    /// held when recording started (a snapshot taken then with `snapshot(root)`), nil for empty.
    package static func explore(_ operations: [FileJournal.Operation], root: String, initial: CrashDisk? = nil, at points: [Int],
                               check: (Int, String) throws -> Void) throws {
        let disk = initial ?? CrashDisk(root: root)
        let wanted = Set(points)
        for k in 0...operations.count {
            if wanted.contains(k) {
                let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("wharf-crash-\(UUID().uuidString)").path
                try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
                defer { try? FileManager.default.removeItem(atPath: scratch) }
                try disk.materialise(into: scratch)
                try check(k, scratch)
            }
            if k < operations.count { disk.apply(operations[k]) }
        }
    }

    /// `explore` for async checks: materialises every point up front and returns the
    /// directories (the caller removes them).
    package static func materialise(_ operations: [FileJournal.Operation], root: String, initial: CrashDisk? = nil,
                                    at points: [Int]) throws -> [(point: Int, directory: String)] {
        let disk = initial ?? CrashDisk(root: root)
        let wanted = Set(points)
        var out: [(point: Int, directory: String)] = []
        for k in 0...operations.count {
            if wanted.contains(k) {
                let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("wharf-crash-\(UUID().uuidString)").path
                try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
                try disk.materialise(into: scratch)
                out.append((k, scratch))
            }
            if k < operations.count { disk.apply(operations[k]) }
        }
        return out
    }

    /// The state of `root` now, all of it durable: the start of a recording on existing data.
    package static func snapshot(_ root: String) throws -> CrashDisk {
        let disk = CrashDisk(root: root)
        try disk.loadExisting()
        return disk
    }

    /// `count` crash points drawn from `0...operationCount` with `random` (every point when
    /// there are no more than `count`), sorted.
    package static func points(_ count: Int, of operationCount: Int, random: inout some RandomNumberGenerator) -> [Int] {
        guard operationCount + 1 > count else { return Array(0...operationCount) }
        var chosen = Set<Int>()
        while chosen.count < count { chosen.insert(Int.random(in: 0...operationCount, using: &random)) }
        return chosen.sorted()
    }
}
