import Foundation
import Synchronization
import Testing
import WharfCore
import WharfEvents
import WharfProjections
import WharfTestSupport

@Suite struct ProjectionTests {
    @Test func foldsACategoryIncrementallyAndLeavesOtherCategoriesOut() async throws {
        let f = try ProjectionFixture()
        let appended = try appendAccountEvents(f.store, count: 300)
        try f.store.append(stream: "order-1", events: [EventData(type: "Deposited", data: "999")])
        let p = try f.open()
        p.start()
        #expect(await eventually { p.status.cursor.processed == 300 })
        let more = try appendAccountEvents(f.store, count: 120, seed: 300)
        #expect(await eventually { p.status.cursor.processed == 420 })
        #expect(try Balances.rows(p) == Balances.expected(appended + more))
        #expect(p.status.state == .running)
        #expect(p.status.lag.events == 0)
        #expect(p.status.cursor.position == f.store.endPosition - 1)
        await p.close()
    }

    /// The crash lands after the batch's events are applied and before the commit: the batch
    /// rolls back with its checkpoint, and a restarted projection applies it exactly once.
    @Test(arguments: ["afterApply", "beforeCommit"])
    func checkpointCommitsWithTheReadModel(point: String) async throws {
        let f = try ProjectionFixture()
        let appended = try appendAccountEvents(f.store, count: 500)
        let options = ProjectionOptions(batchSize: 50, fault: { p in
            switch (p, point) {
            case (.afterApply(batch: 4), "afterApply"), (.beforeCommit(batch: 4), "beforeCommit"): throw InjectedCrash()
            default: break
            }
        })
        let crashed = try f.open(options: options)
        crashed.start()
        #expect(await eventually { crashed.status.state.faultMessage != nil })
        #expect(crashed.status.state == .faulted("injected crash"))
        // Three batches committed; the fourth left no trace in the read model or the checkpoint.
        #expect(crashed.status.cursor.processed == 150)
        let partial = try Balances.rows(crashed)
        #expect(partial == Balances.expected(Array(appended.prefix(150))))
        #expect(partial.reduce(0) { $0 + $1.events } == 150)
        await crashed.close()

        let restarted = try f.open()
        #expect(restarted.status.cursor.processed == 150)
        restarted.start()
        #expect(await eventually { restarted.status.cursor.processed == 500 })
        let rows = try Balances.rows(restarted)
        #expect(rows == Balances.expected(appended))
        #expect(rows.reduce(0) { $0 + $1.events } == 500)
        await restarted.close()
    }

    @Test func rebuildEqualsTheIncrementalResult() async throws {
        let f = try ProjectionFixture()
        try appendAccountEvents(f.store, count: 400)
        // Held only during the rebuild, until the test has seen its intermediate state: no
        // timing assumption, so a loaded machine cannot finish the rebuild before it is observed.
        let held = Mutex(false)
        let p = try f.open(options: ProjectionOptions(batchSize: 20, beforeBatch: {
            while held.withLock({ $0 }) && !Task.isCancelled { try? await Task.sleep(for: .milliseconds(2)) }
        }))
        p.start()
        #expect(await eventually { p.status.cursor.processed == 400 })
        try appendAccountEvents(f.store, count: 100, seed: 400)
        #expect(await eventually { p.status.cursor.processed == 500 })
        let incremental = try Balances.rows(p)

        held.withLock { $0 = true }
        try await p.rebuild()
        let during = p.status
        held.withLock { $0 = false }
        #expect(during.state == .rebuilding)
        #expect(during.rebuild?.total == 500)
        #expect(during.cursor.processed < 500)
        #expect(await eventually { p.status.state == .running })
        #expect(p.status.rebuild == nil)
        #expect(p.status.cursor.processed == 500)
        #expect(try Balances.rows(p) == incremental)
        await p.close()
    }

    @Test func lagIsTheRealDistanceInEventsAndAge() async throws {
        let f = try ProjectionFixture()
        try appendAccountEvents(f.store, count: 60)
        let p = try f.open()
        // Not started: everything is behind; the oldest unprocessed event is the first one.
        let t0 = f.clock.nowMillis()
        f.clock.advance(byMillis: 4_000)
        #expect(p.status.lag.events == 60)
        #expect(p.status.lag.oldestUnprocessedTimestamp == t0)
        #expect(p.status.lag.seconds == 4)
        p.start()
        #expect(await eventually { p.status.lag.events == 0 })
        #expect(p.status.lag.seconds == 0)
        await p.stop()

        // 7 more, 2.5 s apart from the first of them to now; other categories do not count.
        let t1 = f.clock.nowMillis()
        try appendAccountEvents(f.store, count: 7, seed: 60)
        try f.store.append(stream: "order-9", events: [EventData(type: "Placed", data: "1")])
        f.clock.advance(byMillis: 2_500)
        #expect(p.status.lag.events == 7)
        #expect(p.status.lag.oldestUnprocessedTimestamp == t1)
        #expect(p.status.lag.seconds == 2.5)
        #expect(p.status.state == .stopped)
        // The registry, read as another process would, tells the same.
        await p.close()
        let offline = try #require(f.registry.status(named: "balances", store: f.store))
        #expect(offline.live == false)
        #expect(offline.cursor == p.status.cursor)
        #expect(offline.lag == p.status.lag)
        #expect(offline.state == .stopped)
    }

    @Test func allSourceLagCountsApplicationEventsOnly() async throws {
        let f = try ProjectionFixture()
        try appendAccountEvents(f.store, count: 30)
        try f.store.append(stream: "order-1", events: [EventData(type: "Deposited", data: "5")])
        let p = try f.open(Balances.definition(name: "everything", source: .all))
        #expect(p.status.lag.events == 31)
        p.start()
        #expect(await eventually { p.status.lag.events == 0 })
        #expect(p.status.cursor.processed == 31)
        #expect(try Balances.rows(p).count == 8)
        await p.close()
    }

    /// Many appenders race while the projection reads: every event is applied exactly once.
    @Test func concurrentAppendersSkipNoPosition() async throws {
        let f = try ProjectionFixture()
        let p = try f.open(options: ProjectionOptions(batchSize: 7))
        p.start()
        let store = f.store
        try await withThrowingTaskGroup(of: Void.self) { group in
            for w in 0..<6 {
                group.addTask {
                    for i in 0..<150 {
                        try store.append(stream: "account-w\(w)", events: [EventData(type: "Deposited", data: String(i % 10 + 1))])
                        if i % 16 == 0 { await Task.yield() }
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(await eventually { p.status.cursor.processed == 900 })
        let rows = try Balances.rows(p)
        #expect(rows.count == 6)
        let perWriter: Int64 = (0..<150).reduce(Int64(0)) { (sum: Int64, i: Int) -> Int64 in sum + Int64(i % 10 + 1) }
        for r in rows {
            #expect(r.events == 150)
            #expect(r.balance == perWriter)
        }
        await p.close()
    }

    @Test func aRebuildRequestedOfflineRunsWhenTheApplicationOpensIt() async throws {
        let f = try ProjectionFixture()
        let appended = try appendAccountEvents(f.store, count: 90)
        let p = try f.open()
        p.start()
        #expect(await eventually { p.status.cursor.processed == 90 })
        await p.close()
        #expect(f.registry.registrations().map(\.name) == ["balances"])
        try f.registry.requestRebuild(named: "balances")
        #expect(f.registry.status(named: "balances", store: f.store)?.rebuildRequested == true)

        let reopened = try f.open()
        #expect(reopened.status.cursor.processed == 0)
        #expect(reopened.status.rebuild?.total == 90)
        reopened.start()
        #expect(await eventually { reopened.status.state == .running && reopened.status.cursor.processed == 90 })
        #expect(try Balances.rows(reopened) == Balances.expected(appended))
        await reopened.close()
    }

    @Test func aFailingApplyFaultsAndStartRetries() async throws {
        let f = try ProjectionFixture()
        try appendAccountEvents(f.store, count: 10)
        let failing = Mutex(true)
        var def = Balances.definition()
        let inner = def.apply
        def.apply = { db, e in
            if e.revision == 1, failing.withLock({ $0 }) { throw InjectedCrash() }
            try inner(db, e)
        }
        let p = try f.open(def, options: ProjectionOptions(batchSize: 1))
        p.start()
        #expect(await eventually { p.status.state.faultMessage != nil })
        let stuck = p.status.cursor.processed
        #expect(stuck == 7) // account-0..6 revision 0 applied, account-0 revision 1 failed
        // The registry file is written just after the state flips.
        #expect(await eventually { f.registry.registration(named: "balances")?.state == "faulted" })
        failing.withLock { $0 = false }
        p.start()
        #expect(await eventually { p.status.cursor.processed == 10 && p.status.state == .running })
        await p.close()
    }
}
