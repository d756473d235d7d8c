import Dispatch
import Testing

/// Runs each test of a suite on a thread of its own instead of the cooperative pool.
///
/// The pool has one thread per core (two here). A synchronous, CPU-bound test (the power-cut
/// explorations, model checks, benchmarks) holds its pool thread until it returns; two of them
/// at once leave no thread for the in-process listeners other suites talk to, whose requests
/// then time out. Under this trait the test body prefers a task executor backed by a serial
/// dispatch queue (dispatch's overcommitting threads, not the pool's), so the work still runs
/// and competes for the CPU, but the pool stays free for everyone else.
public struct OwnThreadTrait: SuiteTrait, TestTrait, TestScoping {
    public var isRecursive: Bool { true }

    public func provideScope(for test: Test, testCase: Test.Case?,
                             performing function: @Sendable () async throws -> Void) async throws {
        guard testCase != nil else { return try await function() }
        try await withTaskExecutorPreference(QueueTaskExecutor()) { try await function() }
    }
}

extension Trait where Self == OwnThreadTrait {
    /// See `OwnThreadTrait`.
    public static var ownThread: Self { OwnThreadTrait() }
}

/// A task executor that runs jobs one at a time on a private serial dispatch queue (a thread
/// of dispatch's, not one of the cooperative pool's): for a test's own work (`.ownThread`) and
/// for an in-process listener's (`KafkaServer.Configuration.requestExecutor`).
public final class QueueTaskExecutor: TaskExecutor {
    private let queue = DispatchQueue(label: "wharf.test.own-thread")

    public init() {}

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}
