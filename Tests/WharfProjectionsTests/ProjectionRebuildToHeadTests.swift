import Foundation
import Testing
import WharfCore
import WharfEvents
import WharfProjections
import WharfTestSupport

/// `wharf projection rebuild`'s wait: progress in 10% steps, done when the head is applied.
@Suite struct ProjectionRebuildToHeadTests {
    @Test func reportsProgressAndReturnsOnceEverythingIsApplied() async throws {
        let f = try ProjectionFixture()
        let appended = try appendAccountEvents(f.store, count: 400)
        let p = try f.open(options: ProjectionOptions(batchSize: 20))
        p.start()
        #expect(await eventually { p.status.cursor.processed == 400 })
        var seen: [Int] = []
        let done = try await p.rebuildToHead(poll: .milliseconds(1)) { _, percent in seen.append(percent) }
        #expect(done.rebuild == nil && done.lag.events == 0)
        #expect(done.cursor.processed == 400)
        #expect(seen.last == 100)
        #expect(seen == seen.sorted())
        // At most one report per 10% step until the end (the end may repeat while draining).
        let steps = seen.filter { $0 < 100 }.map { $0 / 10 }
        #expect(Set(steps).count == steps.count)
        #expect(try Balances.rows(p) == Balances.expected(appended))
        await p.close()
    }

    @Test func aFaultEndsTheWaitWithAnErrorNamingIt() async throws {
        let f = try ProjectionFixture()
        try appendAccountEvents(f.store, count: 100)
        let p = try f.open(options: ProjectionOptions(batchSize: 20, fault: { point in
            if case .afterApply(batch: 2) = point { throw InjectedCrash() }
        }))
        await #expect(throws: WharfError.io("rebuild of balances failed: injected crash")) {
            _ = try await p.rebuildToHead(poll: .milliseconds(1)) { _, _ in }
        }
        await p.close()
    }
}
