import Dispatch
import Synchronization

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
public final class LogSyncer: Sendable {
    private struct State {
        /// Logs scheduled for the next round, in the order they asked.
        var scheduled: [PartitionLog] = []
        var scheduledIDs: Set<ObjectIdentifier> = []
        var running = false
    }

    private let state = Mutex(State())
    private let start: @Sendable (@escaping @Sendable () -> Void) -> Void
    /// Rounds run so far (tests and metrics).
    let rounds = Atomic<Int>(0)

    /// A syncer whose loop runs on its own serial queue (see the type's comment for why not a global one).
    public convenience init() {
        let loop = DispatchQueue(label: "wharf.log-syncer")
        self.init(start: { loop.async(execute: $0) })
    }

    /// A syncer that hands its loop to `start` whenever work arrives while it is not running.
    init(start: @escaping @Sendable (@escaping @Sendable () -> Void) -> Void) {
        self.start = start
    }

    /// `log` has appends waiting for durability: the next round covers it.
    func schedule(_ log: PartitionLog) {
        let startLoop = state.withLock { s -> Bool in
            if s.scheduledIDs.insert(ObjectIdentifier(log)).inserted { s.scheduled.append(log) }
            guard !s.running else { return false }
            s.running = true
            return true
        }
        if startLoop { start { self.run() } }
    }

    /// Rounds until no log is scheduled.
    private func run() {
        while true {
            let logs = state.withLock { s -> [PartitionLog] in
                let logs = s.scheduled
                s.scheduled = []
                s.scheduledIDs = []
                if logs.isEmpty { s.running = false }
                return logs
            }
            if logs.isEmpty { return }
            round(logs)
        }
    }

    private func round(_ logs: [PartitionLog]) {
        rounds.add(1, ordering: .relaxed)
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
        for (i, log) in logs.enumerated() where log.finishSyncRound(plans[i]) {
            schedule(log)
        }
    }
}
