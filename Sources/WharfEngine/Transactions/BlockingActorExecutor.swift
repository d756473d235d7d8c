import Dispatch

/// A serial executor on a dispatch queue of its own, for an actor whose methods block on the
/// disk: the transaction coordinator rewrites its state file with fsyncs and writes markers with
/// the blocking append, which under `--fsync always` waits for the log's group commit.
///
/// On the default executor those waits held a thread of Swift's cooperative pool (one per
/// core, two here) for every EndTxn, and every request of every listener and task waited behind
/// it. Here they hold the queue's own thread (dispatch's, outside the pool); the actor's
/// guarantees do not change, since its jobs still run one at a time.
final class BlockingActorExecutor: SerialExecutor {
    private static let marker = DispatchSpecificKey<Bool>()
    private let queue: DispatchQueue

    init(label: String) {
        queue = DispatchQueue(label: label)
        queue.setSpecific(key: Self.marker, value: true)
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedSerialExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }

    /// Whether the calling code runs on a `BlockingActorExecutor`'s queue (tests).
    static var isCurrent: Bool { DispatchQueue.getSpecific(key: marker) == true }
}
