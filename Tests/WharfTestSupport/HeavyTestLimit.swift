import Foundation
import Testing

/// Lets one heavy test run at a time, on a thread of its own.
///
/// A heavy test keeps a core or the disk busy for seconds: the power-cut explorations (thousands
/// of files written, fsynced and deleted), model checks, fuzz loops, benchmarks. The parallel
/// suite starts every test at once, so on a 2-core machine a dozen of them together took both
/// cores and the disk for the suite's first minute or more. Tests that wait on a wall-clock
/// deadline (a projection catching up, an in-process listener's answer, a metrics scrape) then
/// failed after 60–80 s without having run at all. One at a time, they spread over the run
/// instead, which lasts minutes anyway. Off the cooperative pool (`.ownThread`), a synchronous one cannot hold one of the
/// pool's two threads either. `WHARF_HEAVY_CONCURRENCY` overrides the default of 1.
public struct HeavyTestLimit: SuiteTrait, TestTrait, TestScoping {
    static let slots = TestSlots(ProcessInfo.processInfo.environment["WHARF_HEAVY_CONCURRENCY"].flatMap(Int.init) ?? 1)

    public var isRecursive: Bool { true }

    public func provideScope(for test: Test, testCase: Test.Case?,
                             performing function: @Sendable () async throws -> Void) async throws {
        guard testCase != nil else { return try await function() }   // a suite: its tests take the slot
        try await Self.slots.withSlotOnOwnThread(function)
    }
}

extension Trait where Self == HeavyTestLimit {
    /// See `HeavyTestLimit`.
    public static var heavy: Self { HeavyTestLimit() }
}
