import Foundation
import Synchronization
import WharfCore
import WharfEngine
import WharfStorage

/// The persistent subscription groups of a store: server-side consumer groups over a stream or
/// `$all` (EventStoreDB's model). Consumers connect to a group and compete: each event is in
/// flight to one consumer at a time. They ack, or nack with retry / park / skip; `tick()` retries
/// events whose message timeout passed; an event failing more than `maxRetryCount` times is parked:
/// a link to it is appended to `$persistentsubscription-<source>::<group>-parked`, and
/// `replayParked` feeds the parked events back, in order, ahead of new ones.
///
/// Durability: settings, checkpoint and parked-replay cursor are in one JSON file per group
/// (`PersistentSubscriptionFile`), rewritten atomically every `checkpointAfterAcks` acks, when
/// a replay settles, and on `close`. After a restart delivery resumes after the last written
/// checkpoint; events after it may be delivered again (at-least-once). `$all` is made durable
/// before each write, so a checkpoint never points past what a power cut leaves of it.
///
/// Thread-safety: one mutex over all groups. Lock order: this mutex, then the store's (parking
/// appends and reading ahead happen with it held); the store never calls in here with its own
/// lock held.
final class PersistentSubscriptions: Sendable {
    struct GroupKey: Hashable, Sendable {
        var source: EventSource
        var group: String
    }

    struct State: Sendable {
        var groups: [GroupKey: PersistentGroup] = [:]
        var nextConnection: UInt64 = 0
    }

    let directory: String
    /// Writes and removes the group files (journaled in crash tests).
    let files: DurableFile
    /// The store's `$all` log, which checkpoints and parked-stream cursors point into.
    let log: PartitionLog
    let state = Mutex(State())
    /// Serializes the file writes `flush` makes outside `state`, so two of them never race and
    /// a deleted group's file is not written again (deletion takes it too). Lock order: this,
    /// then `state`.
    let writes = Mutex(())
    /// Held for the write of one group file and nothing else (innermost lock): a checkpoint
    /// written under `state` and a `flush` round's write (under `writes` only) may otherwise
    /// run at once on the same file and collide on its temporary file (`<file>.tmp`).
    let fileWrites = Mutex(())

    init(directory: String, files: DurableFile, log: PartitionLog) {
        self.directory = directory
        self.files = files
        self.log = log
    }

    func load(store: EventStore) throws(WharfError) {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory) } catch {
            throw .io("cannot list \(directory): \(error.localizedDescription)")
        }
        var groups: [GroupKey: PersistentGroup] = [:]
        for name in names where name.hasSuffix(".json") {
            let file = try PersistentSubscriptionFile.load(directory + "/" + name)
            var group = PersistentGroup(file: file)
            try group.restore(store: store)
            groups[GroupKey(source: file.source, group: file.group)] = group
        }
        state.withLock { $0.groups = groups }
    }

    /// Runs `body` on the group under the mutex; writes the group's file when a checkpoint is
    /// due (unless `writeDueCheckpoint` is false: the caller runs `flush` rounds instead); bumps the store's change signal (unless `notify` is false) so waiting consumers look
    /// again. Receiving does not notify: two idle consumers would otherwise wake each other forever.
    func withGroup<R>(_ key: GroupKey, store: EventStore, notify: Bool = true, writeDueCheckpoint: Bool = true,
                      _ body: (inout PersistentGroup) throws(WharfError) -> R) throws(WharfError) -> R {
        let result = try state.withLock { (s: inout State) throws(WharfError) -> R in
            guard var g = s.groups[key] else { throw .unknownSubscription("\(key.source)::\(key.group)") }
            defer { s.groups[key] = g }
            let r = try body(&g)
            if writeDueCheckpoint, g.checkpointDue { try persist(&g) }
            return r
        }
        if notify { store.changes.bump() }
        return result
    }

    func persist(_ g: inout PersistentGroup) throws(WharfError) {
        let file = g.file
        // `$all` and the group file are synced independently: under `interval` a power cut could
        // otherwise keep a checkpoint past the end of `$all`, and the events appended there after
        // the restart would never be delivered.
        try log.ensureDurable()
        try save(file)
        g.persisted = file
        g.persistedCheckpoint = file.checkpoint
        g.persistedTruncateBefore = file.parkedTruncateBefore
        g.acksSinceCheckpoint = 0
    }

    /// Writes one group's file; every write of a group file goes through here (see `fileWrites`).
    func save(_ file: PersistentSubscriptionFile) throws(WharfError) {
        try fileWrites.withLock { (_: inout ()) throws(WharfError) in try file.save(in: directory, files: files) }
    }

    /// Writes the group's file if it changed since it was last written, with the syncs outside
    /// `state`: acks, nacks and deliveries of every group go on meanwhile, and what they change
    /// is the next call's to write. Callers run it in rounds (the gRPC listener: one round per
    /// call, covering every ack that arrived while the previous round synced).
    func flush(_ key: GroupKey) throws(WharfError) {
        try writes.withLock { (_: inout ()) throws(WharfError) in
            let snapshot = try state.withLock { (s: inout State) throws(WharfError) -> (file: PersistentSubscriptionFile, previous: PersistentSubscriptionFile?)? in
                guard let g = s.groups[key] else { throw .unknownSubscription("\(key.source)::\(key.group)") }
                return g.file == g.persisted ? nil : (g.file, g.persisted)
            }
            guard let snapshot else { return }
            try log.ensureDurable()  // see `persist`
            try save(snapshot.file)
            state.withLock { s in
                guard var g = s.groups[key] else { return }
                defer { s.groups[key] = g }
                guard g.persisted == snapshot.previous else {
                    // A checkpoint written under `state` landed between the snapshot and this
                    // write, which may have replaced it with an older state (never one that
                    // settles an unsettled event: only redeliveries): have the next round write.
                    g.persisted = nil
                    return
                }
                g.persisted = snapshot.file
                g.persistedCheckpoint = snapshot.file.checkpoint
                g.persistedTruncateBefore = snapshot.file.parkedTruncateBefore
                g.acksSinceCheckpoint = 0
            }
        }
    }

    /// Parks `p` (appends a link to the group's parked stream) and settles it.
    func park(_ ref: PersistentGroup.Ref, _ p: PersistentGroup.Pending, reason: String, in g: inout PersistentGroup,
              store: EventStore) throws(WharfError) {
        let meta = (try? JSONSerialization.data(withJSONObject: ["reason": reason, "retryCount": p.retryCount])) ?? Data()
        // A `$ce-`/`$et-` link is not stored: the parked link points to its target instead.
        let target = LinkStream(name: p.event.stream) != nil ? p.event.linkTarget : nil
        let link = EventData(type: StreamName.linkEventType,
                             data: Array("\(target?.revision ?? p.event.revision)@\(target?.stream ?? p.event.stream)".utf8),
                             metadata: Array(meta))
        do throws(WharfError) {
            _ = try store.appendValidated(stream: g.parkedStream, events: [link], expected: .any)
        } catch {
            g.fault = "cannot park \(p.event.id): \(error)"
            throw error
        }
        g.pending[ref] = p  // `fail` may have taken it out of the ready path; settle removes it
        g.settle(ref)
    }

    func checkpointAll() {
        state.withLock { s in
            for key in Array(s.groups.keys) where s.groups[key]!.file != s.groups[key]!.persisted {
                try? persist(&s.groups[key]!)
            }
        }
    }

    func snapshots(store: EventStore) -> [SubscriptionSnapshot] {
        let groups = state.withLock { Array($0.groups.values) }
        return groups.map { g in
            // Unsettled = pending events of the main flow + everything not yet read ahead.
            let ahead = store.lag(of: g.source, checkpoint: g.nextToRead == 0 ? nil : g.nextToRead - 1)
            let mainPending = g.pendingKeys.compactMap { g.pending[.main($0)] }
            let oldest = ([ahead.oldestUnprocessedTimestamp].compactMap { $0 } + mainPending.map(\.event.timestamp)).min()
            let lag = Lag(events: ahead.events + UInt64(mainPending.count), oldestUnprocessedTimestamp: oldest, now: store.clock.nowMillis())
            let parkedTotal = store.lastRevision(of: g.parkedStream).map { $0 + 1 } ?? 0
            let state: SubscriptionState = g.fault.map { .faulted($0) } ?? (g.connections.isEmpty ? .stopped : .running)
            return SubscriptionSnapshot(name: g.name, kind: .persistent, source: g.source, state: state, checkpoint: g.checkpoint,
                                        lagEvents: lag.events, lagSeconds: lag.seconds,
                                        oldestUnprocessedTimestamp: lag.oldestUnprocessedTimestamp,
                                        parkedCount: parkedTotal - min(parkedTotal, g.replayCursor),
                                        inFlightCount: g.inFlightCount, connectionCount: g.connections.count)
        }
    }
}
