import Dispatch
import Testing

/// Runs each test of a suite on a thread of its own instead of the cooperative pool.
///
/// The pool has one thread per core (two here), and the parallel suite keeps it hundreds of jobs
/// deep at its start. A test that times something (a woken fetch, a parked answer) would measure
/// that queue, and a synchronous test holds its pool thread until it returns. Under this trait
/// the test body prefers a task executor backed by a serial dispatch queue (dispatch's
/// overcommitting threads, not the pool's), so the work still runs and competes for the CPU, but
/// the pool stays free for everyone else. Tests that are heavy as well use `.heavy`, which also
/// runs them one at a time.
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
