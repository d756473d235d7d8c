import Synchronization

/// The request workers of the open connections, so that `KafkaServer.stop()` can stop them (they
/// are cancelled and return promptly) before it shuts the event loop down: a worker running on
/// its connection's loop (`EventLoopTaskExecutor`) needs the loop until its last job.
final class ConnectionWorkers: Sendable {
    private let tasks = Mutex<[ObjectIdentifier: Task<Void, Never>]>([:])

    func add(_ task: Task<Void, Never>, for connection: ObjectIdentifier) {
        tasks.withLock { $0[connection] = task }
    }

    func remove(_ connection: ObjectIdentifier) {
        _ = tasks.withLock { $0.removeValue(forKey: connection) }
    }

    /// Cancels every worker registered now (as closing its connection would: queued requests
    /// are dropped, a parked long poll returns) and waits for them to return.
    func finish() async {
        let all = tasks.withLock { Array($0.values) }
        for task in all { task.cancel() }
        for task in all { await task.value }
    }
}
