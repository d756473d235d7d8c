import Foundation
import Testing
import WharfCore
@testable import WharfEvents

@Suite struct AppendTests {
    @Test func revisionsAndPositionsAreContiguous() throws {
        let f = try StoreFixture()
        let r1 = try f.store.append(stream: "order-1", events: events(3), expected: .noStream)
        #expect(r1 == WriteResult(nextExpectedVersion: 2, position: 2))
        let r2 = try f.store.append(stream: "order-2", events: events(1), expected: .noStream)
        #expect(r2 == WriteResult(nextExpectedVersion: 0, position: 3))
        let r3 = try f.store.append(stream: "order-1", events: events(2, prefix: "x"), expected: .exact(2))
        #expect(r3 == WriteResult(nextExpectedVersion: 4, position: 5))
        let read = try f.store.readStream("order-1")
        #expect(read.map(\.revision) == [0, 1, 2, 3, 4])
        #expect(read.map(\.position) == [0, 1, 2, 4, 5])
        #expect(dataOf(read) == ["e0", "e1", "e2", "x0", "x1"])
        #expect(f.store.endPosition == 6)
    }

    @Test func exactVersion() throws {
        let f = try StoreFixture()
        #expect(thrownError { try f.store.append(stream: "s-1", events: [event()], expected: .exact(0)) }
                == .wrongExpectedVersion(stream: "s-1", expected: "revision 0", actual: nil))
        try f.store.append(stream: "s-1", events: events(2), expected: .any)
        #expect(thrownError { try f.store.append(stream: "s-1", events: [event()], expected: .exact(0)) }
                == .wrongExpectedVersion(stream: "s-1", expected: "revision 0", actual: 1))
        #expect(thrownError { try f.store.append(stream: "s-1", events: [event()], expected: .exact(2)) }
                == .wrongExpectedVersion(stream: "s-1", expected: "revision 2", actual: 1))
        #expect(try f.store.append(stream: "s-1", events: [event()], expected: .exact(1)).nextExpectedVersion == 2)
        #expect(f.store.lastRevision(of: "s-1") == 2)
    }

    @Test func noStreamStreamExistsAndAny() throws {
        let f = try StoreFixture()
        #expect(thrownError { try f.store.append(stream: "s-1", events: [event()], expected: .streamExists) }
                == .wrongExpectedVersion(stream: "s-1", expected: "stream exists", actual: nil))
        try f.store.append(stream: "s-1", events: [event()], expected: .noStream)
        let e = thrownError { try f.store.append(stream: "s-1", events: [event()], expected: .noStream) }
        #expect(e == .wrongExpectedVersion(stream: "s-1", expected: "no stream", actual: 0))
        #expect(e?.description == "wrong expected version for stream 's-1': expected no stream, actual revision 0")
        #expect(try f.store.append(stream: "s-1", events: [event()], expected: .streamExists).nextExpectedVersion == 1)
        #expect(try f.store.append(stream: "s-1", events: [event()], expected: .any).nextExpectedVersion == 2)
        #expect(try f.store.append(stream: "s-2", events: [event()], expected: .any).nextExpectedVersion == 0)
        // A failed check writes nothing.
        #expect(f.store.endPosition == 4)
    }

    @Test func invalidAppendsAreRejected() throws {
        let f = try StoreFixture()
        #expect(thrownError { try f.store.append(stream: "s", events: []) } == .invalidArgument("an append needs at least one event"))
        let id = UUID()
        #expect(thrownError { try f.store.append(stream: "s", events: [event(id: id), event(id: id)]) }
                == .invalidArgument("an append cannot repeat an event id"))
        #expect(thrownError { try f.store.append(stream: "$system", events: [event()]) } != nil)
        #expect(thrownError { try f.store.append(stream: "$all", events: [event()]) } != nil)
        #expect(thrownError { try f.store.append(stream: "", events: [event()]) } != nil)
        #expect(f.store.endPosition == 0)
    }

    /// Pairs of appenders race with the same expected version: exactly one of each pair wins,
    /// and the stream's revisions stay contiguous.
    @Test func concurrentAppendersExactlyOneWins() async throws {
        let f = try StoreFixture()
        let store = f.store!
        let rounds = 50
        var wins = 0
        for round in 0..<rounds {
            let expected: ExpectedVersion = round == 0 ? .noStream : .exact(UInt64(round - 1))
            let outcomes = await withTaskGroup(of: Bool.self) { group in
                for contender in 0..<4 {
                    group.addTask {
                        do {
                            try store.append(stream: "acct-1", events: [EventData(type: "T", data: "r\(round)c\(contender)")], expected: expected)
                            return true
                        } catch {
                            return false
                        }
                    }
                }
                var results: [Bool] = []
                for await r in group { results.append(r) }
                return results
            }
            #expect(outcomes.filter { $0 }.count == 1, "round \(round)")
            wins += outcomes.filter { $0 }.count
        }
        let read = try store.readStream("acct-1", maxCount: 1000)
        #expect(read.count == rounds && wins == rounds)
        #expect(read.map(\.revision) == (0..<UInt64(rounds)).map { $0 })
        #expect(read.enumerated().allSatisfy { $0.element.dataString.hasPrefix("r\($0.offset)c") })
    }

    /// Many tasks appending to many streams with `.any`: every position 0..<n is used once.
    @Test func concurrentAppendsGetDistinctContiguousPositions() async throws {
        let f = try StoreFixture()
        let store = f.store!
        await withTaskGroup(of: Void.self) { group in
            for t in 0..<8 {
                group.addTask {
                    for i in 0..<25 { _ = try? store.append(stream: "s-\(t % 3)", events: events(2, prefix: "t\(t)i\(i)-")) }
                }
            }
        }
        let all = try store.readAll(maxCount: 1000)
        #expect(all.map(\.position) == (0..<400).map { UInt64($0) })
        for s in 0..<3 {
            #expect(try store.readStream("s-\(s)", maxCount: 1000).map(\.revision).enumerated().allSatisfy { UInt64($0.offset) == $0.element })
        }
    }
}

@Suite struct ParsingTests {
    @Test func expectedVersionText() throws {
        #expect(try ExpectedVersion(parsing: "any") == .any)
        #expect(try ExpectedVersion(parsing: "no-stream") == .noStream)
        #expect(try ExpectedVersion(parsing: "Stream-Exists") == .streamExists)
        #expect(try ExpectedVersion(parsing: "42") == .exact(42))
        #expect(thrownError { _ = try ExpectedVersion(parsing: "-1") } != nil)
        #expect(EventSource(parsing: "$all") == .all && EventSource(parsing: "order-1") == .stream("order-1"))
    }
}
