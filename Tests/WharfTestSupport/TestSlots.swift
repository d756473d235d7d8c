/// A counting semaphore for tests: at most `count` holders at once, waiters resumed in arrival
/// order. A waiting test holds no thread. The limits on end-to-end and heavy tests use it.
public actor TestSlots {
    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    public init(_ count: Int) { free = max(1, count) }

    public func acquire() async {
        if free > 0 {
            free -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    public func release() {
        if waiting.isEmpty { free += 1 } else { waiting.removeFirst().resume() }
    }

    /// Runs `body` holding one slot, on a thread of its own (a `QueueTaskExecutor`), not on the
    /// cooperative pool; the slot is given back however `body` ends.
    public nonisolated func withSlotOnOwnThread(_ body: @Sendable () async throws -> Void) async throws {
        await acquire()
        do {
            try await withTaskExecutorPreference(QueueTaskExecutor()) { try await body() }
        } catch {
            await release()
            throw error
        }
        await release()
    }
}
