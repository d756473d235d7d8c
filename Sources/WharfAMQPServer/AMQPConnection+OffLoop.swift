import Dispatch
import Synchronization
import WharfCore

/// Work of a request that may wait for the disk (a `$management` operation: under `--fsync
/// always` its journal writes wait for an fdatasync) runs off the event loop, so the loop
/// serves other connections meanwhile, as it does for sends and settlements (`whenDurable`).
extension AMQPConnection {
    /// Runs `work` on the connection's work queue, after every earlier such work of this
    /// connection (requests are performed in the order they came), then `answer` with its
    /// result on the event loop; dropped if the connection closed meanwhile. Until `answer`,
    /// the work counts against `maxRequestsOffLoop` (past it the socket is not read).
    func offLoop<T: Sendable>(_ work: @escaping @Sendable () -> T, _ answer: @escaping (T) -> Void) {
        let result = Mutex<T?>(nil)
        let queue = workQueue
        requestsOffLoop += 1
        whenDurable([{ report in
            queue.async {
                let value = work()
                result.withLock { $0 = value }
                report(nil)
            }
        }]) { [self] _ in
            requestsOffLoop -= 1
            if let value = result.withLock({ $0 }) { answer(value) }
        }
    }
}
