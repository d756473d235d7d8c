import Foundation
import Logging
import Synchronization
import Testing
import WharfCore
@testable import WharfEngine
import WharfStorage
import WharfTestSupport

/// A topic's fan-out without a thread waiting for the disk (`QueueStore+FanOut`): sends to a
/// topic write their intent and return; the copies are written once the intent is durable, in
/// the order the sends came, and the intents of sends written meanwhile share one fdatasync. The
/// test holds the fdatasyncs of the topic's intent log (`FaultInjector.holdSyncs`), under `always`.
@Suite struct TopicFanOutPipelineTests {
    let root = NSTemporaryDirectory() + "wharf-fanout-pipeline-\(UUID().uuidString)"
    let journal = FileJournal()
    let faults: FaultInjector
    let engine: Engine
    let store: QueueStore
    static let intentLog = "/queues/t/fanout/00000000000000000000.log"
    static let subscriptions = ["a", "b"].map { SubscriptionNames.path(topic: "t", subscription: $0) }

    init() throws {
        faults = FaultInjector(journal: journal)
        var config = EngineConfig(dataDirectory: root, fsync: .always)
        config.faults = faults
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        engine = try Engine.open(config: config, clock: ManualClock(1_800_000_000_000), logger: logger)
        store = try engine.openQueues()
        try store.createQueue("q")
        try store.createTopic("t")
        for s in ["a", "b"] { try store.createSubscription(topic: "t", name: s) }
    }

    func close() {
        faults.releaseSyncs()
        try? store.close()
        try? engine.close()
        try? FileManager.default.removeItem(atPath: root)
    }

    /// Holds the intent log's fdatasyncs until `faults.releaseSyncs()` (or `HeldSyncs.releasedAfter`, past every
    /// polling deadline, so a failing test does not hang the run).
    func holdIntentSyncs() {
        faults.holdSyncsForAWhile(pathSuffix: Self.intentLog)
    }

    /// Writes `texts` to the topic as one send (a listener's read), off the test's thread.
    func write(_ texts: [String]) -> Task<QueueSends, any Error> {
        Task { [store] in try await offThePool { store.write("t", texts.map { OutgoingMessage($0) }) } }
    }

    func answered(_ sends: QueueSends) -> Task<WharfError?, any Error> {
        Task { await withCheckedContinuation { c in DurableWaits.whenAll(sends.waits) { c.resume(returning: $0) } } }
    }

    /// The fdatasyncs of the intent log started since the journal's operation `from`.
    func intentSyncs(since from: Int) -> Int {
        journal.syncsStarted(ofPathEndingWith: Self.intentLog, since: from)
    }

    @Test func aSendToATopicReturnsWhileItsIntentWaitsForTheDiskAndIsAnsweredOnceItsCopiesAreDurable() async throws {
        defer { close() }
        holdIntentSyncs()
        let writing = write(["m1", "m2"])
        #expect(await finishes(writing, within: HeldSyncs.boundWhileHeld), "the send waited for its intent's fdatasync on the caller's thread")
        let sends = try await writing.value
        #expect(sends.results.allSatisfy { (try? $0.get()) != nil })
        let answer = answered(sends)
        #expect(await eventually { faults.syncsWaiting == 1 })
        // Meanwhile the store goes on, and no copy is written before its intent is durable.
        try store.send("q", OutgoingMessage("other"))
        #expect(await !finishes(answer, within: 0.05), "answered before the intent was durable")
        for s in Self.subscriptions { #expect(try store.peek(s).isEmpty) }

        faults.releaseSyncs()
        #expect(try await answer.value == nil)
        for s in Self.subscriptions { #expect(try store.peek(s).map(\.bodyText) == ["m1", "m2"]) }
    }

    @Test func sendsWrittenWhileAnIntentWaitsShareTheNextFdatasyncAndKeepTheirOrder() async throws {
        defer { close() }
        let start = journal.operations.count
        holdIntentSyncs()
        let first = try await write(["0"]).value
        #expect(await eventually { faults.syncsWaiting == 1 })
        var later: [QueueSends] = []
        for i in 1...5 { later.append(try await write(["\(i)a", "\(i)b"]).value) }
        faults.releaseSyncs()
        for sends in [first] + later { #expect(try await answered(sends).value == nil) }
        let expected = ["0"] + (1...5).flatMap { ["\($0)a", "\($0)b"] }
        for s in Self.subscriptions { #expect(try store.peek(s, max: 20).map(\.bodyText) == expected) }
        #expect(intentSyncs(since: start) == 2, "one fdatasync for the first intent, one for the five written during it")
    }

    @Test func aSendWhoseIntentFdatasyncFailedIsRefusedAndStoresNothing() async throws {
        defer { close() }
        holdIntentSyncs()
        let sends = try await write(["lost"]).value
        #expect(await eventually { faults.syncsWaiting == 1 })
        faults.fail(.sync, pathSuffix: Self.intentLog)
        faults.releaseSyncs()
        #expect(try await answered(sends).value != nil, "a send whose intent never became durable was acknowledged")
        for s in Self.subscriptions { #expect(try store.peek(s).isEmpty) }
    }

    /// A plain subscription takes a send's copies in one write; one that needs the per-message
    /// path (here: sessions, so a message without a session id is dead-lettered there) takes
    /// them one by one. Both keep the send's order, and each message's receipt is its first copy's.
    @Test func eachSubscriptionTakesASendsCopiesInOrderWhicheverPathItNeeds() async throws {
        defer { close() }
        var sessions = QueueOptions()
        sessions.requiresSession = true
        try store.createSubscription(topic: "t", name: "s", sessions)
        let texts = ["1", "2", "3"]
        let sends = try await write(texts).value
        #expect(try await answered(sends).value == nil)
        for s in Self.subscriptions { #expect(try store.peek(s).map(\.bodyText) == texts) }
        let deadLetters = QueueNames.deadLetter(of: SubscriptionNames.path(topic: "t", subscription: "s"))
        #expect(try store.peek(deadLetters).map(\.bodyText) == texts)
        // The blocking send answers with the first subscription's copy ("a", in name order).
        let receipt = try store.send("t", OutgoingMessage("4"))
        #expect(receipt.entity == Self.subscriptions[0] && receipt.sequenceNumber == 4)
    }
}
