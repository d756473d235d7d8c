import Foundation
import Testing
import WharfCore
@testable import WharfEngine
import WharfStorage
import WharfTestSupport

/// Under `--fsync always` an entity's maintenance neither holds its lock across an fdatasync
/// nor makes a listener's receive wait for one: the locks that expired together are journaled
/// with one write and share one fdatasync, and a receive on an event loop
/// (`QueueStore.beginReceive`) leaves the maintenance to the store's maintenance queue. The
/// queue's journal fdatasyncs are held by the test.
@Suite struct QueueMaintenanceWithoutWaitingTests {
    let root = NSTemporaryDirectory() + "wharf-queue-maintenance-\(UUID().uuidString)"
    let clock = ManualClock(1_800_000_000_000)
    let journal = FileJournal()
    let faults: FaultInjector
    let engine: Engine
    let store: QueueStore
    typealias InFlight = QueueWritesInFlightTests

    init() throws {
        faults = FaultInjector(journal: journal)
        (engine, store) = try InFlight.open(root, clock: clock, faults: faults)
        try store.createQueue("q")
    }

    func close() {
        faults.releaseSyncs()
        try? store.close()
        try? engine.close()
        try? FileManager.default.removeItem(atPath: root)
    }

    /// `count` messages sent and received (locked), then the clock past their locks, and the
    /// journal's fdatasyncs held.
    func expireLocks(of count: Int) throws {
        for i in 0..<count { try store.send("q", OutgoingMessage("m\(i)")) }
        #expect(try store.receive("q", max: count).count == count)
        clock.advance(byMillis: QueueOptions.defaultLockDuration + 1)
        faults.holdSyncsForAWhile(pathSuffix: InFlight.journalLog(of: "q"))
    }

    @Test func locksThatExpiredTogetherShareOneFdatasyncAndTheLockIsNotHeldAcrossIt() async throws {
        defer { close() }
        try expireLocks(of: 5)
        let from = journal.operations.count
        let tick = Task { [store] in try await offThePool { try store.tick() } }
        #expect(await eventually { faults.syncsWaiting == 1 })
        // Before, the pass held the entity's lock across each release's fdatasync.
        let counts = Task { [store] in try await offThePool { try store.runtimeCounts("q") } }
        #expect(await finishes(counts, within: HeldSyncs.boundWhileHeld), "the counts waited for the maintenance's fdatasync")
        #expect(try await counts.value.activeCount == 5)
        faults.releaseSyncs()
        #expect(try await tick.value == 0)
        #expect(journal.syncsStarted(ofPathEndingWith: InFlight.journalLog(of: "q"), since: from) == 1,
                "each released lock had an fdatasync of its own")
        let again = try store.receive("q", max: 5)
        #expect(again.map(\.bodyText) == (0..<5).map { "m\($0)" })
        #expect(again.allSatisfy { $0.deliveryCount == 2 })
    }

    @Test func aReceiveOnAnEventLoopLeavesTheDueMaintenanceToTheStore() async throws {
        defer { close() }
        try expireLocks(of: 1)
        try store.send("q", OutgoingMessage("fresh"))
        // The release waits for the held fdatasync on the store's queue; the receive does not.
        let received = Task { [store] in try await offThePool { try store.beginReceive("q", max: 10) } }
        #expect(await finishes(received, within: HeldSyncs.boundWhileHeld), "the receive waited for the maintenance's fdatasync")
        // The store's pass may have released the lock in time for this receive, or not.
        var delivered = try await received.value.messages
        #expect(delivered.contains { $0.bodyText == "fresh" })
        faults.releaseSyncs()
        // Released by the store's pass, the message is received again with its delivery counted.
        #expect(await eventually {
            if !delivered.contains(where: { $0.bodyText == "m0" }) { delivered += (try? store.beginReceive("q", max: 10).messages) ?? [] }
            return delivered.contains { $0.bodyText == "m0" }
        })
        #expect(delivered.first { $0.bodyText == "m0" }?.deliveryCount == 2)
    }

    /// A session receiver's attach (`acceptSession`, on a listener's event loop) does not run the
    /// due maintenance in place either, and "the next available session" counts a message whose
    /// session lock expired (its release waits for the held fdatasync) as available.
    @Test func acceptingTheNextSessionNeitherWaitsForTheMaintenanceNorMissesAnExpiredSessionsMessages() async throws {
        defer { close() }
        try store.createQueue("sq", QueueOptions(requiresSession: true))
        try store.send("sq", OutgoingMessage("m0", sessionId: "A"))
        let first = try store.acceptSession("sq")
        #expect(try store.receive(first, max: 1).map(\.bodyText) == ["m0"])
        clock.advance(byMillis: QueueOptions.defaultLockDuration + 1)
        faults.holdSyncsForAWhile(pathSuffix: InFlight.journalLog(of: "sq"))
        let accepted = Task { [store] in try await offThePool { try store.acceptSession("sq") } }
        #expect(await finishes(accepted, within: HeldSyncs.boundWhileHeld), "the attach waited for the maintenance's fdatasync")
        let next = try await accepted.value
        #expect(next.sessionId == "A" && next.lockToken != first.lockToken)
        faults.releaseSyncs()
        // Released by the store's pass, the message is received again under the new session lock.
        var delivered: [QueueMessage] = []
        #expect(await eventually {
            delivered += (try? store.beginReceive("sq", session: next, max: 1).messages) ?? []
            return !delivered.isEmpty
        })
        #expect(delivered.map(\.bodyText) == ["m0"])
    }
}
