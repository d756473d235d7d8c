import Dispatch
import Synchronization
import WharfCore

/// Group commit for the `always` fsync policy (and the due syncs of `interval`): appends only write (under the log's lock) and
/// then wait here for an fdatasync that covers their end offset. One syncer per log at a time
/// runs on a Dispatch thread (never on the Swift concurrency pool, which an fdatasync would
/// stall): it syncs the active segment, advances the synced end (and so what readers see), wakes
/// every waiter it covered, and syncs again while waiters that arrived during the last sync
/// remain. So N appends arriving during one fdatasync share the next one instead of running N,
/// and the lock is never held across an fdatasync.
extension PartitionLog {
    /// Someone waiting for the synced end to reach `end`; `resume` gets nil or the error.
    struct DurabilityWaiter: Sendable {
        let end: Int64
        let resume: @Sendable (WharfError?) -> Void
    }

    /// Waits until a completed fdatasync covers every offset below `end`.
    func waitDurable(upTo end: Int64) async throws(WharfError) {
        let error: WharfError? = await withCheckedContinuation { continuation in
            enqueueDurabilityWaiter(DurabilityWaiter(end: end) { continuation.resume(returning: $0) })
        }
        if let error { throw error }
    }

    /// `waitDurable` blocking the calling thread.
    func waitDurableBlocking(upTo end: Int64) throws(WharfError) {
        let done = DispatchSemaphore(value: 0)
        let outcome = Mutex<WharfError?>(nil)
        enqueueDurabilityWaiter(DurabilityWaiter(end: end) { error in
            outcome.withLock { $0 = error }
            done.signal()
        })
        done.wait()
        if let error = outcome.withLock({ $0 }) { throw error }
    }

    /// Has the syncer run an fdatasync covering every offset below `end` (an `interval` sync
    /// that fell due), without anyone waiting for it.
    func startDueSync(upTo end: Int64) {
        enqueueDurabilityWaiter(DurabilityWaiter(end: end) { _ in })
    }

    private func enqueueDurabilityWaiter(_ waiter: DurabilityWaiter) {
        enum Next { case resume(WharfError?), wait, startSyncer }
        let next = state.withLock { s -> Next in
            if s.syncedEnd >= waiter.end { return .resume(nil) }
            if let error = stopError(s) { return .resume(error) }
            s.durabilityWaiters.append(waiter)
            if s.syncerRunning { return .wait }
            s.syncerRunning = true
            return .startSyncer
        }
        switch next {
        case .resume(let error): waiter.resume(error)
        case .wait: break
        case .startSyncer: DispatchQueue.global().async { self.runSyncer() }
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

    /// The syncer loop: one fdatasync per round, covering everything written before it began.
    private func runSyncer() {
        enum Step {
            /// Covered waiters, and those no sync can cover any more with the reason.
            case finish(covered: [DurabilityWaiter], failed: [DurabilityWaiter], WharfError?)
            case sync([DurabilityWaiter], PosixFile, end: Int64, bytes: Int64, base: Int64)
        }
        while true {
            let step = state.withLock { s -> Step in
                // Waiters a sync (ours, or a roll's, flush's or close's) already covered.
                let covered = s.durabilityWaiters.filter { $0.end <= s.syncedEnd }
                s.durabilityWaiters.removeAll { $0.end <= s.syncedEnd }
                if s.durabilityWaiters.isEmpty {
                    s.syncerRunning = false
                    return .finish(covered: covered, failed: [], nil)
                }
                var error = stopError(s)
                if error == nil {
                    do throws(WharfError) {
                        return .sync(covered, try s.active.openFile(), end: s.logEndOffset, bytes: s.active.size, base: s.active.baseOffset)
                    } catch let e {
                        error = e
                    }
                }
                let failed = s.durabilityWaiters
                s.durabilityWaiters = []
                s.syncerRunning = false
                return .finish(covered: covered, failed: failed, error)
            }
            switch step {
            case .finish(let covered, let failed, let error):
                for waiter in covered { waiter.resume(nil) }
                // A roll or flush may have moved the readable end without us: wake fetches.
                if !covered.isEmpty { appendNotifier.signal() }
                for waiter in failed { waiter.resume(error) }
                return
            case .sync(let covered, let file, let end, let bytes, let base):
                for waiter in covered { waiter.resume(nil) }
                // This sync began after every write below `end` (they happened under the lock
                // before we read it), so it covers them all. A failure stops the log; the next
                // round then fails the waiters.
                if (try? sync(file)) != nil {
                    state.withLock { $0.markSynced(upTo: end, bytes: bytes, segmentBase: base) }
                    appendNotifier.signal()
                }
            }
        }
    }
}
