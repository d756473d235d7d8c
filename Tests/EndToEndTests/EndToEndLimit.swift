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
    static let slots = TestSlots(ProcessInfo.processInfo.environment["WHARF_E2E_CONCURRENCY"].flatMap(Int.init) ?? 2)

    var isRecursive: Bool { true }

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        guard testCase != nil else { return try await function() }   // a suite: its tests take the slots
        try await Self.slots.withSlotOnOwnThread(function)
    }
}

extension Trait where Self == EndToEndLimit {
    /// See `EndToEndLimit`.
    static var endToEnd: Self { EndToEndLimit() }
}
