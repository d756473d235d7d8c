import Foundation
import Synchronization
import Testing
import WharfCore
@testable import WharfEngine
import WharfTestSupport

/// The settled-head reclaim (`tick`) running while messages are sent to a queue its consumers
/// keep empty: it must never delete the record of a message sent meanwhile. (It did: it read the
/// log's end after releasing the entity's lock; this test lost a message within 1-2 s then.)
/// Heavy: three threads spin for a few seconds.
@Suite(.heavy) struct QueueReclaimRaceTests {
    @Test func reclaimingTheSettledHeadNeverTakesAMessageSentMeanwhile() async throws {
        let f = try QueueFixture()
        try f.store.createQueue("q")
        let store = f.store!
        let total = 20_000
        let sent = Atomic<Int>(0)
        let received = Mutex<[String]>([])
        let failures = Mutex<[String]>([])
        let done = Atomic<Bool>(false)
        @Sendable func record(_ error: any Error) { failures.withLock { $0.append("\(error)") } }
        let threads: [@Sendable () -> Void] = [
            {
                for i in 0..<total {
                    do { try store.send("q", OutgoingMessage("m\(i)")) } catch { record(error) }
                    sent.add(1, ordering: .releasing)
                }
            },
            {
                while received.withLock({ $0.count }) < total, failures.withLock({ $0.isEmpty }) {
                    do {
                        // Read before the receive: every send had returned before it found the
                        // queue empty (read after, sends in between would be left behind).
                        let allSent = sent.load(ordering: .acquiring) == total
                        let got = try store.receive("q", max: 50, mode: .receiveAndDelete)
                        received.withLock { $0 += got.map(\.bodyText) }
                        if got.isEmpty, allSent { break }
                    } catch { record(error) }
                }
                done.store(true, ordering: .relaxed)
            },
            {
                while !done.load(ordering: .relaxed) {
                    do { try store.tick() } catch { record(error) }
                }
            },
        ]
        try await withThrowingTaskGroup(of: Void.self) { group in
            for body in threads { group.addTask { try await offThePool(body) } }
            try await group.waitForAll()
        }
        #expect(failures.withLock { $0 }.isEmpty, "\(failures.withLock { $0.prefix(3) })")
        #expect(received.withLock { $0.count } == total)
    }
}
