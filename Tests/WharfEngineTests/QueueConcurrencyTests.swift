import Foundation
import Synchronization
import Testing
import WharfCore
@testable import WharfEngine

/// Competing consumers on one queue from several threads, and the settled-head reclaim.
@Suite struct QueueConcurrencyTests {
    @Test func competingReceiversGetEachMessageExactlyOnce() throws {
        let f = try QueueFixture()
        try f.store.createQueue("q")
        let store = f.store!
        let seen = Mutex<[String]>([])
        let failures = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 5) { worker in
            do {
                if worker == 0 {
                    for i in 0..<200 { try store.send("q", OutgoingMessage("m\(i)")) }
                    return
                }
                var idle = 0
                while seen.withLock({ $0.count }) < 200, idle < 1_000_000 {
                    guard let m = try store.receive("q").first else { idle += 1; continue }
                    // Every other message is abandoned once: someone receives it again. Only
                    // completions are recorded (appending first and then removing the last entry
                    // could remove another worker's message, a race in the test itself).
                    if m.deliveryCount == 1, m.sequenceNumber % 2 == 0 {
                        try store.abandon("q", lockToken: m.lockToken!)
                    } else {
                        seen.withLock { $0.append(m.bodyText) }
                        try store.complete("q", lockToken: m.lockToken!)
                    }
                }
            } catch {
                failures.add(1, ordering: .relaxed)
            }
        }
        #expect(failures.load(ordering: .relaxed) == 0)
        let all = seen.withLock { $0 }
        #expect(all.count == 200 && Set(all).count == 200)
        #expect(try f.store.runtimeCounts("q").totalCount == 0)
    }

    @Test func tickReclaimsTheSettledHeadOfTheMessageLog() throws {
        let f = try QueueFixture()
        try f.store.createQueue("q")
        try f.store.sendTexts("q", ["a", "b", "c"])
        for m in try f.store.receive("q", max: 2) { try f.store.complete("q", lockToken: m.lockToken!) }
        try f.store.tick()
        #expect(try f.store.entity("q").messages.logStartOffset == 2)
        try f.reopen()
        #expect(try f.store.peek("q").map(\.sequenceNumber) == [3])
        #expect(try f.store.send("q", OutgoingMessage("d")).sequenceNumber == 4)
        // With duplicate detection, records within the window are kept.
        try f.store.createQueue("dd", QueueOptions(requiresDuplicateDetection: true, duplicateDetectionWindowMillis: 60_000))
        try f.store.sendTexts("dd", ["x"])
        let x = try #require(try f.store.receiveOne("dd"))
        try f.store.complete("dd", lockToken: x.lockToken!)
        try f.store.tick()
        #expect(try f.store.entity("dd").messages.logStartOffset == 0)
        f.advance(seconds: 61)
        try f.store.tick()
        #expect(try f.store.entity("dd").messages.logStartOffset == 1)
    }
}
