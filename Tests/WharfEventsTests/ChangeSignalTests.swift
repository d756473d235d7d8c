import Testing
@testable import WharfEvents

@Suite(.timeLimit(.minutes(1))) struct ChangeSignalTests {
    @Test func waitReturnsAtOnceWhenTheVersionMoved() async {
        let signal = ChangeSignal()
        let seen = signal.version
        signal.bump()
        await signal.wait(since: seen)   // would hang if the bump were lost
        #expect(signal.version == seen + 1)
    }

    @Test func bumpWakesWaitersAndCloseWakesForGood() async {
        let signal = ChangeSignal()
        let seen = signal.version
        let waiter = Task { await signal.wait(since: seen) }
        try? await Task.sleep(nanoseconds: 5_000_000)
        signal.bump()
        await waiter.value
        signal.close()
        await signal.wait(since: signal.version)   // closed: returns at once
        #expect(signal.isClosed)
    }

    @Test func cancellationEndsAWait() async {
        let signal = ChangeSignal()
        let seen = signal.version
        let waiter = Task { await signal.wait(since: seen) }
        waiter.cancel()
        await waiter.value
        let late = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            await signal.wait(since: seen)   // cancelled before it registers
        }
        await late.value
        #expect(signal.version == seen)
    }
}
