import Dispatch
import Synchronization
import WharfCore

/// One wait for durability, as the engine's writes without waiting offer it
/// (`QueueSends.waits`, `QueueCompletions.waits`, `QueueReceived.waits`): it calls its argument once, with
/// nil or the error of the fdatasync that failed, possibly on a syncer's thread.
public typealias DurabilityWait = @Sendable (@escaping @Sendable (WharfError?) -> Void) -> Void

public enum DurableWaits {
    /// Calls `body` once, after every one of `waits` reported: nil if all succeeded, else the
    /// first error reported. At once when `waits` is empty.
    public static func whenAll(_ waits: [DurabilityWait], _ body: @escaping @Sendable (WharfError?) -> Void) {
        guard !waits.isEmpty else { return body(nil) }
        let remaining = Mutex((count: waits.count, error: WharfError?.none))
        for wait in waits {
            wait { error in
                let (done, first) = remaining.withLock { r -> (Bool, WharfError?) in
                    r.count -= 1
                    if r.error == nil { r.error = error }
                    return (r.count == 0, r.error)
                }
                if done { body(first) }
            }
        }
    }

    /// Blocks the calling thread until every one of `waits` reported; throws the first error.
    public static func waitBlocking(_ waits: [DurabilityWait]) throws(WharfError) {
        guard !waits.isEmpty else { return }
        let done = DispatchSemaphore(value: 0)
        let outcome = Mutex<WharfError?>(nil)
        whenAll(waits) { error in
            outcome.withLock { $0 = error }
            done.signal()
        }
        done.wait()
        if let error = outcome.withLock({ $0 }) { throw error }
    }
}
