import WharfCore
import WharfStorage

/// Time-driven changes of one entity (reference §1.3, §1.5, §1.6), run by `QueueStore.tick` and
/// before each blocking receive (a listener's receive queues it on the store's maintenance queue:
/// `QueueStore.maintainSoon`). Peek never runs it, so browsing has no side effect.
///
/// `State.nextDue` is a lower bound of the earliest time anything here can change (a lock,
/// session lock, schedule, TTL or purge window ending); before it, `maintain` returns at once,
/// so idle entities cost nothing. Every path that creates an earlier deadline lowers it.
extension QueueEntity {
    /// What one pass found: the moves for the store (dead-letters, and activations with
    /// `reason` nil), and the journal write of its released locks and expired messages, to
    /// wait for outside the entity's lock (nil: nothing to wait for).
    struct Maintained {
        var moves: [PendingMove] = []
        var pending: PendingAppend?
    }

    /// Whether `maintain` has anything to do at `now` (cheap: one look under the lock).
    func isDue(now: Int64) -> Bool { state.withLock { now >= $0.nextDue } }

    /// Maintenance: releases expired message and session locks, drops or marks expired
    /// messages, forgets purged messages past the undo window, marks due scheduled messages.
    /// The released locks and the expired messages are journaled with one write, which the
    /// pass does not wait for: many locks expiring at once share one fdatasync, and the lock
    /// is not held across it. (A release lost to a power cut only leaves a delivery uncounted;
    /// the message is handed out again only with a lock grant journaled after it.)
    func maintain(now: Int64, purgeUndoWindow: Int64) throws(WharfError) -> Maintained {
        try state.withLock { (s: inout State) throws(WharfError) -> Maintained in
            guard now >= s.nextDue else { return Maintained() }
            var moves: [PendingMove] = []
            var next = Int64.max
            for (id, hold) in s.sessions {
                if hold.lockedUntil <= now { s.sessions[id] = nil } else { next = min(next, hold.lockedUntil) }
            }
            var journaled: [JournalEntry] = []
            for seq in s.liveOrder() {
                guard var e = s.entries[seq], !e.moving else { continue }
                if let at = e.purgedAt {
                    if at + purgeUndoWindow <= now { s.entries[seq] = nil } else { next = min(next, at + purgeUndoWindow) }
                    continue
                }
                if let token = e.lockToken {
                    let valid = e.sessionLock.map { s.sessionValid($0, now: now) } ?? ((e.lockedUntil ?? 0) > now)
                    if valid {
                        if e.sessionLock == nil { next = min(next, e.lockedUntil ?? .max) }
                        continue
                    }
                    s.locks[token] = nil
                    e.lockToken = nil
                    e.lockedUntil = nil
                    e.sessionLock = nil
                    if let m = unlock(e, &s) { moves.append(m); continue }
                    journaled.append(.abandoned(seq: e.seq, deliveryCount: e.deliveryCount))
                }
                if let t = e.scheduledTime {
                    if t <= now {
                        s.entries[seq]?.moving = true
                        moves.append(PendingMove(seq: seq, reason: nil, description: nil))
                    } else {
                        next = min(next, t)
                    }
                    continue
                }
                if let x = e.expiresAt, x > now, !e.deferred, !isDeadLetter { next = min(next, x) }
                if let x = e.expiresAt, x <= now, !e.deferred, !isDeadLetter {
                    if s.options.deadLetteringOnMessageExpiration {
                        s.entries[seq]?.moving = true
                        moves.append(PendingMove(seq: seq, reason: QueueReasons.ttlExpired, description: QueueReasons.ttlExpiredDescription))
                    } else {
                        journaled.append(.expired(seq: seq))
                    }
                }
            }
            let pending = try writeWithoutWaiting(journaled, &s)
            s.nextDue = next
            s.compactOrder()
            return Maintained(moves: moves, pending: pending)
        }
    }
}
