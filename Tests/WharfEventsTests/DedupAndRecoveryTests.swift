import Foundation
import Testing
import WharfCore
@testable import WharfEvents

@Suite struct DedupTests {
    @Test func retriedAppendReturnsTheOriginalResult() throws {
        let f = try StoreFixture()
        try f.store.append(stream: "order-1", events: events(2), expected: .noStream)
        let batch = events(3, prefix: "b")
        let original = try f.store.append(stream: "order-1", events: batch, expected: .exact(1))
        try f.store.append(stream: "order-2", events: events(1))
        for expected in [ExpectedVersion.exact(1), .any, .streamExists] {
            let retry = try f.store.append(stream: "order-1", events: batch, expected: expected)
            #expect(retry == WriteResult(nextExpectedVersion: original.nextExpectedVersion, position: original.position, deduplicated: true))
        }
        #expect(f.store.endPosition == 6)
        #expect(dataOf(try f.store.readStream("order-1")) == ["e0", "e1", "b0", "b1", "b2"])
        // The original expected version was exact(1): a retry claiming another state is stale.
        #expect(thrownError { try f.store.append(stream: "order-1", events: batch, expected: .exact(3)) }
                == .wrongExpectedVersion(stream: "order-1", expected: "revision 3", actual: 4))
        #expect(thrownError { try f.store.append(stream: "order-1", events: batch, expected: .noStream) }
                == .wrongExpectedVersion(stream: "order-1", expected: "no stream", actual: 4))
    }

    @Test func firstAppendRetriedWithNoStream() throws {
        let f = try StoreFixture()
        let batch = events(2)
        let original = try f.store.append(stream: "s-1", events: batch, expected: .noStream)
        #expect(try f.store.append(stream: "s-1", events: batch, expected: .noStream).deduplicated)
        #expect(try f.store.append(stream: "s-1", events: batch, expected: .noStream).position == original.position)
        #expect(f.store.endPosition == 2)
    }

    @Test func partialOverlapsAreRejected() throws {
        let f = try StoreFixture()
        let batch = events(3)
        try f.store.append(stream: "s-1", events: batch)
        // Any: the first id is known in the stream, a later one is new.
        if case .duplicateEventIds(let stream, _)? = thrownError({ try f.store.append(stream: "s-1", events: [batch[2], event()]) }) {
            #expect(stream == "s-1")
        } else { Issue.record("expected duplicateEventIds") }
        // An exact version: the first event matches the stream after it, a later one does not,
        // or the call runs past the stream's end.
        if case .duplicateEventIds? = thrownError({ try f.store.append(stream: "s-1", events: [batch[0], event()], expected: .noStream) }) {
        } else { Issue.record("expected duplicateEventIds") }
        if case .duplicateEventIds? = thrownError({ try f.store.append(stream: "s-1", events: [batch[2], event()], expected: .exact(1)) }) {
        } else { Issue.record("expected duplicateEventIds") }
        // The first event does not match: a stale expected version.
        #expect(thrownError { try f.store.append(stream: "s-1", events: [batch[1], batch[2]], expected: .noStream) }
                == .wrongExpectedVersion(stream: "s-1", expected: "no stream", actual: 2))
        #expect(f.store.endPosition == 3)
    }

    /// EventStoreDB's rule is per stream: ids are looked up in the stream appended to only.
    @Test func idsAreDeduplicatedPerStream() throws {
        let f = try StoreFixture()
        let batch = events(3)
        try f.store.append(stream: "s-1", events: batch)
        // The same ids in another stream are new events there, retried there idempotently.
        let other = try f.store.append(stream: "s-2", events: batch, expected: .noStream)
        #expect(!other.deduplicated && other == WriteResult(nextExpectedVersion: 2, position: 5))
        #expect(try f.store.append(stream: "s-2", events: batch, expected: .noStream) == WriteResult(nextExpectedVersion: 2, position: 5, deduplicated: true))
        #expect(try f.store.readStream("s-2").map(\.id) == batch.map(\.id))
        // Any: all ids in the stream, in any order, is a retry (answered with the last one's place).
        #expect(try f.store.append(stream: "s-1", events: [batch[1], batch[0]]) == WriteResult(nextExpectedVersion: 0, position: 0, deduplicated: true))
        // Any: a first id new to the stream is a new append, even if a later one is known.
        let fresh = event()
        #expect(!(try f.store.append(stream: "s-1", events: [fresh, batch[0]]).deduplicated))
        #expect(try f.store.readStream("s-1").map(\.id) == batch.map(\.id) + [fresh.id, batch[0].id])
        // The expected version is the current one: written, as EventStoreDB does.
        #expect(try f.store.append(stream: "s-1", events: [batch[1]], expected: .exact(4)).nextExpectedVersion == 5)
        try f.reopen()
        #expect(try f.store.append(stream: "s-2", events: Array(batch[1...]), expected: .exact(0)).deduplicated)
        #expect(f.store.endPosition == 9)
    }

    @Test func dedupHoldsAfterReopenAndCrash() throws {
        let f = try StoreFixture()
        let batch = events(2)
        let original = try f.store.append(stream: "s-1", events: batch, expected: .noStream)
        try f.store.append(stream: "s-1", events: events(1))
        try f.reopen()
        #expect(try f.store.append(stream: "s-1", events: batch, expected: .noStream)
                == WriteResult(nextExpectedVersion: original.nextExpectedVersion, position: original.position, deduplicated: true))
        try f.crashAndReopen()
        #expect(try f.store.append(stream: "s-1", events: batch).deduplicated)
        #expect(f.store.endPosition == 3)
    }
}

@Suite struct CrashRecoveryTests {
    /// A multi-event append torn by a crash (its batch cut mid-way, no clean-shutdown marker)
    /// disappears whole on reopen; earlier appends stay, and positions continue after them.
    @Test func tornMultiEventAppendIsGoneWhole() throws {
        let f = try StoreFixture()
        try f.store.append(stream: "acct-1", events: events(3, prefix: "a"), expected: .noStream)
        try f.store.append(stream: "acct-2", events: events(2, prefix: "b"), expected: .noStream)
        let segment = f.allLogDirectory + "/00000000000000000000.log"
        let sizeBefore = try fileSize(segment)
        try f.store.append(stream: "acct-1", events: events(4, prefix: "c"), expected: .exact(2))
        let sizeAfter = try fileSize(segment)
        #expect(sizeAfter > sizeBefore)
        f.store = nil  // crash: no close, no marker
        let handle = FileHandle(forWritingAtPath: segment)!
        try handle.truncate(atOffset: UInt64(sizeBefore + (sizeAfter - sizeBefore) / 2))
        try handle.close()
        f.store = try f.open()
        #expect(f.store.endPosition == 5)
        #expect(dataOf(try f.store.readStream("acct-1")) == ["a0", "a1", "a2"])
        #expect(dataOf(try f.store.readStream("acct-2")) == ["b0", "b1"])
        #expect(f.store.lastRevision(of: "acct-1") == 2)
        // The torn append's ids are not known: retrying it writes it now, at the next positions.
        let retry = try f.store.append(stream: "acct-1", events: events(1, prefix: "d"), expected: .exact(2))
        #expect(retry == WriteResult(nextExpectedVersion: 3, position: 5))
    }

    @Test func cleanReopenRebuildsTheIndex() throws {
        let f = try StoreFixture()
        for i in 0..<20 { try f.store.append(stream: "order-\(i % 4)", events: events(i % 3 + 1)) }
        let before = try f.store.readAll(maxCount: 1000)
        let streams = f.store.streams()
        try f.reopen()
        #expect(try f.store.readAll(maxCount: 1000) == before)
        #expect(f.store.streams() == streams)
        #expect(try f.store.append(stream: "order-0", events: [event()], expected: .exact(f.store.lastRevision(of: "order-0")!)).position
                == UInt64(before.count))
    }

    func fileSize(_ path: String) throws -> Int64 {
        (try FileManager.default.attributesOfItem(atPath: path)[.size] as! NSNumber).int64Value
    }
}
