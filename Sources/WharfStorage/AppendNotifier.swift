import Synchronization
import WharfCore

/// Wakes readers waiting for a partition to grow (Kafka long-poll fetches) when it is appended to.
///
/// The append path pays one atomic increment and one atomic load when nobody waits; it allocates
/// nothing. A waiter snapshots `generation` *before* it looks at the log, then registers with
/// `register(_:ifGeneration:)`: if an append slipped in between, the waiter fires at once, so no
/// wake-up is lost. Both sides use sequentially consistent ordering (signal: increment generation,
/// then load the waiter count; register: increment the count, then load generation), so at least
/// one of them sees the other.
public final class AppendNotifier: Sendable {
    private let generationCounter = Atomic<UInt64>(0)
    private let waiterCount = Atomic<Int>(0)
    private let waiters = Mutex<[ObjectIdentifier: AppendWaiter]>([:])

    public init() {}

    /// Bumped by every append.
    public var generation: UInt64 { generationCounter.load(ordering: .sequentiallyConsistent) }

    /// Readers currently registered (tests and metrics).
    public var waitingCount: Int { waiterCount.load(ordering: .sequentiallyConsistent) }

    /// Called after each append: fires and forgets every registered waiter. True when it woke one.
    @discardableResult
    public func signal() -> Bool {
        generationCounter.wrappingAdd(1, ordering: .sequentiallyConsistent)
        guard waiterCount.load(ordering: .sequentiallyConsistent) > 0 else { return false }
        let woken = waiters.withLock { w -> [ObjectIdentifier: AppendWaiter] in
            let all = w
            w = [:]
            waiterCount.store(0, ordering: .sequentiallyConsistent)
            return all
        }
        let now = monotonicNanos()
        for waiter in woken.values { waiter.fire(signalledAt: now) }
        return !woken.isEmpty
    }

    /// Adds `waiter` unless the log changed since `generation` was read, in which case the
    /// waiter fires at once.
    public func register(_ waiter: AppendWaiter, ifGeneration seen: UInt64) {
        waiters.withLock { w in
            w[ObjectIdentifier(waiter)] = waiter
            waiterCount.store(w.count, ordering: .sequentiallyConsistent)
        }
        if generationCounter.load(ordering: .sequentiallyConsistent) != seen { waiter.fire(signalledAt: monotonicNanos()) }
    }

    /// Drops `waiter` (after it woke or timed out) so the notifier does not keep it alive.
    public func unregister(_ waiter: AppendWaiter) {
        waiters.withLock { w in
            if w.removeValue(forKey: ObjectIdentifier(waiter)) != nil {
                waiterCount.store(w.count, ordering: .sequentiallyConsistent)
            }
        }
    }
}

/// One waiting reader, possibly registered with several partitions' notifiers: the first of an
/// append, its timeout or cancellation wakes it; later fires do nothing.
public final class AppendWaiter: Sendable {
    private struct State {
        var fired = false
        /// When an append woke it (`monotonicNanos()`), nil when its timeout or a cancellation did.
        var signalledAt: UInt64?
        var continuation: CheckedContinuation<Void, Never>?
    }
    private let state = Mutex(State())

    public init() {}

    public var hasFired: Bool { state.withLock { $0.fired } }

    /// Wakes the waiter; `signalledAt` says an append did, at that `monotonicNanos()` reading.
    public func fire(signalledAt: UInt64? = nil) {
        let continuation = state.withLock { s -> CheckedContinuation<Void, Never>? in
            guard !s.fired else { return nil }
            s.fired = true
            s.signalledAt = signalledAt
            defer { s.continuation = nil }
            return s.continuation
        }
        continuation?.resume()
    }

    /// Suspends until `fire()`, the timeout, or task cancellation, whichever comes first.
    /// The timeout is a task sleeping on the global executor; a caller on an event loop arms
    /// its own timer there instead and calls `wait()` (the Kafka listener's
    /// `wait(timeout:onLoop:)`): see there why.
    public func wait(timeout: Duration) async {
        let timer = Task { [self] in
            try? await Task.sleep(for: timeout)
            fire()
        }
        await wait()
        timer.cancel()
    }

    /// Suspends until `fire()` or task cancellation, whichever comes first: the caller arms
    /// whatever timeout it wants to call `fire()`.
    public func wait() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let already = state.withLock { s -> Bool in
                    if s.fired { return true }
                    s.continuation = c
                    return false
                }
                if already { c.resume() }
            }
        } onCancel: {
            fire()
        }
        if let signalled = state.withLock({ $0.signalledAt }) { StorageLatencies.readerWakeup.observe(since: signalled) }
    }
}
