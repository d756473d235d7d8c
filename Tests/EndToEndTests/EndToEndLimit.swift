import Foundation
import Testing
import WharfTestSupport

/// Lets only a few end-to-end tests run at once. Every end-to-end suite carries it
/// (`@Suite(.endToEnd)`): each test starts real processes (the `wharf` binary, tmux, Kafka
/// clients) that need the CPU, so with all of them started together on a 2-core machine their
/// own timeouts would fire. Unit tests are not limited: while an end-to-end test awaits a child
/// process it holds no thread (see `offThePool`), so they run alongside it.
/// `WHARF_E2E_CONCURRENCY` overrides the default of 2.
///
/// Each end-to-end test also runs on a thread of its own (as `.ownThread` tests do), not on the
/// cooperative pool: some block while they wait (a synchronous test, `ChildProcess.waitUntilExit` in
/// a server's `stop()`, reading a child's first line), and on the pool two of them would leave
/// no thread for the unit tests and in-process listeners running meanwhile.
struct EndToEndLimit: SuiteTrait, TestTrait, TestScoping {
    static let slots = Slots(ProcessInfo.processInfo.environment["WHARF_E2E_CONCURRENCY"].flatMap(Int.init).map { max(1, $0) } ?? 2)

    var isRecursive: Bool { true }

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        guard testCase != nil else { return try await function() }   // a suite: its tests take the slots
        await Self.slots.acquire()
        do {
            try await withTaskExecutorPreference(QueueTaskExecutor()) { try await function() }
        } catch {
            await Self.slots.release()
            throw error
        }
        await Self.slots.release()
    }

    /// A counting semaphore for tasks: waiters are resumed in arrival order.
    actor Slots {
        private var free: Int
        private var waiting: [CheckedContinuation<Void, Never>] = []

        init(_ count: Int) { free = count }

        func acquire() async {
            if free > 0 {
                free -= 1
                return
            }
            await withCheckedContinuation { waiting.append($0) }
        }

        func release() {
            if waiting.isEmpty { free += 1 } else { waiting.removeFirst().resume() }
        }
    }
}

extension Trait where Self == EndToEndLimit {
    /// See `EndToEndLimit`.
    static var endToEnd: Self { EndToEndLimit() }
}
