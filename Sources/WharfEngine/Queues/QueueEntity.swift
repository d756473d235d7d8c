import Foundation
import Logging
import Synchronization
import WharfCore
import WharfStorage

/// One queue or dead-letter subqueue: a message log, a state journal and the in-memory index
/// rebuilt from both on open.
///
/// Layout: `<dir>/messages/` (PartitionLog, one record per message, see `QueueMessageCodec`;
/// offset + 1 = sequence number) and `<dir>/journal/` (PartitionLog of `JournalEntry`).
/// A message's state is derived: its record's headers (scheduled time) + its journal entries.
///
/// Invariants: `order` holds every sequence number of `entries` ascending (plus removed ones,
/// dropped lazily); a message with `moving` set is between the two steps of a move and is
/// invisible to receive, peek and counts; every change of `entries` other than locking is
/// journaled (appended, fsync per policy) before the call returns, or, for the calls that let
/// their caller wait (`write`, `writeCompletions`, `beginReceive`), before the caller answers.
///
/// Thread-safety: all state behind one `Mutex`; operations hold it for their log writes so the
/// index and the journal never disagree, and some wait for the fdatasync after releasing it
/// (`QueueEntity+Writes`). Never two entity locks at once (see `QueueStore`).
final class QueueEntity: Sendable {
    struct Entry: Sendable {
        var seq: Int64
        var messageId: String
        var sessionId: String?
        var enqueuedTime: Int64
        var expiresAt: Int64?
        /// Non-nil while scheduled.
        var scheduledTime: Int64?
        var deferred = false
        var deliveryCount = 0
        var lockToken: String?
        var lockedUntil: Int64?
        /// The session lock the message was received under (its lock lives as long as that one).
        var sessionLock: String?
        var sizeBytes: Int64
        var moving = false
        var purgedAt: Int64?
        /// Properties settlements changed (`JournalEntry.propertiesModified`), over the stored ones.
        var propertyChanges: ApplicationPropertyChanges?
        var visible: Bool { !moving && purgedAt == nil }

        func state(now: Int64, session: (String) -> Bool) -> MessageState {
            if scheduledTime != nil { return .scheduled }
            if let token = lockToken {
                _ = token
                if let s = sessionLock { if session(s) { return .locked } }
                else if let until = lockedUntil, until > now { return .locked }
            }
            return deferred ? .deferred : .active
        }
    }

    struct SessionHold: Sendable {
        var token: String
        var lockedUntil: Int64
    }

    struct State: Sendable {
        var options: QueueOptions
        var entries = SequenceTable<Entry>()
        /// Sequence numbers in order; settled ones leave lazily (`compactOrder`), and the settled
        /// head is skipped from `liveFrom` on rather than walked by every receive.
        var order: [Int64] = []
        /// No entry of `order` before this index is still in `entries` (a settled sequence number
        /// never comes back). Only `liveOrder` and `compactOrder` touch it.
        private var liveFrom = 0
        var locks: [String: Int64] = [:]
        var sessions: [String: SessionHold] = [:]
        var sessionStates: [String: [UInt8]] = [:]
        /// Message id -> enqueue time of sends (duplicate detection).
        var seenIds: [String: Int64] = [:]
        /// No maintenance is due before this time (earliest lock expiry, schedule, TTL or purge
        /// window end, or earlier: a lower bound, so `.min` just forces a scan).
        var nextDue: Int64 = .min
        /// Messages written to the log and not yet durable (under `--fsync always`), in sequence
        /// order: invisible to receive, peek and counts until an fdatasync covers them
        /// (`publish(upTo:)`), so nothing is handed out that a power cut could take back. The
        /// settled-head reclaim and the journal's snapshot stop below the first of them.
        var inFlight: [Entry] = []
        /// The latest journal append that was applied to the index before it was durable (under
        /// `always`), if any: the settled-head reclaim waits for it (and so for every earlier
        /// one) before freeing records the index no longer holds, or a power cut could take a
        /// completion back after its message's record was gone.
        var journalInFlight: PendingAppend?
        /// Copies in this entity of messages moved from elsewhere, as found by the replay on open;
        /// `QueueStore.recoverMoves` uses and then clears them (a move made later is complete or,
        /// if its second step failed, found again by the next open's replay).
        var movedFrom: [MoveMarker] = []

        init(options: QueueOptions) { self.options = options }

        /// `order` from its first sequence number still in `entries`: a receive over a long
        /// backlog walked the whole settled head each time (Int64 dictionary lookups were the
        /// listener's top symbol), now each settled number is passed over once.
        mutating func liveOrder() -> ArraySlice<Int64> {
            if liveFrom > order.count { liveFrom = 0 }
            while liveFrom < order.count, entries[order[liveFrom]] == nil { liveFrom += 1 }
            return order[liveFrom...]
        }

        /// Drops settled sequence numbers from `order` once they are at least half of it
        /// (amortized: each is dropped once).
        mutating func compactOrder() {
            guard order.count > 2 * entries.count + 64 else { return }
            order = order.filter { entries[$0] != nil }
            liveFrom = 0
        }

        /// Makes a stored message part of the index (receivable, counted).
        mutating func admit(_ e: Entry) {
            if let t = e.expiresAt { nextDue = min(nextDue, t) }
            if let t = e.scheduledTime { nextDue = min(nextDue, t) }
            entries[e.seq] = e
            order.append(e.seq)
        }

        /// The sequence number below which every message is either in the index or settled:
        /// the first one in flight, or past the log's end when none is.
        func firstInFlight(orEnd end: Int64) -> Int64 { inFlight.first?.seq ?? end + 1 }

        func sessionValid(_ token: String, now: Int64) -> Bool {
            sessions.values.contains { $0.token == token && $0.lockedUntil > now }
        }
    }

    let path: String
    let directory: String
    let isDeadLetter: Bool
    let messages: PartitionLog
    let journal: PartitionLog
    let clock: any WallClock
    let state: Mutex<State>

    private init(path: String, directory: String, isDeadLetter: Bool, messages: PartitionLog, journal: PartitionLog,
                 clock: any WallClock, state: State) {
        self.path = path
        self.directory = directory
        self.isDeadLetter = isDeadLetter
        self.messages = messages
        self.journal = journal
        self.clock = clock
        self.state = Mutex(state)
    }

    /// Opens (creating if needed) the entity in `directory` and replays its logs.
    static func open(path: String, directory: String, options: QueueOptions, isDeadLetter: Bool, fsync: FsyncPolicy,
                     clock: any WallClock, logger: Logger, faults: FaultInjector? = nil) throws(WharfError) -> QueueEntity {
        var config = LogConfig()
        config.fsync = fsync
        config.retentionMs = -1
        config.retentionBytes = -1
        config.segmentBytes = 16 << 20
        var l = logger
        l[metadataKey: "entity"] = "\(path)"
        let messages = try PartitionLog.open(directory: directory + "/messages", config: config, clock: clock, logger: l, faults: faults)
        let journal: PartitionLog
        do { journal = try PartitionLog.open(directory: directory + "/journal", config: config, clock: clock, logger: l, faults: faults) } catch {
            try? messages.close()
            throw error
        }
        var s = State(options: options)
        do {
            try forEachRecord(messages) { (r) throws(WharfError) in
                let stored = QueueMessageCodec.Stored(record: r)
                var e = Entry(seq: r.offset + 1, messageId: stored.messageId, sessionId: stored.sessionIdValue,
                              enqueuedTime: r.timestamp, sizeBytes: Self.size(of: r))
                Self.initialize(&e, stored, options: options, isDeadLetter: isDeadLetter)
                if let m = stored.movedFromValue { s.movedFrom.append(m) } else { s.seenIds[stored.messageId] = r.timestamp }
                s.entries[e.seq] = e
                s.order.append(e.seq)
            }
            try forEachRecord(journal) { (r) throws(WharfError) in apply(try JournalEntry.decode(r), to: &s) }
        } catch {
            try? messages.close()
            try? journal.close()
            throw error
        }
        return QueueEntity(path: path, directory: directory, isDeadLetter: isDeadLetter, messages: messages,
                           journal: journal, clock: clock, state: s)
    }

    /// Scheduled time, expiry and carried delivery count of a freshly stored message.
    static func initialize(_ e: inout Entry, _ stored: QueueMessageCodec.Stored, options: QueueOptions, isDeadLetter: Bool) {
        if let t = stored.scheduledTime, stored.movedFromValue == nil, t > e.enqueuedTime {
            // A send scheduled for later stays scheduled until activated; activation (like every
            // move) writes a copy, which is never scheduled.
            e.scheduledTime = t
        }
        e.deliveryCount = stored.system[QueueMessageCodec.deliveryCount].flatMap { Int($0) } ?? 0
        if !isDeadLetter {
            // The shorter of the message's and the entity's time to live (no array per message).
            let ttl: Int64? = switch (stored.ttlMillis, options.defaultTimeToLiveMillis) {
            case let (own?, entity?): min(own, entity)
            case let (own, entity): own ?? entity
            }
            e.expiresAt = ttl.map { e.enqueuedTime + $0 }
        }
    }

    static func size(of r: StoredRecord) -> Int64 {
        Int64((r.key?.count ?? 0) + (r.value?.count ?? 0) + r.headers.reduce(0) { $0 + $1.key.utf8.count + ($1.value?.count ?? 0) })
    }

    static func apply(_ entry: JournalEntry, to s: inout State) {
        switch entry {
        case .completed(let seq), .expired(let seq), .cancelled(let seq), .movedOut(let seq, _, _):
            s.entries[seq] = nil
        case .abandoned(let seq, let dc):
            s.entries[seq]?.deliveryCount = dc
        case .deferred(let seq, let dc):
            s.entries[seq]?.deliveryCount = dc
            s.entries[seq]?.deferred = true
        case .propertiesModified(let seq, let changes):
            if let earlier = s.entries[seq]?.propertyChanges {
                s.entries[seq]?.propertyChanges = earlier.merged(with: changes)
            } else {
                s.entries[seq]?.propertyChanges = changes
            }
        case .sessionState(let id, let data):
            s.sessionStates[id] = data.map { Array($0) }
        case .purged(let seqs, let at):
            for q in seqs { s.entries[q]?.purgedAt = at }
        case .unpurged(let seqs):
            for q in seqs { s.entries[q]?.purgedAt = nil }
        case .snapshot(let upTo, let live, let sessions):
            let bySeq = Dictionary(live.map { ($0.seq, $0) }, uniquingKeysWith: { $1 })
            for seq in Array(s.entries.keys) where seq <= upTo {
                guard let l = bySeq[seq] else { s.entries[seq] = nil; continue }
                s.entries[seq]?.deliveryCount = l.deliveryCount
                s.entries[seq]?.deferred = l.deferred
                s.entries[seq]?.purgedAt = l.purgedAt
                s.entries[seq]?.propertyChanges = l.propertyChanges
            }
            s.sessionStates = sessions.mapValues { Array($0) }
        }
    }

    /// Calls `body` for every record of `log`, oldest first.
    static func forEachRecord(_ log: PartitionLog, _ body: (StoredRecord) throws(WharfError) -> Void) throws(WharfError) {
        var next = log.logStartOffset
        let end = log.logEndOffset
        while next < end {
            let fetched = try log.read(from: next, maxBytes: 1 << 20)
            guard !fetched.bytes.isEmpty else { break }
            let records: [StoredRecord]
            do { records = try RecordBatchReader.records(in: fetched.bytes, fromOffset: next) } catch {
                throw .corrupt("cannot decode \(log.directory) at offset \(next): \(error)")
            }
            guard let last = records.last else { break }
            for r in records { try body(r) }
            next = last.offset + 1
        }
    }

    // MARK: - Helpers used under the lock

    /// Appends `entries` to the journal as one batch (durable per the fsync policy on return).
    func write(_ entries: [JournalEntry], _ s: inout State) throws(WharfError) {
        try writeWithoutWaiting(entries, &s)?.durableBlocking()
    }

    /// Appends `entries` to the journal as one batch and applies them to the index; returns the
    /// append to wait for before answering, nil when it is already durable per the policy.
    func writeWithoutWaiting(_ entries: [JournalEntry], _ s: inout State) throws(WharfError) -> PendingAppend? {
        guard !entries.isEmpty else { return nil }
        var bytes = JournalEntry.encode(entries, at: clock.nowMillis())
        let pending = try journal.write(&bytes)
        for e in entries { Self.apply(e, to: &s) }
        guard !pending.isDurable else { return nil }
        s.journalInFlight = pending
        return pending
    }

    /// The stored message with sequence number `seq` and its enqueue time.
    func read(_ seq: Int64) throws(WharfError) -> (QueueMessageCodec.Stored, Int64) {
        let fetched = try messages.read(from: seq - 1, maxBytes: 1)
        let records: [StoredRecord]
        do { records = try RecordBatchReader.records(in: fetched.bytes, fromOffset: seq - 1, limit: 1) } catch {
            throw .corrupt("cannot decode message \(seq) of \(path): \(error)")
        }
        guard let r = records.first, r.offset == seq - 1 else { throw .messageNotFound(entity: path, sequenceNumber: seq) }
        return (QueueMessageCodec.Stored(record: r), r.timestamp)
    }

    /// The stored messages of `entries` (ascending sequence numbers), read with one log read
    /// per run of consecutive ones instead of one read each (a receive of a batch is then a
    /// few reads). Messages a run's read did not bring back are left out (`message` reads them
    /// alone).
    func readRuns(_ entries: [Entry]) -> [Int64: (QueueMessageCodec.Stored, Int64)] {
        var found: [Int64: (QueueMessageCodec.Stored, Int64)] = [:]
        var i = 0
        while i < entries.count {
            var j = i + 1
            var bytes = Int(clamping: entries[i].sizeBytes) &+ 256
            while j < entries.count, entries[j].seq == entries[j - 1].seq + 1 {
                bytes = bytes &+ Int(clamping: entries[j].sizeBytes) &+ 256
                j += 1
            }
            let first = entries[i].seq
            let last = entries[j - 1].seq
            i = j
            guard last > first, let fetched = try? messages.read(from: first - 1, maxBytes: bytes),
                  let records = try? RecordBatchReader.records(in: fetched.bytes, fromOffset: first - 1) else { continue }
            for r in records where r.offset + 1 <= last {
                found[r.offset + 1] = (QueueMessageCodec.Stored(record: r), r.timestamp)
            }
        }
        return found
    }

    /// The public view of entry `e` (`stored`: its message, if already read).
    func message(_ e: Entry, _ s: State, now: Int64, withLock: Bool,
                 stored known: (QueueMessageCodec.Stored, Int64)? = nil) throws(WharfError) -> QueueMessage {
        let (stored, enqueued): (QueueMessageCodec.Stored, Int64)
        if let known { (stored, enqueued) = known } else { (stored, enqueued) = try read(e.seq) }
        var m = stored.message(entity: path, sequenceNumber: e.seq, enqueuedTime: enqueued)
        m.expiresAt = e.expiresAt
        m.deliveryCount = e.deliveryCount
        e.propertyChanges?.apply(to: &m.applicationProperties, types: &m.applicationPropertyTypes)
        m.state = e.state(now: now) { s.sessionValid($0, now: now) }
        if withLock {
            m.lockToken = e.lockToken
            m.lockedUntil = e.sessionLock.flatMap { t in s.sessions.values.first { $0.token == t }?.lockedUntil } ?? e.lockedUntil
        }
        return m
    }

    /// Reclaims the settled head of the message log: advances its start (`deleteRecords`, whole
    /// segments deleted) to the first message still in the index, but never past a record that
    /// duplicate detection still needs (enqueued within the window). Returns the new log start.
    ///
    /// With no message in the index or in flight the target is the log's end, read under the
    /// entity's lock with the index: a send writes under it too, so its record is either below
    /// the end read and in the index or in flight, or above the end. (Read after releasing the
    /// lock, the end could include a message sent in between, whose record was then deleted
    /// while the index still had it.)
    @discardableResult
    func reclaimSettledHead(now: Int64) throws(WharfError) -> Int64 {
        let (end, window, settling) = state.withLock { s -> (Int64, Int64?, PendingAppend?) in
            if s.seenIds.count > 1024 || !s.options.requiresDuplicateDetection {
                let horizon = now - s.options.duplicateDetectionWindowMillis
                s.seenIds = s.options.requiresDuplicateDetection ? s.seenIds.filter { $0.value > horizon } : [:]
            }
            // Neither a live message's record nor one in flight (not in the index yet) is freed.
            let firstKept = min(s.order.first { s.entries[$0] != nil } ?? .max, s.firstInFlight(orEnd: messages.logEndOffset))
            return (firstKept - 1,
                    s.options.requiresDuplicateDetection ? s.options.duplicateDetectionWindowMillis : nil, s.journalInFlight)
        }
        // The settlements that moved `end` are journaled at or before `settling` (once durable,
        // waiting for it again returns at once; after a failed fdatasync it throws every time,
        // so nothing is freed on a journal that stopped).
        try settling?.durableBlocking()
        var target = end
        if let window, let recent = try messages.offset(forTimestamp: now - window) { target = min(target, recent) }
        guard target > messages.logStartOffset else { return messages.logStartOffset }
        return try messages.deleteRecords(before: target)
    }

    func close() throws(WharfError) {
        var first: WharfError?
        do { try messages.close() } catch { first = error }
        do { try journal.close() } catch { first = first ?? error }
        if let first { throw first }
    }
}
