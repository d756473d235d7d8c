import Foundation
import WharfCore

/// Sessions (reference §1.8): one receiver at a time holds a session's exclusive lock for the
/// lock duration and gets its messages in sequence order. Session locks, like message locks, live
/// in memory only; session state is journaled and lasts until set to nil.
extension QueueEntity {
    /// Locks `sessionId`, or the session with the oldest available message when nil (a message
    /// locked under a lock that has expired is available).
    /// A session held by another receiver (lock not expired) → `.sessionCannotBeLocked`.
    func acceptSession(_ sessionId: String?, now: Int64) throws(WharfError) -> SessionLock {
        try state.withLock { (s: inout State) throws(WharfError) -> SessionLock in
            guard s.options.requiresSession, !isDeadLetter else { throw .invalidArgument("queue \(path) is not session-enabled") }
            func held(_ id: String) -> Bool { (s.sessions[id]?.lockedUntil ?? 0) > now }
            let chosen: String
            if let sessionId {
                guard !held(sessionId) else { throw .sessionCannotBeLocked("session '\(sessionId)' of \(path) is locked by another receiver") }
                chosen = sessionId
            } else {
                var pick: String?
                // A message whose lock (or session lock) expired counts as available before the
                // maintenance releases it: that runs off the caller's thread, later.
                for seq in s.liveOrder() {
                    guard let e = s.entries[seq], e.visible, let id = e.sessionId, !held(id),
                          e.state(now: now, session: { s.sessionValid($0, now: now) }) == .active else { continue }
                    if let x = e.expiresAt, x <= now { continue }
                    pick = id
                    break
                }
                guard let pick else { throw .sessionCannotBeLocked("no session of \(path) is available") }
                chosen = pick
            }
            let hold = SessionHold(token: RandomUUID.lowercasedString(), lockedUntil: now + s.options.lockDurationMillis)
            s.sessions[chosen] = hold
            s.nextDue = min(s.nextDue, hold.lockedUntil)
            return SessionLock(entity: path, sessionId: chosen, lockToken: hold.token, lockedUntil: hold.lockedUntil)
        }
    }

    func renewSessionLock(_ token: String, now: Int64) throws(WharfError) -> Int64 {
        try state.withLock { (s: inout State) throws(WharfError) -> Int64 in
            let id = try heldSession(token, s, now: now)
            let until = now + s.options.lockDurationMillis
            s.sessions[id]?.lockedUntil = until
            return until
        }
    }

    /// Closes a session receiver: its unsettled messages become available again without
    /// counting the delivery (Service Bus: "session closed with unsettled messages → no increment").
    func closeSession(_ token: String, now: Int64) throws(WharfError) {
        try state.withLock { (s: inout State) throws(WharfError) in
            let id = try heldSession(token, s, now: now)
            s.sessions[id] = nil
            var entries: [JournalEntry] = []
            for (seq, e) in s.entries where e.sessionLock == token {
                if let t = e.lockToken { s.locks[t] = nil }
                s.entries[seq]?.lockToken = nil
                s.entries[seq]?.lockedUntil = nil
                s.entries[seq]?.sessionLock = nil
                entries.append(.abandoned(seq: seq, deliveryCount: e.deliveryCount - 1))
            }
            try write(entries.sorted { $0.seqKey < $1.seqKey }, &s)
            s.nextDue = .min
        }
    }

    func sessionState(_ token: String, now: Int64) throws(WharfError) -> [UInt8]? {
        try state.withLock { (s: inout State) throws(WharfError) -> [UInt8]? in
            s.sessionStates[try heldSession(token, s, now: now)]
        }
    }

    /// Sets (nil clears) the state of the held session; journaled.
    func setSessionState(_ token: String, _ value: [UInt8]?, now: Int64) throws(WharfError) {
        try state.withLock { (s: inout State) throws(WharfError) in
            let id = try heldSession(token, s, now: now)
            try write([.sessionState(sessionId: id, state: value.map { Data($0) })], &s)
        }
    }
}

extension JournalEntry {
    var seqKey: Int64 {
        switch self {
        case .completed(let q), .expired(let q), .abandoned(let q, _), .deferred(let q, _), .movedOut(let q, _, _), .cancelled(let q): q
        default: 0
        }
    }
}
