import Dispatch
import Foundation
import Synchronization
import Testing
import WharfCore
@testable import WharfStorage
import WharfTestSupport

/// A group-commit round run on the thread that wrote the data (`SyncRoundRunner`, issue 17
/// session 14): the Kafka listener's event loop runs the fdatasync itself, after the requests it
/// already read, instead of waking the syncer's thread and being woken back. Both the syncer's
/// thread and the runner's queue are held by the test (`LogSyncerTests.ManualStart`), so which
/// thread would run a round is decided here, not by timing.
@Suite struct LogSyncerRunnerTests {
    typealias ManualStart = LogSyncerTests.ManualStart

    let helpers = LogSyncerTests()

    /// A syncer over `count` logs under `always`, its thread and a runner's queue (`loop`) both
    /// held by the test.
    struct Fixture {
        let dir = TempDir("wharf-syncrunner")
        let thread = ManualStart()
        let loop = ManualStart()
        let syncer: LogSyncer
        let logs: [PartitionLog]

        init(logs count: Int) throws {
            syncer = LogSyncer(start: thread.start)
            logs = try LogSyncerTests().openLogs(dir, count: count, syncer: syncer)
        }
    }

    func runner(_ queue: ManualStart) -> SyncRoundRunner {
        let start = queue.start
        return SyncRoundRunner { job in
            start(job)
            return true
        }
    }

    /// Appends written on the runner's thread before its queued round runs all share that round,
    /// and the syncer's own thread is never started for them.
    @Test func aRoundAskedForWithARunnerRunsThereAndCoversEveryAppendQueuedBeforeIt() throws {
        let f = try Fixture(logs: 2)
        defer { f.dir.remove() }
        let (thread, loop, syncer, logs) = (f.thread, f.loop, f.syncer, f.logs)
        let acks = LogSyncerTests.Acks()
        var ends: [Int64] = []
        for (p, log) in [logs[0], logs[1], logs[0]].enumerated() {
            var batch = makeBatch(count: 2)
            let pending = try log.write(&batch)
            pending.requestDurability(runner: runner(loop))
            let end = pending.result.lastOffset + 1
            log.enqueueDurabilityWaiter(acks.waiter(log: p == 1 ? 1 : 0, end: end))
            ends.append(end)
        }
        #expect(loop.pending == 1, "one round queued on the runner for the three appends")
        #expect(thread.pending == 0, "the syncer's thread is not woken")
        #expect(acks.all.isEmpty && logs.allSatisfy { $0.dataSyncs.load(ordering: .relaxed) == 0 })

        loop.runAll()

        #expect(syncer.rounds.load(ordering: .relaxed) == 1)
        #expect(syncer.roundsOnRunner.load(ordering: .relaxed) == 1)
        #expect(logs.map { $0.dataSyncs.load(ordering: .relaxed) } == [1, 1], "one fdatasync per partition")
        #expect(acks.all.filter { $0.log == 0 }.map(\.end) == [ends[0], ends[2]], "acknowledged in arrival order")
        #expect(acks.all.filter { $0.log == 1 }.map(\.end) == [ends[1]])
        #expect(!acks.all.contains { $0.failed })
        #expect(logs[0].logEndOffset == 4 && logs[1].logEndOffset == 2, "readers see what the round covered")
        #expect(thread.pending == 0)
        for log in logs { try log.close() }
    }

    /// The zeros written ahead of the data after a round wait behind the answers the round
    /// released: on the runner's thread they are a job of their own, queued after the jobs the
    /// acknowledgements queued (here one that reads the segment's length, as a writer task would
    /// write its answer).
    @Test func theZeroFillAfterARunnerRoundRunsAfterTheJobsItsAcknowledgementsQueued() throws {
        let f = try Fixture(logs: 1)
        defer { f.dir.remove() }
        let (thread, loop, syncer, log) = (f.thread, f.loop, f.syncer, f.logs[0])
        let acks = LogSyncerTests.Acks()
        let segment = f.dir.path + "/orders-0/00000000000000000000.log"
        let lengthWhenAnswered = Mutex<Int64>(-1)
        // More data than one piece of zeros, so the round's top-up has something to write.
        var batch = makeBatch(count: 1, valueSize: Int(PartitionLog.zeroFillPiece) + 1_000)
        let pending = try log.write(&batch)
        pending.requestDurability(runner: runner(loop))
        let answer = loop.start
        log.enqueueDurabilityWaiter(acks.waiter(log: 0, end: pending.result.lastOffset + 1) {
            answer { lengthWhenAnswered.withLock { $0 = fileSize(segment) } }
        })
        let lengthBefore = fileSize(segment)

        loop.runAll()

        #expect(acks.all.count == 1)
        #expect(lengthWhenAnswered.withLock { $0 } == lengthBefore, "the answer's job ran before the top-up")
        #expect(fileSize(segment) > lengthBefore, "the top-up ran after it")
        #expect(thread.pending == 0)
        try log.close()
    }

    /// Appends that other threads ask for while a runner's round runs go to the syncer's own
    /// thread afterwards: the runner's thread is blocked for one round at most.
    @Test func appendsArrivingDuringARunnerRoundGoToTheSyncersThread() throws {
        let f = try Fixture(logs: 2)
        defer { f.dir.remove() }
        let (thread, loop, syncer, logs) = (f.thread, f.loop, f.syncer, f.logs)
        let acks = LogSyncerTests.Acks()
        var batch = makeBatch(count: 1)
        let pending = try logs[0].write(&batch)
        pending.requestDurability(runner: runner(loop))
        // Inside the round (its acknowledgement), another thread's append waits for durability.
        logs[0].enqueueDurabilityWaiter(acks.waiter(log: 0, end: 1) {
            _ = try? self.helpers.appendAndWait(logs[1], index: 1, records: 1, acks: acks)
        })
        loop.runAll()
        #expect(acks.all == [LogSyncerTests.Ack(log: 0, end: 1, failed: false)])
        #expect(thread.pending == 1, "the syncer's thread takes the next round")
        #expect(loop.pending <= 1, "at most the zero fill is left on the runner")

        thread.runAll()
        #expect(acks.all.last == LogSyncerTests.Ack(log: 1, end: 1, failed: false))
        #expect(syncer.roundsOnRunner.load(ordering: .relaxed) == 1)
        #expect(syncer.rounds.load(ordering: .relaxed) == 2)
        for log in logs { try log.close() }
    }

    /// A runner that refuses the job (asked from another thread, or going away) leaves the round
    /// to the syncer's thread: nobody waits for a round no one will run.
    @Test func aRunnerThatRefusesLeavesTheRoundToTheSyncersThread() throws {
        let f = try Fixture(logs: 1)
        defer { f.dir.remove() }
        let (thread, syncer, log) = (f.thread, f.syncer, f.logs[0])
        var batch = makeBatch(count: 1)
        let pending = try log.write(&batch)
        pending.requestDurability(runner: SyncRoundRunner { _ in false })
        #expect(thread.pending == 1)
        thread.runAll()
        #expect(log.logEndOffset == 1)
        #expect(syncer.roundsOnRunner.load(ordering: .relaxed) == 0)
        try log.close()
    }

    /// A thread that queued a round on itself and then blocks for durability (a synchronous
    /// append on an event loop) runs that round at once instead of waiting forever for a job
    /// queued behind it; the queued job then finds nothing to do. The thread is one of the test's
    /// own, so a regression fails after 10 s (the test then runs the queued job, which frees it).
    @Test func aBlockingWaitOnTheRunnersThreadRunsTheRoundItQueued() throws {
        let f = try Fixture(logs: 1)
        defer { f.dir.remove() }
        let (thread, loop, syncer, log) = (f.thread, f.loop, f.syncer, f.logs[0])
        let runner = runner(loop)
        let appended = DispatchSemaphore(value: 0)
        let result = Mutex<Int64?>(nil)
        Thread {
            var first = makeBatch(count: 1)
            guard let pending = try? log.write(&first) else {
                appended.signal()
                return
            }
            pending.requestDurability(runner: runner)
            var second = makeBatch(count: 2)
            let end = try? log.append(&second).lastOffset
            result.withLock { $0 = end }
            appended.signal()
        }.start()

        let finished = appended.wait(timeout: .now() + .seconds(10)) == .success
        #expect(finished, "the blocking append waited for the round queued behind it")
        if !finished {
            loop.runAll()
            appended.wait()
        }
        #expect(result.withLock { $0 } == 2)
        #expect(log.logEndOffset == 3, "both appends made durable by the round run there")
        #expect(syncer.roundsOnRunner.load(ordering: .relaxed) == 1)
        #expect(loop.pending == 1, "the queued job is still there")
        loop.runAll()
        #expect(syncer.rounds.load(ordering: .relaxed) == 1, "and runs no second round")
        #expect(thread.pending == 0)
        try log.close()
    }

    /// While recent rounds were slow (a disk taking milliseconds per fdatasync), a runner is not
    /// blocked for them: the syncer's thread runs the round as without one.
    @Test func slowRoundsKeepTheRunnersThreadFree() throws {
        let f = try Fixture(logs: 1)
        defer { f.dir.remove() }
        let (thread, loop, syncer, log) = (f.thread, f.loop, f.syncer, f.logs[0])
        syncer.recentRoundNanos.store(LogSyncer.inlineRoundLimitNanos + 1, ordering: .relaxed)
        var batch = makeBatch(count: 1)
        let pending = try log.write(&batch)
        pending.requestDurability(runner: runner(loop))
        #expect(loop.pending == 0)
        #expect(thread.pending == 1)
        thread.runAll()
        #expect(log.logEndOffset == 1)
        #expect(syncer.roundsOnRunner.load(ordering: .relaxed) == 0)
        try log.close()
    }
}
