import Foundation
import WharfCore

/// The server-side state of one persistent subscription group: what has been read from the
/// source and not yet settled, who holds what, retries, parked replay, and the checkpoint.
/// A value type guarded by `PersistentSubscriptions`' mutex. Keys are positions (`.all`) or
/// revisions (stream).
///
/// Invariants:
/// - every event read from the source (`key < nextToRead`) is either settled (acked, skipped or
///   parked) or in `pending`; `pendingKeys` lists the pending keys ascending;
/// - `checkpoint` = one before the smallest unsettled key (`pendingKeys.first ?? nextToRead`), nil
///   when that is 0: everything up to it is settled, so restarting after it loses nothing
///   (events after it may be delivered again: at-least-once);
/// - an event is ready (in one of the `ready` queues, owner nil) or in flight to exactly one
///   consumer (owner set, deadline set), never both;
/// - parked-stream revisions `< replayCursor` have been taken back for replay; those still
///   unsettled are in `replaying`; `truncateBefore` (persisted) = smallest of them, else the cursor.
struct PersistentGroup: Sendable {
    struct Pending: Sendable {
        var event: RecordedEvent
        var retryCount = 0
        var owner: UInt64?
        var deadline: Int64?
        var parkedRevision: UInt64?
    }

    enum Ref: Hashable, Sendable {
        case main(UInt64)
        case replay(UInt64)
    }

    let source: EventSource
    let group: String
    var settings: PersistentSubscriptionSettings
    let createdAt: Int64
    var nextToRead: UInt64
    var pending: [Ref: Pending] = [:]
    var pendingKeys: [UInt64] = []
    var byId: [UUID: Ref] = [:]
    var readyReplay: [Ref] = []
    var readyRetry: [Ref] = []
    var readyFresh: [Ref] = []
    var connections: [UInt64: String] = [:]
    var persistedCheckpoint: UInt64?
    var acksSinceCheckpoint = 0
    var replayCursor: UInt64
    var persistedTruncateBefore: UInt64
    var replayStopAt: UInt64?
    var fault: String?
    /// The file as last written (nil: not since loading); `flush` writes only when it changed.
    var persisted: PersistentSubscriptionFile?
    /// Unsettled events of the loaded file, delivered again by `restore`.
    var toRestore: [PersistentSubscriptionFile.Unsettled]

    var name: String { "\(source)::\(group)" }
    var parkedStream: String { StreamName.parked(source: source, group: group) }

    init(file: PersistentSubscriptionFile) {
        source = file.source
        group = file.group
        settings = file.settings
        createdAt = file.createdAt
        nextToRead = file.readThrough ?? file.checkpoint.map { $0 + 1 } ?? 0
        toRestore = file.readThrough == nil ? [] : file.unsettled ?? []
        persisted = file
        persistedCheckpoint = file.checkpoint
        replayCursor = file.parkedTruncateBefore
        persistedTruncateBefore = file.parkedTruncateBefore
    }

    var checkpoint: UInt64? {
        let boundary = pendingKeys.first ?? nextToRead
        return boundary == 0 ? nil : boundary - 1
    }

    var truncateBefore: UInt64 {
        pending.keys.compactMap { if case .replay(let r) = $0 { r } else { nil } }.min() ?? replayCursor
    }

    var file: PersistentSubscriptionFile {
        PersistentSubscriptionFile(source: source, group: group, settings: settings, checkpoint: checkpoint,
                                   parkedTruncateBefore: truncateBefore, createdAt: createdAt, readThrough: nextToRead,
                                   unsettled: pendingKeys.compactMap { key in
                                       pending[.main(key)].map { .init(key: key, retryCount: $0.retryCount + ($0.owner == nil ? 0 : 1)) }
                                   })
    }

    /// Puts the loaded file's unsettled events back in the ready queue, in key order, ahead of
    /// what is read after them. An event no longer in the store (its stream was deleted) is
    /// settled by its absence.
    mutating func restore(store: EventStore) throws(WharfError) {
        for entry in toRestore.sorted(by: { $0.key < $1.key }) where entry.key < nextToRead && pending[.main(entry.key)] == nil {
            let found: RecordedEvent? = switch source {
            case .all: try store.scanAll(from: entry.key, maxCount: 1, includeSystem: true).events.first.flatMap { $0.position == entry.key ? $0 : nil }
            case .stream(let name): try read(name, from: entry.key, maxCount: 1, store: store).first.flatMap { $0.revision == entry.key ? $0 : nil }
            }
            guard let event = found else { continue }
            let ref = Ref.main(entry.key)
            pending[ref] = Pending(event: event, retryCount: max(0, entry.retryCount))
            pendingKeys.append(entry.key)
            byId[event.id] = ref
            readyFresh.append(ref)
        }
        toRestore = []
    }

    /// A stream source's events; a `$ce-` or `$et-` source reads the store's index as links.
    func read(_ stream: String, from: UInt64, maxCount: Int, store: EventStore) throws(WharfError) -> [RecordedEvent] {
        if let link = LinkStream(name: stream) {
            return try store.readLinks(link, from: from, maxCount: maxCount)
        }
        return try store.readStream(stream, from: from, maxCount: maxCount)
    }

    var inFlightCount: Int { pending.values.reduce(0) { $0 + ($1.owner == nil ? 0 : 1) } }

    // MARK: Reading ahead

    /// Reads more events from the source while fewer than `bufferSize` are pending, and parked
    /// events being replayed.
    mutating func fill(store: EventStore) throws(WharfError) {
        if let stopAt = replayStopAt, replayCursor < stopAt {
            let links = try store.readStream(parkedStream, from: replayCursor, maxCount: Int(min(stopAt - replayCursor, 500)))
            for link in links {
                replayCursor = link.revision + 1
                guard let target = link.linkTarget, let original = try store.readStream(target.stream, from: target.revision, maxCount: 1).first,
                      byId[original.id] == nil else { continue }  // dangling, or already pending in the main flow
                let ref = Ref.replay(link.revision)
                pending[ref] = Pending(event: original, parkedRevision: link.revision)
                byId[original.id] = ref
                readyReplay.append(ref)
            }
            if links.isEmpty { replayCursor = stopAt }
            if replayCursor >= stopAt { replayStopAt = nil }
        }
        let room = settings.bufferSize - pendingKeys.count
        guard room > 0 else { return }
        var events: [RecordedEvent]
        switch source {
        case .all:
            let scan = try store.scanAll(from: nextToRead, maxCount: room, includeSystem: false)
            events = scan.events
            nextToRead = scan.next
            if let filter = settings.filter {
                let matcher = filter.matcher()
                events = events.filter(matcher.matches)
            }
        case .stream(let name):
            events = try read(name, from: nextToRead, maxCount: room, store: store)
            if let last = events.last { nextToRead = last.revision + 1 }
        }
        for e in events {
            let key = source == .all ? e.position : e.revision
            let ref = Ref.main(key)
            pending[ref] = Pending(event: e)
            pendingKeys.append(key)
            if let other = byId[e.id], case .replay = other { settle(other) }  // the main flow delivers it
            byId[e.id] = ref
            readyFresh.append(ref)
        }
    }

    // MARK: Delivery

    /// Hands up to `max` ready events to consumer `connection` (replays first, then retries, then
    /// new events), marking them in flight until `now + messageTimeout`.
    /// Under `.roundRobin` a consumer takes one event while it holds no more in flight than each
    /// of the group's other consumers, and more only while it holds fewer: consumers alternate.
    mutating func take(max: Int, connection: UInt64, now: Int64) -> [PersistentEvent] {
        var out: [PersistentEvent] = []
        var held = inFlight(of: connection)
        let fairShare = settings.consumerStrategy == .roundRobin
            ? connections.keys.filter { $0 != connection }.map { inFlight(of: $0) }.min() ?? Int.max
            : Int.max
        func drain(_ queue: inout [Ref]) {
            var taken = 0
            for ref in queue {
                guard out.count < max, held < fairShare || (held == fairShare && out.isEmpty) else { break }
                taken += 1
                guard var p = pending[ref], p.owner == nil else { continue }  // settled meanwhile
                p.owner = connection
                // Saturating: a timeout read from a group's file may be as large as Int64 allows.
                let (deadline, overflow) = now.addingReportingOverflow(settings.messageTimeoutMillis)
                p.deadline = overflow ? Int64.max : deadline
                pending[ref] = p
                out.append(PersistentEvent(event: p.event, retryCount: p.retryCount, parkedRevision: p.parkedRevision))
                held += 1
            }
            queue.removeFirst(taken)
        }
        drain(&readyReplay)
        drain(&readyRetry)
        drain(&readyFresh)
        return out
    }

    /// Events in flight to `connection`.
    func inFlight(of connection: UInt64) -> Int { pending.values.reduce(0) { $0 + ($1.owner == connection ? 1 : 0) } }

    /// Events ready for delivery now (not in flight).
    var readyCount: Int { pending.values.reduce(0) { $0 + ($1.owner == nil ? 1 : 0) } }

    // MARK: Settling

    /// Removes a pending event for good (acked, skipped or parked). Returns whether it was pending.
    @discardableResult
    mutating func settle(_ ref: Ref) -> Bool {
        guard let p = pending.removeValue(forKey: ref) else { return false }
        if byId[p.event.id] == ref { byId[p.event.id] = nil }
        if case .main(let key) = ref {
            if let i = pendingKeys.firstIndex(of: key) { pendingKeys.remove(at: i) }
            acksSinceCheckpoint += 1
        }
        return true
    }

    /// A failure of `ref` (nack retry or timeout): back to the retry queue, or parked once it
    /// has failed more than `maxRetryCount` times. Returns the event to park, if any.
    mutating func fail(_ ref: Ref) -> Pending? {
        guard var p = pending[ref] else { return nil }
        p.retryCount += 1
        p.owner = nil
        p.deadline = nil
        if p.retryCount > settings.maxRetryCount { return p }
        pending[ref] = p
        readyRetry.append(ref)
        return nil
    }

    /// Events in flight whose deadline passed.
    func expired(now: Int64) -> [Ref] {
        pending.filter { $0.value.deadline.map { $0 <= now } ?? false }.sorted { $0.value.event.position < $1.value.event.position }.map(\.key)
    }

    /// A consumer went away: its events in flight are ready again (not counted as failures).
    mutating func release(connection: UInt64) {
        for (ref, p) in pending.sorted(by: { $0.value.event.position < $1.value.event.position }) where p.owner == connection {
            pending[ref]?.owner = nil
            pending[ref]?.deadline = nil
            readyRetry.append(ref)
        }
    }

    /// Whether the checkpoint or the replay cursor moved enough to be written now.
    var checkpointDue: Bool {
        (acksSinceCheckpoint >= settings.checkpointAfterAcks && checkpoint != persistedCheckpoint)
            || truncateBefore != persistedTruncateBefore
    }
}
