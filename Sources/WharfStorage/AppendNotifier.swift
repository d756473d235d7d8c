import Synchronization

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

    /// Called after each append: fires and forgets every registered waiter.
    public func signal() {
        generationCounter.wrappingAdd(1, ordering: .sequentiallyConsistent)
        guard waiterCount.load(ordering: .sequentiallyConsistent) > 0 else { return }
        let woken = waiters.withLock { w -> [ObjectIdentifier: AppendWaiter] in
            let all = w
            w = [:]
            waiterCount.store(0, ordering: .sequentiallyConsistent)
            return all
        }
        for waiter in woken.values { waiter.fire() }
    }

    /// Adds `waiter` unless the log changed since `generation` was read, in which case the
    /// waiter fires at once.
    public func register(_ waiter: AppendWaiter, ifGeneration seen: UInt64) {
        waiters.withLock { w in
            w[ObjectIdentifier(waiter)] = waiter
            waiterCount.store(w.count, ordering: .sequentiallyConsistent)
        }
        if generationCounter.load(ordering: .sequentiallyConsistent) != seen { waiter.fire() }
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
        var continuation: CheckedContinuation<Void, Never>?
    }
    private let state = Mutex(State())

    public init() {}

    public var hasFired: Bool { state.withLock { $0.fired } }

    public func fire() {
        let continuation = state.withLock { s -> CheckedContinuation<Void, Never>? in
            guard !s.fired else { return nil }
            s.fired = true
            defer { s.continuation = nil }
            return s.continuation
        }
        continuation?.resume()
    }

    /// Suspends until `fire()`, the timeout, or task cancellation, whichever comes first.
    public func wait(timeout: Duration) async {
        let timer = Task { [self] in
            try? await Task.sleep(for: timeout)
            fire()
        }
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
        timer.cancel()
    }
}
