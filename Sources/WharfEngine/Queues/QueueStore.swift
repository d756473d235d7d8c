import Foundation
import Logging
import Synchronization
import WharfCore
import WharfStorage

/// The queues of a data directory (Service Bus semantics, reference §1): creation, lookup,
/// send with auto-forwarding and broker dead-lettering, and maintenance.
///
/// Layout: `<data>/queues/<name>/queue.json` (`QueueOptions`), `<data>/queues/<name>/messages/`
/// and `journal/` (the queue entity, see `QueueEntity`), `<data>/queues/<name>/deadletter/`
/// (`messages/`, `journal/`: the entity `<name>/$deadletterqueue`). `<data>/queues/@scratch/`
/// holds queues being created or deleted and is emptied on open (`ScratchDirectory`); no other
/// directory is ever removed because of its name (`orders.deleted-v1` is a legal queue name).
///
/// Wiring: the store does not take the data-directory lock; open it after `Engine.open` on the
/// same directory (the engine holds the lock for both), close it before `Engine.close`, and call
/// `tick()` from the executable's maintenance loop (e.g. beside `Engine.runMaintenance`, every
/// 200 ms):
/// ```
/// let engine = try Engine.open(config: config, clock: clock, logger: logger)
/// let queues = try QueueStore.open(dataDirectory: config.dataDirectory, clock: clock, logger: logger, fsync: config.fsync)
/// // or, equivalently: let queues = try engine.openQueues()
/// ```
///
/// Thread-safety: the entity table sits behind a mutex held only for lookups and table changes;
/// each entity has its own mutex. No code path holds two entity locks at once: operations that
/// span entities (dead-letter, requeue, activation) go through the two-step move of
/// `QueueStore+Move.swift`, taking one entity's lock per step.
public final class QueueStore: Sendable {
    public let dataDirectory: String
    public let clock: any WallClock
    public let fsync: FsyncPolicy
    /// Test seam handed to every entity's logs (nil in production; see `EngineConfig.faults`).
    let faults: FaultInjector?
    /// How long purged messages stay restorable with `undoPurge` (default 15 minutes).
    public let purgeUndoWindowMillis: Int64
    let logger: Logger
    /// `<data>/audit.log`: queue creation, changes, deletion, purges and requeues, with who made them.
    public let audit: AuditLog
    let entities: Mutex<[String: QueueEntity]>
    /// Service Bus topics and the rules of their subscriptions (`QueueStore+Topics.swift`);
    /// the subscriptions themselves are entities of `entities`.
    let topics: Mutex<[String: ServiceBusTopic]>
    /// Test seam: called between the two steps of every move with "after-copy", and after each
    /// copy of a topic fan-out with "fan-out-copy"; a throw simulates a crash there (the move or
    /// fan-out is left half-done, as a `kill -9` would leave it).
    let crashHook = Mutex<(@Sendable (String) throws -> Void)?>(nil)
    private let closed = Atomic<Bool>(false)
    /// Where `maintainSoon` runs an entity's maintenance, and the entities queued there.
    private let maintenanceQueue = DispatchQueue(label: "wharf.queues.maintenance")
    private let maintenanceQueued = Mutex<Set<ObjectIdentifier>>([])

    var queuesDirectory: String { dataDirectory + "/queues" }
    /// Queue directory and options changes (journaled in crash tests).
    var files: DurableFile { DurableFile(faults: faults) }

    private init(dataDirectory: String, clock: any WallClock, fsync: FsyncPolicy, purgeUndoWindowMillis: Int64,
                 logger: Logger, entities: [String: QueueEntity], topics: [String: ServiceBusTopic], faults: FaultInjector?) {
        self.faults = faults
        self.dataDirectory = dataDirectory
        self.clock = clock
        self.fsync = fsync
        self.purgeUndoWindowMillis = purgeUndoWindowMillis
        self.logger = logger
        self.audit = AuditLog(dataDirectory: dataDirectory, clock: clock, logger: logger)
        self.entities = Mutex(entities)
        self.topics = Mutex(topics)
    }

    /// Opens every queue under `<dataDirectory>/queues` (creating the folder), replays their logs
    /// and completes moves that a crash interrupted (see `recoverMoves`).
    public static func open(dataDirectory: String, clock: any WallClock = SystemClock(),
                            logger: Logger = Logger(label: "wharf.queues"), fsync: FsyncPolicy = .interval(milliseconds: 1000),
                            purgeUndoWindowMillis: Int64 = 15 * 60_000) throws(WharfError) -> QueueStore {
        try open(dataDirectory: dataDirectory, clock: clock, logger: logger, fsync: fsync, purgeUndoWindowMillis: purgeUndoWindowMillis, faults: nil)
    }

    /// `open` with a fault injector on every log (tests, through `EngineConfig.faults`).
    static func open(dataDirectory: String, clock: any WallClock, logger: Logger, fsync: FsyncPolicy,
                     purgeUndoWindowMillis: Int64, faults: FaultInjector?) throws(WharfError) -> QueueStore {
        let fm = FileManager.default
        let root = dataDirectory + "/queues"
        try DurableFile(faults: faults).makeDirectoryDurably(root)
        var table: [String: QueueEntity] = [:]
        var topics: [String: ServiceBusTopic] = [:]
        do {
            try ScratchDirectory(inside: root, files: DurableFile(faults: faults)).purge(logger: logger)
            for name in ((try? fm.contentsOfDirectory(atPath: root)) ?? []).sorted() where name != ScratchDirectory.name {
                let dir = root + "/" + name
                if fm.fileExists(atPath: dir + "/" + TopicOptions.fileName) {
                    topics[name] = try openTopic(name: name, directory: dir, fsync: fsync, clock: clock, logger: logger, faults: faults, into: &table)
                    continue
                }
                guard fm.fileExists(atPath: dir + "/" + QueueOptions.fileName) else { continue }
                let options = try QueueOptions.load(from: dir)
                for (key, entity) in try openEntities(name: name, directory: dir, options: options, fsync: fsync, clock: clock, logger: logger, faults: faults) {
                    table[key] = entity
                }
            }
        } catch {
            for e in table.values { try? e.close() }
            throw error
        }
        let store = QueueStore(dataDirectory: dataDirectory, clock: clock, fsync: fsync,
                               purgeUndoWindowMillis: purgeUndoWindowMillis, logger: logger, entities: table, topics: topics, faults: faults)
        do {
            try store.recoverMoves()
            try store.recoverFanOuts()
        } catch {
            try? store.close()
            throw error
        }
        return store
    }

    static func openEntities(name: String, directory: String, options: QueueOptions, fsync: FsyncPolicy,
                             clock: any WallClock, logger: Logger, faults: FaultInjector?) throws(WharfError) -> [(String, QueueEntity)] {
        let queue = try QueueEntity.open(path: name, directory: directory, options: options, isDeadLetter: false,
                                         fsync: fsync, clock: clock, logger: logger, faults: faults)
        var dlqOptions = QueueOptions(lockDurationMillis: options.lockDurationMillis)
        dlqOptions.createdAt = options.createdAt
        do {
            let dlq = try QueueEntity.open(path: QueueNames.deadLetter(of: name), directory: directory + "/deadletter",
                                           options: dlqOptions, isDeadLetter: true, fsync: fsync, clock: clock, logger: logger, faults: faults)
            return [(name, queue), (dlq.path, dlq)]
        } catch {
            try? queue.close()
            throw error
        }
    }

    /// Closes every entity log (clean-shutdown markers). Locks are dropped.
    public func close() throws(WharfError) {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        maintenanceQueue.sync {}  // a pass queued by `maintainSoon` finishes before the logs close
        var first: WharfError?
        for e in entities.withLock({ Array($0.values) }) {
            do { try e.close() } catch { first = first ?? error }
        }
        for t in topics.withLock({ Array($0.values) }) {
            do { try t.fanOut?.close() } catch { first = first ?? error }
        }
        if let first { throw first }
    }

    /// The entity for a path `q` or `q/$deadletterqueue` (any case of the suffix).
    func entity(_ path: String) throws(WharfError) -> QueueEntity {
        let (queue, dead) = QueueNames.parse(path)
        let canonical = SubscriptionNames.canonical(queue)
        let key = dead ? QueueNames.deadLetter(of: canonical) : canonical
        guard let e = entities.withLock({ $0[key] }) else { throw .unknownQueue(path) }
        return e
    }

    // MARK: - Administration

    @discardableResult
    public func createQueue(_ name: String, _ options: QueueOptions = QueueOptions(),
                            actor: AuditActor = .thisProcess) throws(WharfError) -> QueueOptions {
        try audit.audited(actor, AuditAction.queueCreate, target: "queue:\(name)", after: { Self.auditFields($0) }) { () throws(WharfError) in
            try createQueueUnaudited(name, options)
        }
    }

    /// What the audit log says of a queue's options.
    static func auditFields(_ o: QueueOptions) -> [String: String] {
        var fields = ["lock-duration-ms": String(o.lockDurationMillis), "max-delivery-count": String(o.maxDeliveryCount)]
        fields["default-ttl-ms"] = o.defaultTimeToLiveMillis.map(String.init)
        fields["forward-to"] = o.forwardTo
        fields["forward-dead-lettered-to"] = o.forwardDeadLetteredMessagesTo
        fields["requires-session"] = o.requiresSession ? "true" : nil
        return fields
    }

    private func createQueueUnaudited(_ name: String, _ options: QueueOptions) throws(WharfError) -> QueueOptions {
        try QueueNames.validateQueue(name)
        if topicExists(name) { throw .queueExists(name) }
        return try createEntity(name, options)
    }

    /// Creates the entity `name` (a queue, or a subscription `<topic>/Subscriptions/<sub>` whose
    /// topic directory exists) with its dead-letter queue; `prepare` adds files to the staging
    /// directory before it is published (a subscription's rules), so they appear with it.
    func createEntity(_ name: String, _ options: QueueOptions,
                      prepare: (String) throws(WharfError) -> Void = { _ in }) throws(WharfError) -> QueueOptions {
        try options.validate()
        var opts = options
        opts.createdAt = clock.nowMillis()
        try entities.withLock { (table: inout [String: QueueEntity]) throws(WharfError) in
            if table[name] != nil { throw .queueExists(name) }
            for target in [opts.forwardTo, opts.forwardDeadLetteredMessagesTo].compactMap({ $0 }) where target != name && table[target] == nil {
                throw .unknownQueue(target)
            }
            // Built in scratch and renamed into place: a crash never leaves half a queue.
            let dir = queuesDirectory + "/" + name
            let scratch = ScratchDirectory(inside: queuesDirectory, files: files)
            let staging = try scratch.makeStaging()
            do throws(WharfError) {
                try opts.save(to: staging, files: files)
                try prepare(staging)
            } catch {
                try? files.removeTree(staging)
                throw error
            }
            try scratch.publish(staging, as: dir)
            do throws(WharfError) {
                for (key, e) in try Self.openEntities(name: name, directory: dir, options: opts, fsync: fsync, clock: clock, logger: logger, faults: faults) {
                    table[key] = e
                }
            } catch {
                try? scratch.discard(dir, logger: logger)
                throw error
            }
        }
        logger.info("created queue", metadata: ["queue": "\(name)"])
        return opts
    }

    /// Replaces a queue's options (e.g. to close a forwarding loop after both queues exist).
    public func updateQueue(_ name: String, _ options: QueueOptions, actor: AuditActor = .thisProcess) throws(WharfError) {
        let before = (try? self.options(name)).map(Self.auditFields)
        try audit.audited(actor, AuditAction.queueUpdate, target: "queue:\(name)", before: before,
                          after: { _ in Self.auditFields(options) }) { () throws(WharfError) in
            try updateQueueUnaudited(name, options)
        }
    }

    private func updateQueueUnaudited(_ name: String, _ options: QueueOptions) throws(WharfError) {
        try options.validate()
        let e = try entity(name)
        guard !e.isDeadLetter else { throw .invalidArgument("a dead-letter queue has no options of its own") }
        var opts = options
        opts.createdAt = e.state.withLock { $0.options.createdAt }
        for target in [opts.forwardTo, opts.forwardDeadLetteredMessagesTo].compactMap({ $0 }) {
            _ = try entity(target)
        }
        try opts.save(to: e.directory, files: files)
        e.state.withLock { $0.options = opts }
        try entity(QueueNames.deadLetter(of: name)).state.withLock { $0.options.lockDurationMillis = opts.lockDurationMillis }
    }

    public func options(_ name: String) throws(WharfError) -> QueueOptions {
        try entity(name).state.withLock { $0.options }
    }

    /// Queue names, sorted (dead-letter subqueues not listed: every queue has one).
    public func listQueues() -> [String] {
        entities.withLock { $0.values.filter { !$0.isDeadLetter }.map(\.path) }.sorted()
    }

    /// The dead-letter queue of every queue, sorted (`q/$deadletterqueue`).
    public func listDeadLetterQueues() -> [String] {
        listQueues().map(QueueNames.deadLetter(of:))
    }

    /// The runtime counts of every dead-letter queue (`wharf dlq list`), in `listDeadLetterQueues` order.
    public func deadLetterQueueCounts() throws(WharfError) -> [QueueRuntimeCounts] {
        try listDeadLetterQueues().map { (dlq: String) throws(WharfError) -> QueueRuntimeCounts in try runtimeCounts(dlq) }
    }

    /// Deletes a queue with its dead-letter queue and all their messages. Queues forwarding to it
    /// keep their setting; sends through them then fail with `.unknownQueue`.
    public func deleteQueue(_ name: String, actor: AuditActor = .thisProcess) throws(WharfError) {
        let before = (try? runtimeCounts(name)).map { ["messages": String($0.activeCount)] }
        try audit.audited(actor, AuditAction.queueDelete, target: "queue:\(name)", before: before) { () throws(WharfError) in
            try deleteQueueUnaudited(name)
        }
    }

    func deleteQueueUnaudited(_ name: String) throws(WharfError) {
        let name = SubscriptionNames.canonical(name)
        let removed = try entities.withLock { (table: inout [String: QueueEntity]) throws(WharfError) -> [QueueEntity] in
            guard let q = table.removeValue(forKey: name), !q.isDeadLetter else { throw .unknownQueue(name) }
            return [q, table.removeValue(forKey: QueueNames.deadLetter(of: name))].compactMap { $0 }
        }
        for e in removed { try? e.close() }
        forgetSubscription(name)
        // Moved to scratch first (atomic and durable; a crash leaves scratch, emptied on open).
        try ScratchDirectory(inside: queuesDirectory, files: files).discard(queuesDirectory + "/" + name, logger: logger)
        logger.info("deleted queue", metadata: ["queue": "\(name)"])
    }

    /// Runtime counts of `entity` (a queue or its dead-letter queue).
    public func runtimeCounts(_ entity: String) throws(WharfError) -> QueueRuntimeCounts {
        let e = try self.entity(entity)
        let now = clock.nowMillis()
        var c = e.counts(now: now)
        if !e.isDeadLetter { c.deadLetterCount = try self.entity(QueueNames.deadLetter(of: e.path)).counts(now: now).totalCount }
        return c
    }

    // MARK: - Maintenance

    /// Maintenance of every entity (callers drive it; nothing runs on its own): releases expired
    /// locks (counting the delivery, dead-lettering past the max delivery count), activates due
    /// scheduled messages, expires messages past their TTL, forgets purged messages past the undo
    /// window, reclaims the settled head of each message log, compacts long journals into a
    /// snapshot (`QueueEntity+Compaction.swift`), and fsyncs logs whose interval is
    /// due. Returns the number of messages moved; an entity that fails is logged, the others
    /// still run, and the first error is thrown at the end.
    @discardableResult
    public func tick() throws(WharfError) -> Int {
        var moved = 0
        var first: WharfError?
        for e in entities.withLock({ Array($0.values) }) {
            // One entity's failure (e.g. a failed fsync) must not stop the others' upkeep.
            do {
                moved += try maintain(e)
                try e.reclaimSettledHead(now: clock.nowMillis())
                try e.compactJournal()
                try e.messages.flushIfDue()
                try e.journal.flushIfDue()
            } catch {
                logger.error("queue maintenance failed", metadata: ["entity": "\(e.path)", "error": "\(error)"])
                first = first ?? error
            }
        }
        if let first { throw first }
        return moved
    }

    /// Maintenance of one entity (also run before each blocking receive on it): returns once
    /// its moves are done and its journal write is durable.
    func maintain(_ e: QueueEntity) throws(WharfError) -> Int {
        let pass = try e.maintain(now: clock.nowMillis(), purgeUndoWindow: purgeUndoWindowMillis)
        // The moves first: a journal that failed must not leave them marked and never made.
        for m in pass.moves {
            if m.reason == nil { _ = try activate(m.seq, in: e) } else { _ = try deadLetter(m, from: e) }
        }
        try pass.pending?.durableBlocking()
        return pass.moves.count
    }

    /// Runs `e`'s maintenance on the store's maintenance queue when it is due, for a caller
    /// that must not wait for the disk (a listener's event loop, before a receive): its moves
    /// wait for fdatasyncs whatever the policy. The receive does not need it first: it skips
    /// what maintenance would take away (expired messages), and what maintenance makes
    /// available (a released lock, an activated scheduled message) the next receive finds.
    func maintainSoon(_ e: QueueEntity) {
        guard e.isDue(now: clock.nowMillis()),
              maintenanceQueued.withLock({ $0.insert(ObjectIdentifier(e)).inserted }) else { return }
        maintenanceQueue.async { [self] in
            maintenanceQueued.withLock { _ = $0.remove(ObjectIdentifier(e)) }
            guard !closed.load(ordering: .acquiring) else { return }
            do { _ = try maintain(e) } catch {
                logger.error("queue maintenance failed", metadata: ["entity": "\(e.path)", "error": "\(error)"])
            }
        }
    }
}
