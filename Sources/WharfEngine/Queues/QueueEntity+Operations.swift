import Foundation
import WharfCore
import WharfStorage

/// Receive, settle, peek and counts of one entity (Service Bus state machine, reference §1.3).
/// Operations that end in another entity (dead-letter) only mark the message `moving` and return
/// what the store must move; they never touch a second entity themselves.
extension QueueEntity {
    enum Settlement: Sendable, Equatable {
        case complete, abandon, deferral
        /// The receiver gave the message back unprocessed (AMQP `released`): unlocked with its
        /// delivery not counted, so it never counts towards the max delivery count.
        case release
        case deadLetter(reason: String?, description: String?)
    }

    /// A message marked `moving` that the store must move out of this entity.
    struct PendingMove: Sendable, Equatable {
        var seq: Int64
        var reason: String?
        var description: String?
    }

    func requireNotSessionful(_ s: State, sessionToken: String?) throws(WharfError) {
        if sessionToken == nil, s.options.requiresSession, !isDeadLetter {
            throw .invalidArgument("queue \(path) requires sessions: accept a session to receive (amqp:not-allowed)")
        }
        if sessionToken != nil, !s.options.requiresSession || isDeadLetter {
            throw .invalidArgument("queue \(path) is not session-enabled")
        }
    }

    /// The session id held by `token`, or `.sessionLockLost`.
    func heldSession(_ token: String, _ s: State, now: Int64) throws(WharfError) -> String {
        guard let (id, _) = s.sessions.first(where: { $0.value.token == token && $0.value.lockedUntil > now }) else {
            throw .sessionLockLost("session lock \(token) on \(path) is unknown or expired")
        }
        return id
    }

    /// Locks the entry (peek-lock) or counts its delivery (receive-and-delete: the caller then
    /// journals `completed` for the whole batch with `removeDelivered`), returns its public view.
    private func deliver(_ seq: Int64, mode: ReceiveMode, sessionToken: String?, _ s: inout State, now: Int64,
                         stored: (QueueMessageCodec.Stored, Int64)? = nil) throws(WharfError) -> QueueMessage {
        var e = s.entries[seq]!
        e.deliveryCount += 1
        switch mode {
        case .peekLock:
            let token = RandomUUID.lowercasedString()
            e.lockToken = token
            e.sessionLock = sessionToken
            e.lockedUntil = now + s.options.lockDurationMillis
            s.nextDue = min(s.nextDue, e.lockedUntil!)
            s.locks[token] = seq
            s.entries[seq] = e
            return try message(e, s, now: now, withLock: true, stored: stored)
        case .receiveAndDelete:
            // Removed by the caller's single `completed` batch before anything is returned.
            s.entries[seq] = e
            return try message(e, s, now: now, withLock: false, stored: stored)
        }
    }

    /// Receive-and-delete: one journal batch (one fsync under `always`) removes every message
    /// of the receive before it is answered; "lost if the transfer fails", as in Service Bus.
    private func removeDelivered(_ out: [QueueMessage], mode: ReceiveMode, _ s: inout State) throws(WharfError) -> PendingAppend? {
        guard mode == .receiveAndDelete else { return nil }
        return try writeWithoutWaiting(out.map { .completed(seq: $0.sequenceNumber) }, &s)
    }

    /// Peek-lock: each granted lock is journaled as the state the message returns to if the lock
    /// dies with the process (available, or deferred, with this delivery counted), in one batch
    /// per receive; so a message locked at a crash comes back with its delivery count raised,
    /// as Service Bus does. Settlement entries written later override it.
    private func journalLockGrants(_ out: [QueueMessage], mode: ReceiveMode, _ s: inout State) throws(WharfError) -> PendingAppend? {
        guard mode == .peekLock, !out.isEmpty else { return nil }
        let entries = out.compactMap { m -> JournalEntry? in
            guard let e = s.entries[m.sequenceNumber] else { return nil }
            return e.deferred ? .deferred(seq: e.seq, deliveryCount: e.deliveryCount) : .abandoned(seq: e.seq, deliveryCount: e.deliveryCount)
        }
        return try writeWithoutWaiting(entries, &s)
    }

    /// Up to `max` available messages in sequence order (of the session, if `sessionToken`),
    /// their journal entries durable per the policy.
    func receive(max: Int, mode: ReceiveMode, sessionToken: String?, now: Int64) throws(WharfError) -> [QueueMessage] {
        let (out, pending) = try beginReceive(max: max, mode: mode, sessionToken: sessionToken, now: now)
        try pending?.durableBlocking()
        return out
    }

    /// `receive` without waiting for durability: the messages are locked (or removed) and their
    /// journal entries written; the caller hands them out once the returned append is durable
    /// (nil: nothing to wait for), so no delivery is made that a power cut could take back.
    func beginReceive(max: Int, mode: ReceiveMode, sessionToken: String?, now: Int64) throws(WharfError) -> ([QueueMessage], PendingAppend?) {
        try state.withLock { (s: inout State) throws(WharfError) -> ([QueueMessage], PendingAppend?) in
            try requireNotSessionful(s, sessionToken: sessionToken)
            let session = try sessionToken.map { (t) throws(WharfError) in try heldSession(t, s, now: now) }
            s.compactOrder()
            var chosen: [Entry] = []
            for seq in s.liveOrder() {
                if chosen.count >= max { break }
                guard let e = s.entries[seq], e.visible, e.lockToken == nil, !e.deferred, e.scheduledTime == nil else { continue }
                if let x = e.expiresAt, x <= now { continue }  // collected by maintenance
                if let session, e.sessionId != session { continue }
                chosen.append(e)
            }
            let stored = readRuns(chosen)
            var out: [QueueMessage] = []
            for e in chosen { out.append(try deliver(e.seq, mode: mode, sessionToken: sessionToken, &s, now: now, stored: stored[e.seq])) }
            // One of the two writes happens (one per mode); either covers the journal so far.
            let grants = try journalLockGrants(out, mode: mode, &s)
            let removals = try removeDelivered(out, mode: mode, &s)
            return (out, removals ?? grants)
        }
    }

    /// Deferred messages by sequence number (Service Bus receive-by-sequence-number).
    func receiveDeferred(_ seqs: [Int64], mode: ReceiveMode, sessionToken: String?, now: Int64) throws(WharfError) -> [QueueMessage] {
        try state.withLock { (s: inout State) throws(WharfError) -> [QueueMessage] in
            let session = try sessionToken.map { (t) throws(WharfError) in try heldSession(t, s, now: now) }
            for seq in seqs {
                guard let e = s.entries[seq], e.visible, e.deferred, e.lockToken == nil,
                      session == nil || e.sessionId == session else { throw .messageNotFound(entity: path, sequenceNumber: seq) }
            }
            var out: [QueueMessage] = []
            for seq in seqs { out.append(try deliver(seq, mode: mode, sessionToken: sessionToken, &s, now: now)) }
            let grants = try journalLockGrants(out, mode: mode, &s)
            let removals = try removeDelivered(out, mode: mode, &s)
            try (removals ?? grants)?.durableBlocking()
            return out
        }
    }

    /// The entry locked by `token`, if the lock is still valid.
    private func lockedEntry(_ token: String, _ s: State, now: Int64) throws(WharfError) -> Entry {
        guard let seq = s.locks[token], let e = s.entries[seq], e.lockToken == token, e.visible else {
            throw .messageLockLost("lock token \(token) on \(path) is unknown or the message was already settled")
        }
        if let st = e.sessionLock {
            guard s.sessionValid(st, now: now) else { throw .sessionLockLost("the session lock of message \(seq) on \(path) expired") }
        } else if (e.lockedUntil ?? 0) <= now {
            throw .messageLockLost("the lock on message \(seq) of \(path) expired")
        }
        return e
    }

    /// A settlement written: the move the store must make for dead-lettering, and the journal
    /// append to wait for before answering (nil: durable already, or nothing written).
    struct Settled {
        var move: PendingMove?
        var pending: PendingAppend?
    }

    /// Settles a locked message without waiting for its journal entry's fdatasync (the caller
    /// waits outside the entity's lock: `QueueStore.writeSettlement`). `changes` (abandon and
    /// defer) are journaled in the settlement's batch.
    func settle(_ token: String, _ action: Settlement, now: Int64,
                modifying changes: ApplicationPropertyChanges? = nil) throws(WharfError) -> Settled {
        try state.withLock { (s: inout State) throws(WharfError) -> Settled in
            var e = try lockedEntry(token, s, now: now)
            if case .deadLetter = action, isDeadLetter {
                throw .invalidArgument("a message cannot be dead-lettered from a dead-letter queue (\(path))")
            }
            s.locks[token] = nil
            e.lockToken = nil
            e.lockedUntil = nil
            e.sessionLock = nil
            switch action {
            case .complete:
                return Settled(pending: try writeWithoutWaiting([.completed(seq: e.seq)], &s))
            case .deferral:
                s.entries[e.seq] = e
                return Settled(pending: try writeWithoutWaiting([.deferred(seq: e.seq, deliveryCount: e.deliveryCount)] + Self.modified(e.seq, changes), &s))
            case .abandon:
                return try release(e, &s, also: Self.modified(e.seq, changes))
            case .release:
                e.deliveryCount = max(0, e.deliveryCount - 1)
                s.entries[e.seq] = e
                return Settled(pending: try writeWithoutWaiting([.abandoned(seq: e.seq, deliveryCount: e.deliveryCount)], &s))
            case .deadLetter(let reason, let description):
                e.moving = true
                s.entries[e.seq] = e
                return Settled(move: PendingMove(seq: e.seq, reason: reason, description: description))
            }
        }
    }

    /// Completes each locked message of `tokens` with one journal write (one fsync under
    /// `always`, waited for outside the entity's lock, see `writeCompletions`); the result per
    /// token is nil or why that one could not be completed (the others still are). Nothing is
    /// completed if the write fails.
    func complete(_ tokens: [String], now: Int64) throws(WharfError) -> [WharfError?] {
        let (outcomes, pending) = try writeCompletions(tokens, now: now)
        try pending?.durableBlocking()
        return outcomes
    }

    /// `complete` without waiting for durability: the completions are journaled and the messages
    /// leave the index (nobody else can receive or settle them), and the caller answers for them
    /// once the returned append is durable (nil: nothing to wait for). A power cut before that
    /// brings them back, as for a completion never made; `reclaimSettledHead` waits for such
    /// appends before it frees a record (`State.journalInFlight`).
    func writeCompletions(_ tokens: [String], now: Int64) throws(WharfError) -> ([WharfError?], PendingAppend?) {
        try state.withLock { (s: inout State) throws(WharfError) -> ([WharfError?], PendingAppend?) in
            var outcomes: [WharfError?] = []
            outcomes.reserveCapacity(tokens.count)
            var done: [JournalEntry] = []
            var taken: [(String, Entry)] = []
            for token in tokens {
                do throws(WharfError) {
                    let e = try lockedEntry(token, s, now: now)
                    s.locks[token] = nil
                    taken.append((token, e))
                    done.append(.completed(seq: e.seq))
                    outcomes.append(nil)
                } catch {
                    outcomes.append(error)
                }
            }
            do throws(WharfError) {
                return (outcomes, try writeWithoutWaiting(done, &s))
            } catch {
                for (token, e) in taken { s.locks[token] = e.seq }
                throw error
            }
        }
    }

    /// Back to available (or deferred) after a lock ended with its delivery counted, journaled
    /// without waiting; past the max delivery count, marked for the dead-letter queue instead.
    func release(_ unlocked: Entry, _ s: inout State, also extra: [JournalEntry] = []) throws(WharfError) -> Settled {
        if let move = unlock(unlocked, &s) { return Settled(move: move) }
        return Settled(pending: try writeWithoutWaiting([.abandoned(seq: unlocked.seq, deliveryCount: unlocked.deliveryCount)] + extra, &s))
    }

    /// Puts an entry whose lock is gone back in the index: the dead-letter move when it has
    /// used up its deliveries, else nil (the caller journals `.abandoned`).
    func unlock(_ unlocked: Entry, _ s: inout State) -> PendingMove? {
        var e = unlocked
        s.nextDue = min(s.nextDue, e.expiresAt ?? .max)
        if !isDeadLetter, e.deliveryCount >= s.options.maxDeliveryCount {
            e.moving = true
            s.entries[e.seq] = e
            return PendingMove(seq: e.seq, reason: QueueReasons.maxDeliveryCountExceeded,
                               description: QueueReasons.maxDeliveryCountExceededDescription)
        }
        s.entries[e.seq] = e
        return nil
    }

    static func modified(_ seq: Int64, _ changes: ApplicationPropertyChanges?) -> [JournalEntry] {
        guard let changes, !changes.isEmpty else { return [] }
        return [.propertiesModified(seq: seq, changes: changes)]
    }

    /// Extends a message lock by the lock duration; returns the new expiry.
    func renewLock(_ token: String, now: Int64) throws(WharfError) -> Int64 {
        try state.withLock { (s: inout State) throws(WharfError) -> Int64 in
            var e = try lockedEntry(token, s, now: now)
            guard e.sessionLock == nil else {
                throw .invalidArgument("messages received under a session are locked by the session: renew the session lock")
            }
            e.lockedUntil = now + s.options.lockDurationMillis
            s.entries[e.seq] = e
            return e.lockedUntil!
        }
    }

    /// Browse from `from` (sequence number) in ascending order; no lock, no change.
    func peek(from: Int64, max: Int, now: Int64) throws(WharfError) -> [QueueMessage] {
        try state.withLock { (s: inout State) throws(WharfError) -> [QueueMessage] in
            var out: [QueueMessage] = []
            for seq in s.order where seq >= from && out.count < max {
                guard let e = s.entries[seq], e.visible else { continue }
                out.append(try message(e, s, now: now, withLock: false))
            }
            return out
        }
    }

    func counts(now: Int64) -> QueueRuntimeCounts {
        state.withLock { s in
            var c = QueueRuntimeCounts(entity: path)
            for e in s.entries.values where e.visible {
                switch e.state(now: now, session: { s.sessionValid($0, now: now) }) {
                case .active: c.activeCount += 1
                case .locked: c.lockedCount += 1
                case .deferred: c.deferredCount += 1
                case .scheduled: c.scheduledCount += 1
                }
                c.sizeBytes += e.sizeBytes
                if e.scheduledTime == nil { c.oldestMessageAgeMillis = max(c.oldestMessageAgeMillis ?? 0, now - e.enqueuedTime) }
            }
            return c
        }
    }

    /// Cancels a scheduled message (Service Bus cancel-scheduled-message: it is deleted).
    func cancelScheduled(_ seq: Int64) throws(WharfError) {
        try state.withLock { (s: inout State) throws(WharfError) in
            guard let e = s.entries[seq], e.visible, e.scheduledTime != nil else { throw .messageNotFound(entity: path, sequenceNumber: seq) }
            try write([.cancelled(seq: seq)], &s)
        }
    }

    /// Marks a message that no one holds for a move (requeue); false if it is gone or busy.
    func beginMove(_ seq: Int64) -> Bool {
        state.withLock { s in
            guard let e = s.entries[seq], e.visible, e.lockToken == nil else { return false }
            s.entries[seq]?.moving = true
            return true
        }
    }

    /// Second step of a move: journals that the copy exists in `to`.
    func finishMove(_ seq: Int64, to: String, reason: String?) throws(WharfError) {
        try writeFinishMove(seq, to: to, reason: reason)?.durableBlocking()
    }

    /// `finishMove` without waiting for the journal entry's fdatasync: the append to wait for
    /// (nil: nothing to wait for).
    func writeFinishMove(_ seq: Int64, to: String, reason: String?) throws(WharfError) -> PendingAppend? {
        try state.withLock { (s: inout State) throws(WharfError) -> PendingAppend? in
            guard s.entries[seq] != nil else { return nil }
            return try writeWithoutWaiting([.movedOut(seq: seq, to: to, reason: reason)], &s)
        }
    }

    /// A move whose first step failed: the message is available again where it was.
    func abortMove(_ seq: Int64) {
        state.withLock { s in
            s.entries[seq]?.moving = false
            s.nextDue = .min
        }
    }

    func isLive(_ seq: Int64) -> Bool { state.withLock { $0.entries[seq] != nil } }
}

/// Dead-letter reasons and descriptions the broker sets (reference §1.4, verbatim).
public enum QueueReasons {
    public static let maxDeliveryCountExceeded = "MaxDeliveryCountExceeded"
    public static let maxDeliveryCountExceededDescription = "Message couldn't be consumed after maximum delivery attempts."
    public static let ttlExpired = "TTLExpiredException"
    public static let ttlExpiredDescription = "The message expired and was dead lettered."
    public static let sessionIdIsNull = "Session ID is null."
    public static let sessionIdIsNullDescription = "Session enabled entity doesn't allow a message whose session identifier is null."
    public static let maxTransferHopCountExceeded = "MaxTransferHopCountExceeded"
    public static let maxTransferHopCountExceededDescription = "The maximum number of allowed hops when forwarding between queues has been exceeded."
    /// Service Bus's hop limit for auto-forwarding.
    public static let maxTransferHops = 4
}
