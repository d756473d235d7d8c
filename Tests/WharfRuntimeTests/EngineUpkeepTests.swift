import Dispatch
import Foundation
import Logging
import Synchronization
import Testing
import WharfCore
import WharfEngine
import WharfRuntime
import WharfTestSupport

/// The upkeep's passes over files block for the disk (a queue tick under `--fsync always`
/// waits for fdatasyncs); they must not hold a thread of the Swift concurrency pool meanwhile.
///
/// Runs only with `WHARF_POOL_TESTS=1`, in a process of its own (`.ci/run`): it occupies the
/// concurrency pool's threads on purpose and asks whether a task still gets one, which the
/// parallel suite's other tests make untrue for seconds at a time (it failed there once, with
/// the pool busy for 30 s at the run's start), and which they need meanwhile.
@Suite struct EngineUpkeepTests {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["WHARF_POOL_TESTS"] != nil, "occupies the concurrency pool's threads"))
    func aPassBlockedOnTheDiskLeavesTheConcurrencyPoolFree() async throws {
        let root = NSTemporaryDirectory() + "wharf-upkeep-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let engine = try Engine.open(config: EngineConfig(dataDirectory: root), clock: ManualClock(1_800_000_000_000), logger: logger)
        defer { try? engine.close() }
        let inPass = DispatchSemaphore(value: 0), disk = DispatchSemaphore(value: 0)
        let upkeep = EngineUpkeep.start(engine) {
            inPass.signal()
            disk.wait()  // a pass waiting for an fdatasync
        }
        // Off the pool: occupy all of its threads but one, and see whether a task still runs.
        let ran = try await offThePool { () -> Bool in
            #expect(inPass.wait(timeout: .now() + 20) == .success, "the upkeep never ran its pass")
            let width = ProcessInfo.processInfo.activeProcessorCount
            let held = DispatchSemaphore(value: 0), probe = DispatchSemaphore(value: 0)
            for _ in 0..<(width - 1) { Task.detached { held.wait() } }
            Task.detached { probe.signal() }
            let ran = probe.wait(timeout: .now() + 10) == .success
            for _ in 0..<(width - 1) { held.signal() }
            disk.signal()
            return ran
        }
        #expect(ran, "the blocked pass held a thread of the concurrency pool")
        await upkeep.stop()
    }
}
