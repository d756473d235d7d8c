import Foundation

/// Runs a blocking call (a `waitpid`, a pipe read to end of file) on a thread of its own and
/// resumes the caller when it returns. Swift Testing runs every test on the cooperative pool,
/// which has one thread per core: a test blocked in a syscall there starves every other test
/// scheduled on that thread, so on a 2-core machine two such tests stall the whole run.
public func offThePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result(catching: work)) }.start()
    }
}
