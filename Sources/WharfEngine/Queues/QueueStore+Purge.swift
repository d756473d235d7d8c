import WharfCore

/// What a purge did, or would do on a dry run.
public struct PurgeResult: Sendable, Equatable {
    public var entity: String
    public var dryRun: Bool
    /// Messages purged (or that would be).
    public var count: Int
    /// Until when `undoPurge` restores them (nil on a dry run).
    public var restorableUntil: Int64?
}

/// Purge with undo: a purge journals one `purged(seqs, at)` entry (all or nothing) and sets the
/// messages aside: invisible to receive, peek and counts, kept in the logs. `undoPurge` within
/// the undo window journals `unpurged` and puts them back with their sequence numbers, delivery
/// counts and deferred/scheduled states (locked ones come back available: a purge ends their
/// locks). After the window they are gone for good (dropped from memory by maintenance and on
/// open, whatever the journal says).
extension QueueStore {
    /// Purges every message of `entity` (`q` or `q/$deadletterqueue`).
    public func purge(_ entity: String, dryRun: Bool = false, actor: AuditActor = .thisProcess) throws(WharfError) -> PurgeResult {
        guard !dryRun else { return try purgeUnaudited(entity, dryRun: true) }
        return try audit.audited(actor, AuditAction.queuePurge, target: "queue:\(entity)",
                                 after: { ["purged": String($0.count), "restorable-until": $0.restorableUntil.map(TimeParsing.iso) ?? "-"] }) {
            () throws(WharfError) in try purgeUnaudited(entity, dryRun: false)
        }
    }

    private func purgeUnaudited(_ entity: String, dryRun: Bool) throws(WharfError) -> PurgeResult {
        let e = try self.entity(entity)
        let now = clock.nowMillis()
        let count = try e.purge(now: now, dryRun: dryRun)
        if !dryRun { logger.info("purged", metadata: ["entity": "\(e.path)", "count": "\(count)"]) }
        return PurgeResult(entity: e.path, dryRun: dryRun, count: count, restorableUntil: dryRun ? nil : now + purgeUndoWindowMillis)
    }

    /// Restores every message of `entity` purged within the undo window; returns how many.
    @discardableResult
    public func undoPurge(_ entity: String, actor: AuditActor = .thisProcess) throws(WharfError) -> Int {
        try audit.audited(actor, AuditAction.queuePurgeUndo, target: "queue:\(entity)", after: { ["restored": String($0)] }) {
            () throws(WharfError) in try self.entity(entity).undoPurge(now: clock.nowMillis(), window: purgeUndoWindowMillis)
        }
    }
}

extension QueueEntity {
    func purge(now: Int64, dryRun: Bool) throws(WharfError) -> Int {
        try state.withLock { (s: inout State) throws(WharfError) -> Int in
            let seqs = s.order.filter { s.entries[$0]?.visible == true }
            guard !dryRun, !seqs.isEmpty else { return seqs.count }
            for seq in seqs {
                guard let e = s.entries[seq] else { continue }
                if let t = e.lockToken { s.locks[t] = nil }
                s.entries[seq]?.lockToken = nil
                s.entries[seq]?.lockedUntil = nil
                s.entries[seq]?.sessionLock = nil
            }
            try write([.purged(seqs: seqs, at: now)], &s)
            s.nextDue = .min
            return seqs.count
        }
    }

    func undoPurge(now: Int64, window: Int64) throws(WharfError) -> Int {
        try state.withLock { (s: inout State) throws(WharfError) -> Int in
            let seqs = s.order.filter { seq in
                guard let e = s.entries[seq], !e.moving, let at = e.purgedAt else { return false }
                return at + window > now
            }
            try write(seqs.isEmpty ? [] : [.unpurged(seqs: seqs)], &s)
            s.nextDue = .min
            return seqs.count
        }
    }
}
