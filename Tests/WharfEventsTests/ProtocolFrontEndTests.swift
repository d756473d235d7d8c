import Foundation
import Testing
import WharfCore
@testable import WharfEvents

/// What the EventStoreDB listener needs from the store (issue 20): content types kept on disk,
/// system streams it may write, `$all` subscriptions that include system events.
@Suite struct ProtocolFrontEndTests {
    @Test func contentTypesSurviveAReopenAndAreAbsentWhenNotDeclared() throws {
        let f = try StoreFixture()
        try f.store.append(stream: "order-1", events: [EventData(type: "Placed", data: Array("{}".utf8), contentType: "application/json"),
                                                       event("Paid")])
        try f.reopen()
        let events = try f.store.readStream("order-1")
        #expect(events.map(\.contentType) == ["application/json", nil])
    }

    @Test func systemStreamsAreWrittenOnlyThroughTheFrontEndCall() throws {
        let f = try StoreFixture()
        #expect(throws: WharfError.self) { try f.store.append(stream: "$$order-1", events: [event("$metadata")]) }
        try f.store.appendAllowingSystemStream(stream: "$$order-1", events: [event("$metadata", #"{"$tb":1}"#)], expected: .noStream)
        #expect(throws: WharfError.self) { try f.store.appendAllowingSystemStream(stream: "$all", events: [event()]) }
        #expect(try f.store.readStream("$$order-1").map(\.type) == ["$metadata"])
    }

    @Test func anAllSubscriptionIncludesSystemEventsOnlyWhenAsked() async throws {
        let f = try StoreFixture()
        try f.store.appendAllowingSystemStream(stream: "$settings", events: [event("$settings")])
        try f.store.append(stream: "order-1", events: [event("Placed")])
        var plain = f.store.subscribe(to: .all).makeAsyncIterator()
        #expect(try await plain.next()?.stream == "order-1")
        var withSystem = f.store.subscribe(to: .all, includeSystem: true).makeAsyncIterator()
        #expect(try await withSystem.next()?.stream == "$settings")
        #expect(try await withSystem.next()?.stream == "order-1")
    }
}
