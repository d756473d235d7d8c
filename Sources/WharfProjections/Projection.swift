import Foundation
import GRDB
import Synchronization
import WharfCore
import WharfEvents

/// Runs a `ProjectionDefinition`: reads its source after the checkpoint, a batch at a time, and
/// applies each batch and the new checkpoint in ONE SQLite transaction of the read model's
/// database. A crash (or an error) anywhere before the commit leaves both as they were, so the
/// batch is applied again from the same checkpoint, once; after the commit both moved together.
/// No event is applied twice and none is skipped.
///
/// No position is skipped when appends race (the "high-water mark" bug, Marten #3321): the
/// store publishes a position only after it is written, in position order, under its lock (see
/// `CatchUpSubscription`), and reads never go past that committed head; the projection resumes
/// after the last event it applied, never after the highest number it has seen announced.
///
/// States: `running` (following the source live), `stopped`, `faulted` (an `apply` threw; the
/// batch was rolled back; `start()` retries it), `rebuilding` (replaying from the start after
/// `rebuild()` until it reaches the head the source had when the rebuild began).
///
/// Thread-safety: the mutable state is behind a `Mutex`; one task runs the loop; GRDB's queue
/// serializes the transactions.
public final class Projection: Sendable {
    public let definition: ProjectionDefinition
    public let databasePath: String
    public let store: EventStore
    let database: DatabaseQueue
    let options: ProjectionOptions
    let registry: ProjectionRegistry?

    struct Live: Sendable {
        var state: SubscriptionState = .stopped
        var cursor = ProjectionCursor.start
        var rebuildTarget: UInt64?
        var rebuildRequested = false
        var batches = 0
        var task: Task<Void, Never>?
    }
    let live: Mutex<Live>

    private init(definition: ProjectionDefinition, databasePath: String, store: EventStore, database: DatabaseQueue,
                 options: ProjectionOptions, registry: ProjectionRegistry?, row: ProjectionCheckpointTable.Row?) {
        self.definition = definition
        self.databasePath = databasePath
        self.store = store
        self.database = database
        self.options = options
        self.registry = registry
        var l = Live()
        if let row {
            l.cursor = row.cursor
            l.rebuildTarget = row.rebuildTarget
        }
        live = Mutex(l)
    }

    /// Opens (creating if needed) the read model's database at `databasePath`, runs the
    /// definition's `setUp`, loads the checkpoint and registers the projection in `registry`.
    /// A rebuild requested while it was not running (`wharf projection rebuild`) starts here: the
    /// read model is reset and the projection replays from the start once started.
    /// It does not start reading: call `start()`.
    public static func open(_ definition: ProjectionDefinition, databasePath: String, store: EventStore,
                            registry: ProjectionRegistry? = nil, options: ProjectionOptions = ProjectionOptions()) throws(WharfError) -> Projection {
        try ProjectionRegistry.validate(definition.name)
        if let registry, registry.projection(named: definition.name) != nil {
            throw .invalidArgument("projection '\(definition.name)' is already running in this process")
        }
        let head = definition.source.head(store)
        let now = store.clock.nowMillis()
        let database: DatabaseQueue
        let row: ProjectionCheckpointTable.Row?
        do {
            var config = Configuration()
            config.busyMode = .timeout(10)
            OwnerOnly.createFileIfMissing(databasePath)
            database = try DatabaseQueue(path: databasePath, configuration: config)
            row = try database.write { db -> ProjectionCheckpointTable.Row? in
                try ProjectionCheckpointTable.create(db)
                try definition.setUp(db)
                guard var row = try ProjectionCheckpointTable.load(db, projection: definition.name) else { return nil }
                if row.rebuildRequested {
                    try definition.reset(db)
                    row = .init(cursor: .start, rebuildTarget: head, rebuildRequested: false, updatedAt: now)
                    try ProjectionCheckpointTable.save(db, projection: definition.name, row)
                }
                return row
            }
        } catch {
            throw .io("projection \(definition.name): cannot open \(databasePath): \(error)")
        }
        let p = Projection(definition: definition, databasePath: databasePath, store: store, database: database,
                           options: options, registry: registry, row: row)
        registry?.attach(p)
        p.persist()
        return p
    }

    public var name: String { definition.name }

    // MARK: Lifecycle

    /// Starts (or restarts after a fault) the loop; does nothing when it runs already.
    public func start() {
        live.withLock { l in
            guard l.task == nil else { return }
            l.state = l.rebuildTarget != nil ? .rebuilding : .running
            l.task = Task { await self.run() }
        }
        persist()
    }

    /// Stops the loop after its current batch (committed or rolled back, never half) and waits.
    public func stop() async {
        let task = live.withLock { l -> Task<Void, Never>? in
            defer { l.task = nil }
            return l.task
        }
        task?.cancel()
        await task?.value
        live.withLock { l in if l.state.faultMessage == nil { l.state = .stopped } }
        persist()
    }

    /// Stops it, then stops tracking it in the registry (the registry file stays, for listings).
    public func close() async {
        await stop()
        registry?.detach(self)
    }

    /// Rebuild: stops the loop, then in one transaction runs the definition's `reset` and puts
    /// the checkpoint back to the start, then replays the source from its first event. The state
    /// is `rebuilding`, with progress against the source's head at this moment, until that head
    /// is reached. A crash during the rebuild resumes it where it got to.
    public func rebuild() async throws(WharfError) {
        await stop()
        let target = definition.source.head(store)
        do {
            try resetReadModel(rebuildTarget: target)
        } catch {
            live.withLock { $0.state = .faulted("rebuild: \(error)") }
            persist()
            throw .io("projection \(name): rebuild failed: \(error)")
        }
        live.withLock { l in
            l.cursor = .start
            l.rebuildTarget = target
            l.state = .stopped
        }
        start()
    }

    /// The definition's reset and the checkpoint back at the start, in one transaction.
    func resetReadModel(rebuildTarget target: UInt64) throws {
        let now = store.clock.nowMillis()
        let reset = definition.reset
        try database.write { db in
            try reset(db)
            try ProjectionCheckpointTable.save(db, projection: definition.name,
                                               .init(cursor: .start, rebuildTarget: target, rebuildRequested: false, updatedAt: now))
        }
    }

    // MARK: The loop

    func run() async {
        while !Task.isCancelled {
            if let pace = options.beforeBatch { await pace() }
            if Task.isCancelled { return }
            let seen = store.changeVersion
            do {
                if try step() { continue }
                await store.waitForChange(since: seen)
            } catch {
                if Task.isCancelled || store.closed { return }
                live.withLock { l in
                    l.state = .faulted("\(error)")
                    l.task = nil
                }
                persist()
                return
            }
        }
    }

    /// Applies the next batch with its checkpoint in one transaction; false when there was none.
    func step() throws -> Bool {
        let (cursor, target, batch) = live.withLock { l -> (ProjectionCursor, UInt64?, Int) in
            l.batches += 1
            return (l.cursor, l.rebuildTarget, l.batches)
        }
        let events = try definition.source.read(store, after: cursor, max: options.batchSize)
        guard let last = events.last else {
            if let target, cursor.processed >= target { finishRebuild() }
            return false
        }
        let next = ProjectionCursor(position: last.position, processed: cursor.processed + UInt64(events.count))
        let stillRebuilding = target.map { next.processed < $0 } ?? false
        let row = ProjectionCheckpointTable.Row(cursor: next, rebuildTarget: stillRebuilding ? target : nil,
                                                rebuildRequested: false, updatedAt: store.clock.nowMillis())
        let apply = definition.apply
        let fault = options.fault
        // The checkpoint must not outlive, in a power cut, the events it points past.
        try store.ensureDurable()
        try database.write { db in
            for e in events { try apply(db, e) }
            try fault?(.afterApply(batch: batch))
            try ProjectionCheckpointTable.save(db, projection: definition.name, row)
            try fault?(.beforeCommit(batch: batch))
        }
        live.withLock { $0.cursor = next }
        if target != nil, !stillRebuilding { finishRebuild() }
        return true
    }

    func finishRebuild() {
        live.withLock { l in
            l.rebuildTarget = nil
            if l.state == .rebuilding { l.state = .running }
        }
        persist()
    }

    // MARK: Status

    public var status: ProjectionStatus {
        let (state, cursor, target, requested) = live.withLock { ($0.state, $0.cursor, $0.rebuildTarget, $0.rebuildRequested) }
        let source = definition.source
        return ProjectionStatus(name: name, source: source, databasePath: databasePath, definitionId: definition.definitionId,
                                state: state, cursor: cursor, head: source.head(store), lag: source.lag(store, cursor: cursor),
                                rebuild: target.map { RebuildProgress(done: cursor.processed, total: $0) }, live: true,
                                rebuildRequested: requested)
    }

    /// Reads the read model (a snapshot-consistent read between transactions).
    public func read<T>(_ body: (Database) throws -> T) throws -> T {
        try database.read(body)
    }

    func persist() {
        guard let registry else { return }
        let (state, cursor) = live.withLock { ($0.state, $0.cursor) }
        registry.record(ProjectionRegistration(name: name, database: databasePath, source: definition.source.description,
                                               definition: definition.definitionId, state: state.name, error: state.faultMessage,
                                               position: cursor.position, processed: cursor.processed,
                                               updatedAt: store.clock.nowMillis()))
    }
}
