import Foundation
import Logging
import Synchronization
import Testing
import WharfCore
@testable import WharfEvents
@testable import WharfStorage
import WharfTestSupport

/// Appends under `--fsync always` wait for their fdatasync outside the store's lock: appends
/// written meanwhile share the next one (group commit), reads do not wait for the disk, and no
/// read sees an event before it is durable. The `$all` segment's fdatasyncs are held by the
/// test (`FaultInjector.holdSyncs`) to look at the store while one is in flight.
@Suite struct AppendGroupCommitTests {
    let root = NSTemporaryDirectory() + "wharf-events-group-commit-\(UUID().uuidString)"
    let journal = FileJournal()
    let faults: FaultInjector
    let store: EventStore

    init() throws {
        faults = FaultInjector(journal: journal)
        store = try EventStore.open(dataDirectory: root, clock: ManualClock(1_800_000_000_000),
                                    logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }, fsync: .always, faults: faults)
    }

    /// Holds the `$all` segment's fdatasyncs until `faults.releaseSyncs()`, and after
    /// `HeldSyncs.releasedAfter` whatever happens (past every polling deadline), so a failing test does not hang the run.
    func holdSyncs() {
        faults.holdSyncsForAWhile(pathSuffix: "/all-0/" + LogSegment.name(0) + LogSegment.logSuffix)
    }

    var inFlightCount: Int { store.state.withLock { $0.inFlight.appends.count } }

    /// fdatasyncs started since the journal's operation `from`.
    func syncs(since from: Int) -> Int {
        journal.operations.dropFirst(from).filter { if case .syncStarted = $0 { true } else { false } }.count
    }

    func append(_ stream: String, _ events: [EventData], _ expected: ExpectedVersion = .any) -> Task<WriteResult, any Error> {
        Task { [store] in try await offThePool { try store.append(stream: stream, events: events, expected: expected) } }
    }

    func close() {
        faults.releaseSyncs()
        try? store.close()
        try? FileManager.default.removeItem(atPath: root)
    }

    @Test func anAppendWaitingForItsFdatasyncIsNotReadAndDoesNotHoldReadersUp() async throws {
        defer { close() }
        try store.append(stream: "s", events: [event("First")])
        holdSyncs()
        let second = append("s", [event("Second")])
        #expect(await eventually { faults.syncsWaiting == 1 })
        // The reads run while the fdatasync is held: before, they waited behind it for the lock.
        let reads = Task { [store] in
            try await offThePool { (try store.readStream("s").map(\.type), store.endPosition, store.lastRevision(of: "s")) }
        }
        let done = Mutex(false)
        Task { _ = try? await reads.value; done.withLock { $0 = true } }
        #expect(await eventually { done.withLock { $0 } }, "a read waited for the held fdatasync")
        let (types, end, last) = try await reads.value
        #expect(types == ["First"])
        #expect(end == 1)
        #expect(last == 0)
        #expect(store.lastWrittenEvent(of: "s")?.revision == 1)
        #expect(store.lastWrittenEvent(of: "s")?.type == "Second")

        faults.releaseSyncs()
        let result = try await second.value
        #expect(result == WriteResult(nextExpectedVersion: 1, position: 1))
        #expect(try store.readStream("s").map(\.type) == ["First", "Second"])
        #expect(store.endPosition == 2)
    }

    @Test func appendsWrittenDuringAnFdatasyncShareTheNextOne() async throws {
        defer { close() }
        holdSyncs()
        let first = append("a", [event()])
        #expect(await eventually { faults.syncsWaiting == 1 })
        let start = journal.count
        let others = (0..<5).map { append("b\($0)", [event(), event()]) }
        // Each is written while the first one's fdatasync runs: none waits for the store's lock.
        #expect(await eventually { inFlightCount == 6 }, "appends waited for another's fdatasync")
        faults.releaseSyncs()
        #expect(try await first.value.position == 0)
        var positions: [UInt64] = []
        for task in others { positions.append(try await task.value.position) }
        #expect(positions.sorted() == [2, 4, 6, 8, 10])
        // The held one (journaled when it proceeds) and one more for all five.
        #expect(syncs(since: start) == 2)
        #expect(inFlightCount == 0)
        #expect(try store.readAll(maxCount: 20).count == 11)
    }

    @Test func appendsCheckAgainstTheAppendsInFlightAndARetryWaitsForItsOriginal() async throws {
        defer { close() }
        holdSyncs()
        let original = [event("Opened")]
        let first = append("s", original, .noStream)
        #expect(await eventually { inFlightCount == 1 })
        // A second writer expecting the same state loses at once, naming the revision in flight.
        let refused = thrownError { try store.append(stream: "s", events: [event("Opened")], expected: .noStream) }
        guard case .wrongExpectedVersion(_, _, let actual) = refused else {
            Issue.record("expected wrongExpectedVersion, got \(String(describing: refused))")
            return
        }
        #expect(actual == 0)
        let next = append("s", [event("Renamed")], .exact(0))
        #expect(await eventually { inFlightCount == 2 })
        let released = Mutex(false)
        let retry = Task { [store] in
            let result = try await offThePool { try store.append(stream: "s", events: original, expected: .noStream) }
            return (result, released.withLock { $0 })
        }
        // The retry waits with the two appends in flight.
        #expect(await eventually { store.log.state.withLock { $0.durabilityWaiters.count } == 3 })
        #expect(store.lastRevision(of: "s") == nil)
        released.withLock { $0 = true }
        faults.releaseSyncs()
        #expect(try await first.value == WriteResult(nextExpectedVersion: 0, position: 0))
        #expect(try await next.value == WriteResult(nextExpectedVersion: 1, position: 1))
        let (retried, afterRelease) = try await retry.value
        #expect(retried == WriteResult(nextExpectedVersion: 0, position: 0, deduplicated: true))
        #expect(afterRelease, "a retry was acknowledged before its original was durable")
        #expect(try store.readStream("s").map(\.type) == ["Opened", "Renamed"])
    }
}
