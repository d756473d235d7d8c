import Dispatch
import Foundation
import Synchronization
import Testing
import WharfCore
@testable import WharfStorage

/// The syncer's threads must not come from the width-limited global Dispatch pool: with its
/// workers all blocked, a round's loop or its second fdatasync queued there waited until
/// libdispatch's monitor added a thread (0.4–0.9 s under `always`, issue 17). With the old code
/// this test took 2.0 s (three runs) and failed; it passes with the private queues.
///
/// Runs only with `WHARF_POOL_TESTS=1` (`WHARF_POOL_TESTS=1 swift test --filter LogSyncerThreadPool`):
/// blocking the global pool starves every other suite of the same process that needs it (Swift
/// concurrency's jobs wait there too; `OffsetCommitGroupCommitTests` failed twice beside it).
@Suite struct LogSyncerThreadPoolTests {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["WHARF_POOL_TESTS"] != nil, "blocks the process's global Dispatch pool"))
    func aRoundOfTwoLogsFinishesWhileTheGlobalQueueIsBlocked() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let width = ProcessInfo.processInfo.activeProcessorCount
        let release = DispatchSemaphore(value: 0)
        let occupied = Atomic<Int>(0)
        for _ in 0..<width {
            DispatchQueue.global().async {
                occupied.add(1, ordering: .relaxed)
                release.wait()
            }
        }
        defer { for _ in 0..<width { release.signal() } }
        let busyBy = ContinuousClock.now + .seconds(2)
        while occupied.load(ordering: .relaxed) < width && ContinuousClock.now < busyBy { usleep(1_000) }

        let syncer = LogSyncer()
        let config = smallConfig(fsync: .always)
        let a = try PartitionLog.open(directory: dir.path + "/a-0", config: config, clock: ManualClock(), logger: testLogger(), syncer: syncer)
        let b = try PartitionLog.open(directory: dir.path + "/b-0", config: config, clock: ManualClock(), logger: testLogger(), syncer: syncer)
        var first = makeBatch(count: 1)
        var second = makeBatch(count: 1)
        let pendingA = try a.write(&first)
        let pendingB = try b.write(&second)
        let begun = ContinuousClock.now
        b.startDueSync(upTo: pendingB.result.lastOffset + 1)
        try pendingA.durableBlocking()
        try pendingB.durableBlocking()
        #expect(ContinuousClock.now - begun < .milliseconds(250))
        #expect(a.logEndOffset == 1 && b.logEndOffset == 1)
    }
}
