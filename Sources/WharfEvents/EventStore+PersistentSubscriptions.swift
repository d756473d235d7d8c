import Foundation
import WharfCore

/// Persistent subscription administration and the consumer operations (see
/// `PersistentSubscriptions` for the model).
extension EventStore {
    typealias GroupKey = PersistentSubscriptions.GroupKey

    /// Creates a group on `source`; `.end` in the settings is resolved now and written as the
    /// initial checkpoint, so a restart does not move the start.
    public func createPersistentSubscription(_ group: String, on source: EventSource,
                                             settings: PersistentSubscriptionSettings = PersistentSubscriptionSettings()) throws(WharfError) {
        try settings.validate()
        guard !group.isEmpty, !group.contains("::") else { throw .invalidName("group name must be non-empty and not contain '::'") }
        if case .stream(let s) = source { try StreamName.validate(s, allowSystem: true) }
        let first = resolve(settings.startFrom, for: source)
        let file = PersistentSubscriptionFile(source: source, group: group, settings: settings, checkpoint: first == 0 ? nil : first - 1,
                                              parkedTruncateBefore: 0, createdAt: clock.nowMillis())
        try persistent.state.withLock { (s: inout PersistentSubscriptions.State) throws(WharfError) in
            let key = GroupKey(source: source, group: group)
            guard s.groups[key] == nil else { throw .subscriptionExists("\(source)::\(group)") }
            try persistent.save(file)
            s.groups[key] = PersistentGroup(file: file)
        }
        logger.info("created persistent subscription", metadata: ["source": "\(source)", "group": "\(group)"])
    }

    /// Replaces a group's settings (its checkpoint stays; `startFrom` matters only at creation).
    public func updatePersistentSubscription(_ group: String, on source: EventSource,
                                             settings: PersistentSubscriptionSettings) throws(WharfError) {
        try settings.validate()
        try persistent.withGroup(GroupKey(source: source, group: group), store: self) { (g: inout PersistentGroup) throws(WharfError) in
            g.settings = settings
            try persistent.persist(&g)
        }
    }

    /// Deletes a group and its file; its consumers' sequences end. The parked stream is kept.
    public func deletePersistentSubscription(_ group: String, on source: EventSource) throws(WharfError) {
        let key = GroupKey(source: source, group: group)
        // Holding `writes`: a `flush` round cannot write the file again after it is removed.
        try persistent.writes.withLock { (_: inout ()) throws(WharfError) in
            try persistent.state.withLock { (s: inout PersistentSubscriptions.State) throws(WharfError) in
                guard s.groups[key] != nil else { throw .unknownSubscription("\(source)::\(group)") }
                // The file first: if it cannot go, the group stays (it would come back on the next open).
                try persistent.files.remove(persistent.directory + "/" + PersistentSubscriptionFile.fileName(source: source, group: group))
                s.groups[key] = nil
            }
        }
        changes.bump()
    }

    /// A group's settings and counters (what EventStoreDB's GetInfo reports).
    public func persistentSubscriptionStatus(_ group: String, on source: EventSource) throws(WharfError) -> PersistentSubscriptionStatus {
        try status(GroupKey(source: source, group: group))
    }

    public func listPersistentSubscriptions() -> [PersistentSubscriptionInfo] {
        persistent.state.withLock { s in
            s.groups.values.map { PersistentSubscriptionInfo(source: $0.source, group: $0.group, settings: $0.settings, parkedStream: $0.parkedStream) }
        }.sorted { ($0.source.description, $0.group) < ($1.source.description, $1.group) }
    }

    /// Connects a consumer to a group. Several connections to one group compete for its events.
    public func connectToPersistentSubscription(_ group: String, on source: EventSource,
                                                consumerName: String = "consumer") throws(WharfError) -> PersistentSubscriptionConnection {
        let key = GroupKey(source: source, group: group)
        let connection = try persistent.state.withLock { (s: inout PersistentSubscriptions.State) throws(WharfError) -> UInt64 in
            guard let g = s.groups[key] else { throw .unknownSubscription("\(source)::\(group)") }
            guard g.settings.maxSubscriberCount == 0 || g.connections.count < g.settings.maxSubscriberCount else {
                throw .policyViolation("Maximum subscriptions reached: \(source)::\(group) allows \(g.settings.maxSubscriberCount)")
            }
            s.nextConnection += 1
            s.groups[key]?.connections[s.nextConnection] = consumerName
            return s.nextConnection
        }
        changes.bump()
        return PersistentSubscriptionConnection(store: self, key: key, id: connection, consumerName: consumerName)
    }

    /// Moves the group's parked events (those parked before this call, or the first `stopAt`
    /// revisions of the parked stream, or the next `maxCount` parked events) back to delivery, in
    /// parked order, ahead of new events. Returns how many were taken back.
    @discardableResult
    public func replayParked(_ group: String, on source: EventSource, stopAt: UInt64? = nil,
                             maxCount: UInt64? = nil) throws(WharfError) -> UInt64 {
        try persistent.withGroup(GroupKey(source: source, group: group), store: self) { (g: inout PersistentGroup) throws(WharfError) -> UInt64 in
            let total = lastRevision(of: g.parkedStream).map { $0 + 1 } ?? 0
            let stop = min(total, stopAt ?? total, maxCount.map { g.replayCursor.addingReportingOverflow($0).overflow ? total : g.replayCursor + $0 } ?? total)
            guard stop > g.replayCursor else { return 0 }
            g.replayStopAt = stop
            let before = g.replayCursor
            try g.fill(store: self)
            return stop - before
        }
    }

    /// The group's parked events not yet replayed (the originals, in parked order).
    public func parkedEvents(_ group: String, on source: EventSource, maxCount: Int = 100) throws(WharfError) -> [RecordedEvent] {
        let (stream, from) = try persistent.withGroup(GroupKey(source: source, group: group), store: self, notify: false) { g in (g.parkedStream, g.replayCursor) }
        var out: [RecordedEvent] = []
        for link in try readStream(stream, from: from, maxCount: maxCount) {
            if let t = link.linkTarget, let e = try readStream(t.stream, from: t.revision, maxCount: 1).first { out.append(e) }
        }
        return out
    }

    /// Retries every in-flight event whose message timeout has passed by the store's clock
    /// (parking those out of retries). Call it periodically (the executable: with the engine's
    /// maintenance). Returns the number of timed-out events.
    @discardableResult
    public func tick() -> Int {
        let now = clock.nowMillis()
        let keys = persistent.state.withLock { Array($0.groups.keys) }
        var count = 0
        for key in keys {
            let due = persistent.state.withLock { !($0.groups[key]?.expired(now: now).isEmpty ?? true) }
            guard due else { continue }  // nothing timed out: no wake-up for waiting consumers
            count += (try? persistent.withGroup(key, store: self) { (g: inout PersistentGroup) throws(WharfError) -> Int in
                let expired = g.expired(now: now)
                for ref in expired {
                    if let p = g.fail(ref) {
                        try persistent.park(ref, p, reason: "message timeout after \(p.retryCount) attempt(s)", in: &g, store: self)
                    }
                }
                return expired.count
            }) ?? 0
        }
        return count
    }

    // MARK: Consumer operations (called through `PersistentSubscriptionConnection`)

    /// Takes up to `max` ready events; with `inFlightLimit`, only as many as keep this consumer's
    /// events in flight at or below it. When a round-robin take leaves events ready, the other
    /// consumers are woken to take their turn.
    func receive(_ key: GroupKey, connection: UInt64, max: Int, inFlightLimit: Int? = nil) throws(WharfError) -> [PersistentEvent] {
        let now = clock.nowMillis()
        let (taken, othersMayTake) = try persistent.withGroup(key, store: self, notify: false) {
            (g: inout PersistentGroup) throws(WharfError) -> ([PersistentEvent], Bool) in
            guard g.connections[connection] != nil else { return ([], false) }
            guard !isClosed else { throw closedError }
            do throws(WharfError) { try g.fill(store: self) } catch {
                g.fault = "\(error)"
                throw error
            }
            let room = inFlightLimit.map { Swift.max(0, $0 - g.inFlight(of: connection)) } ?? max
            let taken = g.take(max: Swift.min(max, room), connection: connection, now: now)
            return (taken, !taken.isEmpty && g.connections.count > 1 && g.readyCount > 0)
        }
        if othersMayTake { changes.bump() }
        return taken
    }

    /// Writes the group's file now if anything in it changed since it was last written: after
    /// it, every ack and nack applied before the call survives a crash. The write and its syncs
    /// run outside the groups' lock (see `PersistentSubscriptions.flush`).
    func flush(_ key: GroupKey) throws(WharfError) {
        try persistent.flush(key)
    }

    func ack(_ key: GroupKey, ids: [UUID], durability: AckDurability = .checkpoints) throws(WharfError) {
        try persistent.withGroup(key, store: self, writeDueCheckpoint: durability == .checkpoints) { g in
            for id in ids { if let ref = g.byId[id] { g.settle(ref) } }
        }
    }

    func nack(_ key: GroupKey, ids: [UUID], action: NackAction, reason: String, durability: AckDurability = .checkpoints) throws(WharfError) {
        try persistent.withGroup(key, store: self, writeDueCheckpoint: durability == .checkpoints) { (g: inout PersistentGroup) throws(WharfError) in
            for id in ids {
                guard let ref = g.byId[id], let p = g.pending[ref] else { continue }
                switch action {
                case .skip: g.settle(ref)
                case .park: try persistent.park(ref, p, reason: reason, in: &g, store: self)
                case .retry:
                    if let out = g.fail(ref) {
                        try persistent.park(ref, out, reason: "\(reason) (retries exhausted after \(out.retryCount) attempt(s))", in: &g, store: self)
                    }
                }
            }
        }
    }

    func disconnect(_ key: GroupKey, connection: UInt64) {
        _ = try? persistent.withGroup(key, store: self) { g in
            g.connections[connection] = nil
            g.release(connection: connection)
        }
    }

    func status(_ key: GroupKey) throws(WharfError) -> PersistentSubscriptionStatus {
        let g = try persistent.withGroup(key, store: self, notify: false) { g in g }
        let parkedTotal = lastRevision(of: g.parkedStream).map { $0 + 1 } ?? 0
        let lastKnown: UInt64? = switch g.source {
        case .all: endPosition == 0 ? nil : endPosition - 1
        case .stream(let name):
            if let link = LinkStream(name: name) {
                linkCount(link) == 0 ? nil : linkCount(link) - 1
            } else {
                lastRevision(of: name)
            }
        }
        return PersistentSubscriptionStatus(
            info: PersistentSubscriptionInfo(source: g.source, group: g.group, settings: g.settings, parkedStream: g.parkedStream),
            checkpoint: g.persistedCheckpoint, lastKnown: lastKnown, parkedCount: parkedTotal - min(parkedTotal, g.replayCursor),
            readyCount: g.readyCount, retryCount: g.pending.values.reduce(0) { $0 + ($1.owner == nil && $1.retryCount > 0 ? 1 : 0) },
            inFlightCount: g.inFlightCount,
            connections: g.connections.sorted { $0.key < $1.key }.map { .init(consumerName: $0.value, inFlight: g.inFlight(of: $0.key)) })
    }

    func isConnected(_ key: GroupKey, connection: UInt64) -> Bool {
        persistent.state.withLock { $0.groups[key]?.connections[connection] != nil }
    }
}
