import NIOCore
import WharfStorage

extension AppendWaiter {
    /// `wait(timeout:)` for a long-poll Fetch: when the caller runs on an event loop (the record
    /// path, `EventLoopTaskExecutor`), the timeout is a task scheduled on that loop and cancelled
    /// there when an append wins, so a parked Fetch involves no other thread. `wait(timeout:)`'s
    /// sleeping task lives on the global executor: creating it, and cancelling it at every
    /// wake-up, woke a pool thread and took locks the loop then contended for, per Fetch, about a
    /// fifth of the broker's CPU at 1,000 records/s and a lock wait on the record's path when a
    /// pool thread was descheduled (issue 17, BENCHMARKS.md). Elsewhere (a caller's executor,
    /// tests), it is `wait(timeout:)`.
    func wait(timeout: Duration, onLoop loop: (any EventLoop)?) async {
        guard let loop else {
            await wait(timeout: timeout)
            return
        }
        // A Fetch waits at most 30 s; the bound keeps the conversion from ever overflowing.
        let nanos = (min(max(timeout, .zero), .seconds(3_600)) / .nanoseconds(1)).rounded(.up)
        let timer = loop.scheduleTask(in: .nanoseconds(Int64(nanos))) { self.fire() }
        await wait()
        timer.cancel()
    }
}
