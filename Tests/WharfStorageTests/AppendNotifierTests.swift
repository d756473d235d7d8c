import Testing
import WharfTestSupport
@testable import WharfStorage

/// The wake-up primitive behind Kafka long-poll fetches: no lost wake-ups, one wake per waiter.
/// `.ownThread`: the tests time waits, which on the busy cooperative pool would measure the suite's load.
@Suite(.ownThread) struct AppendNotifierTests {
    @Test func aSignalWakesEveryRegisteredWaiterOnce() async {
        let notifier = AppendNotifier()
        let a = AppendWaiter(), b = AppendWaiter()
        notifier.register(a, ifGeneration: notifier.generation)
        notifier.register(b, ifGeneration: notifier.generation)
        #expect(notifier.waitingCount == 2 && !a.hasFired && !b.hasFired)
        notifier.signal()
        #expect(a.hasFired && b.hasFired && notifier.waitingCount == 0)
        // Already fired: waiting returns at once, long before the timeout.
        let start = ContinuousClock.now
        await a.wait(timeout: .seconds(30))
        #expect(ContinuousClock.now - start < .seconds(15))
    }

    @Test func anAppendBetweenSnapshotAndRegistrationIsNotLost() {
        let notifier = AppendNotifier()
        let seen = notifier.generation
        notifier.signal()  // the log grew after the reader looked at it
        let waiter = AppendWaiter()
        notifier.register(waiter, ifGeneration: seen)
        #expect(waiter.hasFired)
    }

    @Test func aWaiterWithoutAppendsTimesOutAndUnregisters() async {
        let notifier = AppendNotifier()
        let waiter = AppendWaiter()
        notifier.register(waiter, ifGeneration: notifier.generation)
        let start = ContinuousClock.now
        await waiter.wait(timeout: .milliseconds(200))
        #expect(ContinuousClock.now - start >= .milliseconds(200))
        notifier.unregister(waiter)
        #expect(notifier.waitingCount == 0)
    }

    @Test func everyLogAppendSignals() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let log = try PartitionLog.open(dir.partition, smallConfig())
        let before = log.appendNotifier.generation
        let waiter = AppendWaiter()
        log.appendNotifier.register(waiter, ifGeneration: before)
        try log.append(batch: makeBatch(count: 3))
        #expect(waiter.hasFired && log.appendNotifier.generation == before + 1)
    }
}
