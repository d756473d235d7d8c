import Foundation
import Logging
import Testing
import WharfCore
@testable import WharfEngine
import WharfStorage
import WharfTestSupport

/// Sends under `--fsync always` wait for their fdatasync outside the entity's lock
/// (`QueueEntity+Writes`): sends written meanwhile share the next one, receives and counts do not
/// wait for the disk, and nothing sees a message before it is durable. The queue's message log
/// fdatasyncs are held by the test (`FaultInjector.holdSyncs`) to look at the store while one is
/// in flight.
@Suite struct QueueWritesInFlightTests {
    let root = NSTemporaryDirectory() + "wharf-queue-writes-\(UUID().uuidString)"
    let clock = ManualClock(1_800_000_000_000)
    let journal = FileJournal()
    let faults: FaultInjector
    let engine: Engine
    let store: QueueStore

    init() throws {
        faults = FaultInjector(journal: journal)
        (engine, store) = try Self.open(root, clock: clock, faults: faults)
        try store.createQueue("q")
        var deduplicating = QueueOptions()
        deduplicating.requiresDuplicateDetection = true
        try store.createQueue("d", deduplicating)
    }

    static func open(_ root: String, clock: ManualClock, faults: FaultInjector) throws -> (Engine, QueueStore) {
        var config = EngineConfig(dataDirectory: root, fsync: .always)
        config.faults = faults
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let engine = try Engine.open(config: config, clock: clock, logger: logger)
        return (engine, try engine.openQueues())
    }

    static func messageLog(of queue: String) -> String { "/queues/\(queue)/messages/00000000000000000000.log" }
    static func journalLog(of queue: String) -> String { "/queues/\(queue)/journal/00000000000000000000.log" }

    /// Holds the fdatasyncs of `queue`'s message log (or `log`) until `faults.releaseSyncs()`, and
    /// after `HeldSyncs.releasedAfter` whatever happens (past every polling deadline), so a failing test does not hang the run.
    func holdSyncs(of queue: String = "q", log: String? = nil) {
        faults.holdSyncsForAWhile(pathSuffix: log ?? Self.messageLog(of: queue))
    }

    /// fdatasyncs of `queue`'s message log started since the journal's operation `from`.
    func messageLogSyncs(of queue: String = "q", since from: Int) -> Int {
        journal.syncsStarted(ofPathEndingWith: Self.messageLog(of: queue), since: from)
    }

    func send(_ text: String, to queue: String = "q", id: String = "") -> Task<SendReceipt, any Error> {
        let m = OutgoingMessage(text, messageId: id)
        return Task { [store] in try await offThePool { try store.send(queue, m) } }
    }

    func close() {
        faults.releaseSyncs()
        try? store.close()
        try? engine.close()
        try? FileManager.default.removeItem(atPath: root)
    }

    @Test func aSendWaitingForItsFdatasyncIsNotReceivedAndDoesNotHoldReceiversUp() async throws {
        defer { close() }
        try store.send("q", OutgoingMessage("first"))
        holdSyncs()
        let second = send("second")
        #expect(await eventually { faults.syncsWaiting == 1 })
        // These run while the fdatasync is held: before, they waited behind it for the entity's lock.
        let looks = Task { [store] in
            try await offThePool { (try store.peek("q").map(\.bodyText), try store.runtimeCounts("q").activeCount) }
        }
        #expect(await finishes(looks, within: HeldSyncs.boundWhileHeld), "a peek waited for the held fdatasync")
        let (peeked, active) = try await looks.value
        #expect(peeked == ["first"])
        #expect(active == 1)
        let received = try store.receive("q", max: 10, mode: .receiveAndDelete)
        #expect(received.map(\.bodyText) == ["first"], "only the durable message is handed out")

        faults.releaseSyncs()
        let receipt = try await second.value
        #expect(receipt.sequenceNumber == 2)
        #expect(try store.receive("q", max: 10, mode: .receiveAndDelete).map(\.bodyText) == ["second"])
    }

    @Test func sendsWrittenDuringAnFdatasyncShareTheNextOne() async throws {
        defer { close() }
        let start = journal.operations.count
        holdSyncs()
        let first = send("0")
        #expect(await eventually { faults.syncsWaiting == 1 })
        let others = (1...5).map { send(String($0)) }
        // All five are written (in flight) while the first fdatasync is held.
        #expect(await eventually(seconds: HeldSyncs.boundWhileHeld) { try store.entity("q").state.withLock { $0.inFlight.count } == 6 },
                "sends waited for the held fdatasync before writing")
        faults.releaseSyncs()
        var seqs = [try await first.value.sequenceNumber]
        for o in others { seqs.append(try await o.value.sequenceNumber) }
        #expect(Set(seqs) == Set((1...6).map { Int64($0) }))
        #expect(messageLogSyncs(since: start) == 2, "one fdatasync for the first send, one for the five written during it")
        #expect(try store.entity("q").state.withLock { $0.inFlight.count } == 0)
        #expect(try store.receive("q", max: 10, mode: .receiveAndDelete).count == 6)
    }

    /// The moment between an fdatasync's end and its sends' `publish`: the log's readable end
    /// (which bounds the reclaim and the snapshot while the fdatasync runs) already covers the
    /// message, and the index does not hold it yet. Neither may take it for settled.
    @Test func neitherTheReclaimNorTheJournalSnapshotTakesAMessageInFlight() async throws {
        defer { close() }
        try store.send("q", OutgoingMessage("settled"))
        #expect(try store.receive("q", max: 1, mode: .receiveAndDelete).count == 1)
        let entity = try store.entity("q")
        var stored = QueueMessageCodec.Stored(OutgoingMessage("in flight"))
        stored.messageId = "m-2"
        let written = try entity.write([stored], now: clock.nowMillis())
        let end = try #require(written.durableEnd)
        try entity.messages.waitDurableBlocking(upTo: end)
        #expect(entity.messages.logEndOffset == 2)
        #expect(try entity.reclaimSettledHead(now: clock.nowMillis()) == 1, "the settled message's record is freed, not the one in flight")
        #expect(try entity.compactJournal(minEntries: 1, perLiveMessage: 0))
        entity.publish(upTo: end)
        #expect(try store.peek("q").map(\.bodyText) == ["in flight"])

        try store.close()
        try engine.close()
        let (engine, store) = try Self.open(root, clock: clock, faults: faults)
        defer {
            try? store.close()
            try? engine.close()
        }
        #expect(try store.receive("q", max: 10, mode: .receiveAndDelete).map(\.bodyText) == ["in flight"],
                "the acknowledged message survives the restart")
    }

    /// A send to the deduplicating queue `d` held in its fdatasync, and a retry of it (the same
    /// message id) sent meanwhile.
    func sendAndRetryWhileTheFirstIsHeld() async -> (original: Task<SendReceipt, any Error>, retry: Task<SendReceipt, any Error>) {
        holdSyncs(of: "d")
        let original = send("x", to: "d", id: "m-1")
        #expect(await eventually { faults.syncsWaiting == 1 })
        return (original, send("x", to: "d", id: "m-1"))
    }

    @Test func aDuplicateOfAMessageInFlightIsAnsweredOnceTheOriginalIsDurable() async throws {
        defer { close() }
        let (original, retry) = await sendAndRetryWhileTheFirstIsHeld()
        // The retry is checked under the entity's lock (not held across the fdatasync now), finds
        // the original in flight and waits for it; it is not answered "duplicate" before then.
        #expect(await !finishes(retry, within: 0.05), "the retry was answered while its original was in flight")
        faults.releaseSyncs()
        #expect(try await original.value.disposition == .enqueued)
        #expect(try await retry.value.disposition == .duplicate)
        #expect(try store.receive("d", max: 10, mode: .receiveAndDelete).count == 1)
    }

    @Test func aDuplicateOfAMessageWhoseFdatasyncFailedFailsToo() async throws {
        defer { close() }
        let (original, retry) = await sendAndRetryWhileTheFirstIsHeld()
        faults.fail(.sync, pathSuffix: Self.messageLog(of: "d"))
        faults.releaseSyncs()
        await #expect(throws: WharfError.self) { try await original.value }
        await #expect(throws: WharfError.self, "a retry must not be told its message is stored") { try await retry.value }
        #expect(try store.peek("d").isEmpty, "a message whose fdatasync failed is never handed out")
    }

    /// A peek-locked message of `q`, its completion journaled while the journal's fdatasyncs are
    /// held, and a reclaim of `q`'s settled head started then.
    func completeWhileTheJournalSyncIsHeld() async throws -> (QueueCompletions, Task<Int64, any Error>) {
        try store.send("q", OutgoingMessage("done"))
        let m = try #require(try store.receive("q", max: 1).first)
        holdSyncs(log: Self.journalLog(of: "q"))
        let completions = try store.writeCompletions("q", lockTokens: [try #require(m.lockToken)])
        #expect(completions.results.count == 1 && completions.results[0] == nil)
        #expect(completions.waits.count == 1)
        // The entity is not held for the fdatasync: sends, peeks and receives go on.
        try store.send("q", OutgoingMessage("next"))
        #expect(try store.peek("q").map(\.bodyText) == ["next"])
        let entity = try store.entity("q")
        let reclaim = Task { [clock] in try await offThePool { try entity.reclaimSettledHead(now: clock.nowMillis()) } }
        #expect(await eventually { faults.syncsWaiting == 1 })
        #expect(await !finishes(reclaim, within: 0.05), "the reclaim did not wait for the completion's fdatasync")
        #expect(entity.messages.logStartOffset == 0, "the completed message's record was freed before its completion was durable")
        return (completions, reclaim)
    }

    @Test func aCompletionWaitsForItsFdatasyncOutsideTheLockAndItsRecordIsFreedAfterIt() async throws {
        defer { close() }
        let (completions, reclaim) = try await completeWhileTheJournalSyncIsHeld()
        faults.releaseSyncs()
        #expect(try await reclaim.value == 1)
        try completions.durableBlocking()
        #expect(try store.receive("q", max: 10, mode: .receiveAndDelete).map(\.bodyText) == ["next"])
    }

    @Test func aCompletionWhoseFdatasyncFailedNeverFreesItsMessagesRecord() async throws {
        defer { close() }
        let (completions, reclaim) = try await completeWhileTheJournalSyncIsHeld()
        faults.fail(.sync, pathSuffix: Self.journalLog(of: "q"))
        faults.releaseSyncs()
        await #expect(throws: WharfError.self) { try await reclaim.value }
        #expect(throws: WharfError.self) { try completions.durableBlocking() }
        #expect(try store.entity("q").messages.logStartOffset == 0)
        await #expect(throws: WharfError.self, "a later reclaim still waits for the failed completion") {
            let entity = try store.entity("q")
            _ = try await offThePool { [clock] in try entity.reclaimSettledHead(now: clock.nowMillis()) }
        }
    }
}
