import Foundation
import GRDB
import Synchronization
import WharfCore
import WharfEvents

/// What the registry remembers about a projection, one JSON file each under
/// `<data>/events/projections/<name>.json`: where its read model is, what it reads, and its last
/// reported state and checkpoint. The checkpoint there is a copy for listings; the one that
/// counts is in the read model's database (`ProjectionCheckpointTable`), committed with it.
public struct ProjectionRegistration: Codable, Equatable, Sendable {
    public var name: String
    public var database: String
    public var source: String
    public var definition: String?
    public var state: String
    public var error: String?
    public var position: UInt64?
    public var processed: UInt64
    public var updatedAt: Int64
}

/// The projections of one data directory: the ones this process runs (live), and, through the
/// registry files, the ones some application ran before, so the CLI and the dashboard see them
/// all.
///
/// Thread-safety: the live table is behind a `Mutex`; registry files are replaced atomically
/// (write to a temporary file, rename), so a reader sees the old or the new entry.
public final class ProjectionRegistry: Sendable {
    public let directory: String
    let live = Mutex<[String: Projection]>([:])

    public init(dataDirectory: String) {
        directory = dataDirectory + "/events/projections"
    }

    func path(of name: String) -> String { directory + "/" + name + ".json" }

    /// Names may not hold a `/` or start with a dot: they are file names here.
    static func validate(_ name: String) throws(WharfError) {
        guard !name.isEmpty, name.count <= 200, !name.contains("/"), !name.hasPrefix("."), !name.contains("\0") else {
            throw .invalidName("projection name '\(name)' must be 1-200 characters without '/' and not start with '.'")
        }
    }

    func record(_ r: ProjectionRegistration) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: OwnerOnly.directoryAttributes)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let file = path(of: r.name)
            try encoder.encode(r).write(to: URL(fileURLWithPath: file), options: .atomic)
            // Foundation's atomic write gives the umask's mode; the directory is 0700 already.
            try FileManager.default.setAttributes([.posixPermissions: Int(OwnerOnly.fileMode)], ofItemAtPath: file)
        } catch {
            // A listing may then show an older state; the checkpoint itself is in SQLite.
        }
    }

    /// Every registered projection, sorted by name.
    public func registrations() -> [ProjectionRegistration] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return files.filter { $0.hasSuffix(".json") }.sorted().compactMap { f in
            guard let data = FileManager.default.contents(atPath: directory + "/" + f) else { return nil }
            return try? JSONDecoder().decode(ProjectionRegistration.self, from: data)
        }
    }

    public func registration(named name: String) -> ProjectionRegistration? {
        registrations().first { $0.name == name }
    }

    func attach(_ p: Projection) { live.withLock { $0[p.definition.name] = p } }
    func detach(_ p: Projection) { live.withLock { if $0[p.definition.name] === p { $0[p.definition.name] = nil } } }

    /// The projection of that name this process runs, if any.
    public func projection(named name: String) -> Projection? { live.withLock { $0[name] } }

    /// Status of every projection: live ones from memory, the others from their registry entry
    /// and their database's checkpoint row, sorted by name.
    public func statuses(store: EventStore) -> [ProjectionStatus] {
        let running = live.withLock { $0 }
        var out = running.values.map(\.status)
        for r in registrations() where running[r.name] == nil {
            out.append(Self.offlineStatus(r, store: store))
        }
        return out.sorted { $0.name < $1.name }
    }

    public func status(named name: String, store: EventStore) -> ProjectionStatus? {
        if let p = projection(named: name) { return p.status }
        return registration(named: name).map { Self.offlineStatus($0, store: store) }
    }

    /// A projection nobody runs: its last reported state (running becomes stopped, since its
    /// process is gone), its checkpoint as committed in its database, and its lag now.
    static func offlineStatus(_ r: ProjectionRegistration, store: EventStore) -> ProjectionStatus {
        let source = ProjectionSource(parsing: r.source)
        var row: ProjectionCheckpointTable.Row?
        var state = SubscriptionState(name: r.state, error: r.error)
        if state != .stopped, state.faultMessage == nil { state = .stopped }
        if FileManager.default.fileExists(atPath: r.database) {
            var config = Configuration()
            config.readonly = true
            do {
                let db = try DatabaseQueue(path: r.database, configuration: config)
                row = try db.read { try ProjectionCheckpointTable.load($0, projection: r.name) }
            } catch {
                state = .faulted("cannot read \(r.database): \(error)")
            }
        }
        let cursor = row?.cursor ?? ProjectionCursor(position: r.position, processed: r.processed)
        let rebuild = row?.rebuildTarget.map { RebuildProgress(done: cursor.processed, total: $0) }
        return ProjectionStatus(name: r.name, source: source, databasePath: r.database, definitionId: r.definition, state: state,
                                cursor: cursor, head: source.head(store), lag: source.lag(store, cursor: cursor), rebuild: rebuild,
                                live: false, rebuildRequested: row?.rebuildRequested ?? false)
    }

    /// Asks for a rebuild the projection's application runs when it next opens it (the reset
    /// closure is the application's code, so only it can drop the read model). Throws when the
    /// projection is unknown or its database cannot be written.
    public func requestRebuild(named name: String) throws(WharfError) {
        guard let r = registration(named: name) else { throw .invalidArgument("no projection named '\(name)'") }
        do {
            let db = try DatabaseQueue(path: r.database)
            try db.write { try ProjectionCheckpointTable.requestRebuild($0, projection: name) }
        } catch {
            throw .io("cannot request a rebuild in \(r.database): \(error)")
        }
    }
}
