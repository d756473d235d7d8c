#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Synchronization
import WharfCore

/// The group-commit syncer of a log directory (issue 17): one loop for every partition log of
/// an engine's data directory, so that under `--fsync always` one round makes durable every append
/// that arrived, in any partition of any topic, while the previous round ran.
///
/// A log with appends waiting for durability `schedule`s itself. Each round takes every log
/// scheduled since the last one, asks each what its round covers (`PartitionLog.beginSyncRound`:
/// its written end, or the waiters a roll/flush already covered), runs their fdatasyncs together,
/// then lets each log move its durable end and resume its waiters in arrival order
/// (`finishSyncRound`). A log whose waiters arrived after its sync began is scheduled again for
/// the next round, so appends that arrive during a round share the next one instead of each
/// starting its own.
///
/// fdatasync per file rather than `syncfs(2)` on the directory's filesystem: `syncfs` also writes
/// back every other process's dirty pages on that filesystem (a build next to the broker makes an
/// acknowledgement wait for it), reports a write-back error of any file as ours, and does not
/// exist on Darwin. The files of one round are synced concurrently: ext4's journal commits
/// concurrent fdatasyncs in one transaction, where one after another each waits for its own commit
/// (BENCHMARKS.md, "Group commit across partitions", has the figures).
///
/// The loop runs on a Dispatch thread, never on the Swift concurrency pool (an fdatasync would
/// stall it), and only while there is work: `start` begins it (tests inject their own to run a
/// round when they choose). Both the loop and a round's extra fdatasyncs go to private serial
/// queues, not `DispatchQueue.global()`: on Linux the global queue's pool is as wide as the CPUs
/// and grows past that only when libdispatch's monitor notices blocked workers, so with both
/// workers blocked (this loop in `group.wait()`, another syncer's loop, a blocking append) an
/// fdatasync handed to it waited 0.4–0.9 s under `always` (issue 17, BENCHMARKS.md "Session 12").
/// A private serial queue runs on the overcommitting pool, which starts a thread when none is free.
///
/// A round can also run on the thread that wrote the data, when that thread offers to
/// (`SyncRoundRunner`: the Kafka listener's event loop) and the syncer is idle. Waking the syncer's
/// thread for the fdatasync and then the loop for the answer cost two thread wake-ups per round
/// trip, 100–250 µs on two vCPUs, more than the fdatasync itself (issue 17, BENCHMARKS.md "Session
/// 14"). The round is queued behind the loop's other ready work, so every request the loop read in
/// the same pass is written before it and shares it, as Redis's `appendfsync always` syncs once
/// before its loop sleeps. The loop is blocked for the fdatasync, so a round runs there only while
/// recent fdatasyncs were quick (`inlineRoundLimitNanos`); otherwise, and for the rounds that
/// others' appends need meanwhile, the syncer's own thread runs it.
public final class LogSyncer: Sendable {
    private struct State {
        /// Logs scheduled for the next round, in the order they asked.
        var scheduled: [PartitionLog] = []
        var scheduledIDs: Set<ObjectIdentifier> = []
        var running = false
        /// The round queued on a runner and not begun: which thread queued it (the runner's own),
        /// and the token its job carries.
        var runnerClaim: (thread: UInt, token: UInt64)?
        var claimsMade: UInt64 = 0
    }

    private let state = Mutex(State())
    private let start: @Sendable (@escaping @Sendable () -> Void) -> Void
    /// Rounds run so far (tests and metrics).
    let rounds = Atomic<Int>(0)
    /// Rounds run on a `SyncRoundRunner`'s thread so far (tests).
    let roundsOnRunner = Atomic<Int>(0)
    /// A moving average of how long a round's fdatasyncs took (nanoseconds, weight 1/8 per round).
    let recentRoundNanos = Atomic<Int>(0)
    /// Above this average a round blocks the runner's thread too long: the syncer's thread runs it.
    static let inlineRoundLimitNanos = 1_000_000

    /// A syncer whose loop runs on its own serial queue (see the type's comment for why not a global one).
    public convenience init() {
        let loop = DispatchQueue(label: "wharf.log-syncer")
        self.init(start: { loop.async(execute: $0) })
    }

    /// A syncer that hands its loop to `start` whenever work arrives while it is not running.
    init(start: @escaping @Sendable (@escaping @Sendable () -> Void) -> Void) {
        self.start = start
    }

    /// `log` has appends waiting for durability: the next round covers it. With a `runner`, and
    /// no round running or due, that round runs on the runner's thread (see the type's comment).
    func schedule(_ log: PartitionLog, runner: SyncRoundRunner? = nil) {
        let startLoop = state.withLock { s -> Bool in
            if s.scheduledIDs.insert(ObjectIdentifier(log)).inserted { s.scheduled.append(log) }
            guard !s.running else { return false }
            s.running = true
            return true
        }
        guard startLoop else { return }
        if let runner, recentRoundNanos.load(ordering: .relaxed) <= Self.inlineRoundLimitNanos {
            let token = state.withLock { s -> UInt64 in
                s.claimsMade &+= 1
                s.runnerClaim = (currentThreadID(), s.claimsMade)
                return s.claimsMade
            }
            if runner.enqueue({ self.runClaimedRound(token, on: runner) }) { return }
            state.withLock { $0.runnerClaim = nil }
        }
        start { self.run() }
    }

    /// The job queued on a runner: its round, unless the thread already ran it (see
    /// `runRoundQueuedOnThisThread`).
    private func runClaimedRound(_ token: UInt64, on runner: SyncRoundRunner) {
        let stillQueued = state.withLock { s -> Bool in
            guard s.runnerClaim?.token == token else { return false }
            s.runnerClaim = nil
            return true
        }
        if stillQueued { runOneRound(on: runner) }
    }

    /// Called before a thread blocks for durability: if it queued a round on itself that has not
    /// run, it runs it now, where waiting would wait forever (the round is behind the wait).
    func runRoundQueuedOnThisThread() {
        let queuedHere = state.withLock { s -> Bool in
            guard let claim = s.runnerClaim, claim.thread == currentThreadID() else { return false }
            s.runnerClaim = nil
            return true
        }
        if queuedHere { runOneRound(on: nil) }
    }

    /// One round on the runner's thread; appends scheduled meanwhile (other threads') go to the
    /// syncer's own thread rather than keep the runner blocked.
    private func runOneRound(on runner: SyncRoundRunner?) {
        let logs = takeScheduled()
        if logs.isEmpty { return }
        roundsOnRunner.add(1, ordering: .relaxed)
        round(logs, afterAcknowledgements: runner)
        let more = state.withLock { s -> Bool in
            if s.scheduled.isEmpty { s.running = false }
            return s.running
        }
        if more { start { self.run() } }
    }

    /// The logs scheduled since the last round; when there are none the syncer stops running.
    private func takeScheduled() -> [PartitionLog] {
        state.withLock { s -> [PartitionLog] in
            let logs = s.scheduled
            s.scheduled = []
            s.scheduledIDs = []
            if logs.isEmpty { s.running = false }
            return logs
        }
    }

    /// Rounds until no log is scheduled.
    private func run() {
        while true {
            let logs = takeScheduled()
            if logs.isEmpty { return }
            round(logs, afterAcknowledgements: nil)
        }
    }

    /// Syncs `logs` and resumes their waiters. What only keeps later rounds fast (zeros written
    /// ahead of the data) goes to `afterAcknowledgements` when given, so that on a runner's
    /// thread the answers the round released are written first; else it runs here.
    private func round(_ logs: [PartitionLog], afterAcknowledgements: SyncRoundRunner?) {
        rounds.add(1, ordering: .relaxed)
        let began = monotonicNanos()
        let plans = logs.map { $0.beginSyncRound() }
        let syncs = plans.indices.filter { plans[$0].sync != nil }
        // A failure stops that log (`PartitionLog.sync`): `finishSyncRound` sees it, and the
        // next round fails its waiters.
        let syncOne: @Sendable (Int) -> Void = { i in
            if let target = plans[i].sync { _ = try? logs[i].sync(target.file) }
        }
        if syncs.count == 1 {
            syncOne(syncs[0])
        } else if syncs.count > 1 {
            // Each on its own worker, this thread waiting for all: the filesystem sees them
            // together (see the type's comment) rather than one after another.
            let group = DispatchGroup()
            for i in syncs.dropFirst() { DispatchQueue(label: "wharf.fdatasync").async(group: group) { syncOne(i) } }
            syncOne(syncs[0])
            group.wait()
        }
        let took = Int(clamping: monotonicNanos() &- began)
        let average = recentRoundNanos.load(ordering: .relaxed)
        recentRoundNanos.store(average + (took - average) / 8, ordering: .relaxed)
        for (i, log) in logs.enumerated() where log.finishSyncRound(plans[i]) {
            schedule(log)
        }
        let synced = syncs.map { logs[$0] }
        if synced.isEmpty { return }
        let zeroFill: @Sendable () -> Void = { for log in synced { log.zeroFillAheadIfLow() } }
        if afterAcknowledgements?.enqueue(zeroFill) != true { zeroFill() }
    }
}

/// The calling thread, as a number that can be compared and stored (`pthread_t` is a pointer on Darwin).
private func currentThreadID() -> UInt {
    #if canImport(Darwin)
    UInt(bitPattern: pthread_self())
    #else
    UInt(pthread_self())
    #endif
}
