import Foundation
import Logging
import Testing
import WharfCore
@testable import WharfESDBServer
@testable import WharfEvents
@testable import WharfStorage
import WharfTestSupport

/// EventStoreDB's deletion rules hold while writes wait for their fdatasync outside the
/// front-end's lock (`--fsync always`): a write checks the state the writes still in flight
/// leave, while reads see only what is durable. The `$all` segment's fdatasyncs are held by the
/// test to look at the front-end while one is in flight.
@Suite struct ESDBWritesInFlightTests {
    @Test func aWriteSeesASoftDeleteStillInFlightAndAReadDoesNot() async throws {
        let root = NSTemporaryDirectory() + "wharf-esdb-in-flight-\(UUID().uuidString)"
        let faults = FaultInjector()
        let store = try EventStore.open(dataDirectory: root, clock: ManualClock(1_800_000_000_000),
                                        logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }, fsync: .always, faults: faults)
        defer {
            faults.releaseSyncs()
            try? store.close()
            try? FileManager.default.removeItem(atPath: root)
        }
        let streams = ESDBStreams(store: store)
        _ = try await streams.append(stream: "s", events: [EventData(type: "A", data: "{}"), EventData(type: "B", data: "{}")], expected: .noStream)

        faults.holdSyncsForAWhile(pathSuffix: "/all-0/" + LogSegment.name(0) + LogSegment.logSuffix)
        let delete = Task { try await streams.delete(stream: "s", expected: .exact(1), tombstone: false) }
        #expect(await eventually { store.lastWrittenEvent(of: "$$s") != nil })
        #expect(try streams.status(of: "s").current == 1, "a read saw a soft delete that is not durable")
        #expect(try streams.status(of: "s", asWritten: true).current == nil)

        // To a write the stream is now "no stream": it continues the revisions and moves `$tb`.
        let append = Task { try await streams.append(stream: "s", events: [EventData(type: "C", data: "{}")], expected: .noStream) }
        #expect(await eventually { store.lastWrittenEvent(of: "$$s")?.revision == 1 })
        faults.releaseSyncs()
        #expect(try await delete.value == 2)
        let appended = try await append.value
        #expect(appended.nextExpectedVersion == 2)
        let status = try streams.status(of: "s")
        #expect(status.current == 2)
        #expect(status.truncateBefore == 2)
    }

    @Test func appendsMultiplexedOnOneBatchAppendCallShareAnFdatasyncAndAreAnsweredInOrder() async throws {
        let journal = FileJournal()
        let faults = FaultInjector(journal: journal)
        try await ESDBTestServer(fsync: .always, faults: faults).stopping { server in
            defer { faults.releaseSyncs() }
            let start = server.store.endPosition
            faults.holdSyncsForAWhile(pathSuffix: "/all-0/" + LogSegment.name(0) + LogSegment.logSuffix)
            let requests = (0..<3).map { ESDBStreamsTests.batch("multiplexed-\($0)", [(UUID(), "Happened")], expected: .noStream(.init())) }
            let answers = Task { try await ESDBStreamsTests.batchAppend(server, requests) }
            // Each append is written while the first one's fdatasync is held, before any answer.
            #expect(await eventually { server.store.state.withLock { $0.inFlight.appends.count } == 3 },
                    "an append of the call waited for the previous one's answer")
            let syncsBefore = journal.count
            faults.releaseSyncs()
            let got = try await answers.value
            #expect(got.map(\.correlationID) == requests.map(\.correlationID))
            #expect(got.map { $0.success.position.commitPosition } == (start..<start + 3).map { ESDBWire.commitPosition($0) })
            // Fewer than one per append: the held one (journaled when it proceeds; it covers all
            // three if its round began after the third was written) and one for the others.
            #expect(journal.operations.dropFirst(syncsBefore).filter { if case .syncStarted = $0 { true } else { false } }.count <= 2)
            #expect(server.store.endPosition == start + 3)
        }
    }
}
