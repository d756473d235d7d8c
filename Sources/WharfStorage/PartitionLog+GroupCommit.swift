import Dispatch
import Synchronization
import WharfCore

/// Group commit for the `always` fsync policy (and the due syncs of `interval`): appends only write (under the log's lock) and
/// then wait here for an fdatasync that covers their end offset. The log's `LogSyncer` (one per
/// data directory in an engine) runs the fdatasyncs in rounds, each covering everything written
/// before it began in every log it serves: it advances the synced end (and so what readers see)
/// and wakes every waiter it covered, in arrival order. So N appends arriving during one round
/// share the next one instead of running N, and the lock is never held across an fdatasync.
extension PartitionLog {
    /// Someone waiting for the synced end to reach `end`; `resume` gets nil or the error.
    struct DurabilityWaiter: Sendable {
        let end: Int64
        let resume: @Sendable (WharfError?) -> Void
    }

    /// What one syncer round does for this log: the fdatasync to run, if any waiter needs one.
    struct SyncRoundPlan: Sendable {
        struct Target: Sendable {
            let file: PosixFile
            /// The log end, active segment size and base when the round began: what the sync covers.
            let end: Int64
            let bytes: Int64
            let base: Int64
        }

        let sync: Target?
    }

    /// Waits until a completed fdatasync covers every offset below `end` (written by `write`,
    /// whose `PendingAppend` does this; public for a caller that keeps the end itself, such as
    /// the event store's appends in flight).
    public func waitDurable(upTo end: Int64) async throws(WharfError) {
        let error: WharfError? = await withCheckedContinuation { continuation in
            enqueueDurabilityWaiter(DurabilityWaiter(end: end) { continuation.resume(returning: $0) })
        }
        if let error { throw error }
    }

    /// `waitDurable` blocking the calling thread.
    public func waitDurableBlocking(upTo end: Int64) throws(WharfError) {
        let done = DispatchSemaphore(value: 0)
        let outcome = Mutex<WharfError?>(nil)
        enqueueDurabilityWaiter(DurabilityWaiter(end: end) { error in
            outcome.withLock { $0 = error }
            done.signal()
        })
        // A round this thread queued on itself (an event loop's) would run only after the wait.
        syncer.runRoundQueuedOnThisThread()
        done.wait()
        if let error = outcome.withLock({ $0 }) { throw error }
    }

    /// Calls `body` (with nil, or the error that stopped the log) once a completed fdatasync
    /// covers every offset below `end`: at once on this thread if one already does, else on the
    /// syncer's thread after its round, so `body` must be quick and must not block (an event
    /// loop's caller hands its continuation back to its loop).
    public func whenDurable(upTo end: Int64, _ body: @escaping @Sendable (WharfError?) -> Void) {
        enqueueDurabilityWaiter(DurabilityWaiter(end: end, resume: body))
    }

    /// Has the syncer run an fdatasync covering every offset below `end`, without anyone waiting
    /// for it: an `interval` sync that fell due, or an `always` append whose caller will wait
    /// later (`PendingAppend.requestDurability()`). With a `runner`, the round may run on its thread.
    func startDueSync(upTo end: Int64, runner: SyncRoundRunner? = nil) {
        enqueueDurabilityWaiter(DurabilityWaiter(end: end) { _ in }, runner: runner)
    }

    /// Resumes `waiter` at once if a sync already covers it (or none ever can), else queues it
    /// and schedules this log on its syncer.
    func enqueueDurabilityWaiter(_ waiter: DurabilityWaiter, runner: SyncRoundRunner? = nil) {
        let now = state.withLock { s -> WharfError?? in
            if s.syncedEnd >= waiter.end { return .some(nil) }
            if let error = stopError(s) { return .some(error) }
            s.durabilityWaiters.append(waiter)
            return .none
        }
        if let now {
            waiter.resume(now)
        } else {
            syncer.schedule(self, runner: runner)
        }
    }

    /// Why no further sync can cover a waiter (closed, or stopped by a failed fdatasync).
    private func stopError(_ s: State) -> WharfError? {
        do throws(WharfError) {
            try checkWritable(s)
            return nil
        } catch {
            return error
        }
    }

    /// The syncer's round begins: resumes the waiters a sync (a roll's, flush's or close's, or the
    /// last round's) already covered, fails them all if the log stopped, and otherwise returns the
    /// fdatasync that covers every waiter queued now (each was written before it queued).
    func beginSyncRound() -> SyncRoundPlan {
        let (covered, failed, error, plan) = state.withLock { s -> ([DurabilityWaiter], [DurabilityWaiter], WharfError?, SyncRoundPlan) in
            let covered = takeCoveredWaiters(&s)
            if s.durabilityWaiters.isEmpty { return (covered, [], nil, SyncRoundPlan(sync: nil)) }
            var error = stopError(s)
            if error == nil {
                do throws(WharfError) {
                    let target = SyncRoundPlan.Target(file: try s.active.openFile(), end: s.logEndOffset, bytes: s.active.size, base: s.active.baseOffset)
                    return (covered, [], nil, SyncRoundPlan(sync: target))
                } catch let e {
                    error = e
                }
            }
            let failed = s.durabilityWaiters
            s.durabilityWaiters = []
            return (covered, failed, error, SyncRoundPlan(sync: nil))
        }
        for waiter in covered { waiter.resume(nil) }
        // A roll or flush may have moved the readable end without the syncer: wake fetches.
        if !covered.isEmpty { appendNotifier.signal() }
        for waiter in failed { waiter.resume(error) }
        return plan
    }

    /// The round's fdatasync (if it had one) returned: unless it failed (which stopped the log),
    /// the synced end moves to what it covered, readers are woken, and the waiters it covers
    /// resume in arrival order. True when waiters remain that no scheduled round will see (after
    /// a failed sync: the next round fails them).
    func finishSyncRound(_ plan: SyncRoundPlan) -> Bool {
        guard let target = plan.sync else { return false }
        let (covered, failed) = state.withLock { s -> ([DurabilityWaiter], Bool) in
            // `failure` is set before a failed sync returns and never cleared, so nil means ours
            // completed. It began after every write below `target.end` (they happened under
            // the lock before `beginSyncRound` read it), so it covers them all.
            guard s.failure == nil else { return ([], !s.durabilityWaiters.isEmpty) }
            s.markSynced(upTo: target.end, bytes: target.bytes, segmentBase: target.base)
            return (takeCoveredWaiters(&s), false)
        }
        if failed { return true }
        appendNotifier.signal()
        for waiter in covered { waiter.resume(nil) }
        // Waiters still queued arrived after the round began and scheduled this log themselves.
        return false
    }

    /// Removes and returns, in arrival order, the waiters a completed sync covers.
    private func takeCoveredWaiters(_ s: inout State) -> [DurabilityWaiter] {
        let covered = s.durabilityWaiters.filter { $0.end <= s.syncedEnd }
        s.durabilityWaiters.removeAll { $0.end <= s.syncedEnd }
        return covered
    }
}
