import WharfCore

/// Time-driven changes of one entity (reference §1.3, §1.5, §1.6), run by `QueueStore.tick` and
/// before each receive. Peek never runs it, so browsing has no side effect.
///
/// `State.nextDue` is a lower bound of the earliest time anything here can change (a lock,
/// session lock, schedule, TTL or purge window ending); before it, `maintain` returns at once,
/// so idle entities cost nothing. Every path that creates an earlier deadline lowers it.
extension QueueEntity {
    /// Maintenance: releases expired message and session locks, drops or marks expired
    /// messages, forgets purged messages past the undo window, marks due scheduled messages.
    /// Returns the moves for the store: dead-letters and activations (`reason` nil).
    func maintain(now: Int64, purgeUndoWindow: Int64) throws(WharfError) -> [PendingMove] {
        try state.withLock { (s: inout State) throws(WharfError) -> [PendingMove] in
            guard now >= s.nextDue else { return [] }
            var moves: [PendingMove] = []
            var next = Int64.max
            for (id, hold) in s.sessions {
                if hold.lockedUntil <= now { s.sessions[id] = nil } else { next = min(next, hold.lockedUntil) }
            }
            var expired: [JournalEntry] = []
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
                    let released = try release(e, &s)
                    try released.pending?.durableBlocking()
                    if let m = released.move { moves.append(m); continue }
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
                        expired.append(.expired(seq: seq))
                    }
                }
            }
            try write(expired, &s)
            s.nextDue = next
            s.compactOrder()
            return moves
        }
    }
}
