import Foundation
import Testing
import WharfCore
@testable import WharfEvents

@Suite struct ReadTests {
    func seeded() throws -> StoreFixture {
        let f = try StoreFixture()
        try f.store.append(stream: "order-1", events: events(3, prefix: "o1-"))      // positions 0,1,2
        try f.store.append(stream: "customer-7", events: events(1, prefix: "c7-"))   // 3
        try f.store.append(stream: "order-2", events: events(2, prefix: "o2-"))      // 4,5
        try f.store.append(stream: "order-1", events: events(2, prefix: "o1b-"))     // 6,7
        try f.store.append(stream: "order-2-lines", events: events(1, prefix: "l-")) // 8
        try f.store.append(stream: "audit", events: events(1, prefix: "a-"))         // 9
        return f
    }

    @Test func streamForwardsAndBackwards() throws {
        let f = try seeded()
        let s = f.store!
        #expect(dataOf(try s.readStream("order-1")) == ["o1-0", "o1-1", "o1-2", "o1b-0", "o1b-1"])
        #expect(dataOf(try s.readStream("order-1", from: 2, maxCount: 2)) == ["o1-2", "o1b-0"])
        #expect(dataOf(try s.readStream("order-1", direction: .backwards, maxCount: 2)) == ["o1b-1", "o1b-0"])
        #expect(dataOf(try s.readStream("order-1", from: 1, direction: .backwards)) == ["o1-1", "o1-0"])
        #expect(try s.readStream("order-1", from: 9, direction: .backwards, maxCount: 1).map(\.revision) == [4])
        #expect(try s.readStream("order-1", from: 5).isEmpty)
        #expect(try s.readStream("nope").isEmpty)
        let e = try s.readStream("order-1", from: 3, maxCount: 1)[0]
        #expect(e.stream == "order-1" && e.revision == 3 && e.position == 6 && e.type == "Happened")
        #expect(e.timestamp == f.clock.nowMillis())
    }

    @Test func eventFieldsRoundTrip() throws {
        let f = try StoreFixture()
        let id = UUID()
        let sent = EventData(id: id, type: "Deposited", data: Array("{\"amount\":5}".utf8), metadata: Array("{\"user\":\"x\"}".utf8))
        try f.store.append(stream: "acct-9", events: [sent, EventData(type: "Empty", data: [])])
        f.clock.advance(byMillis: 10)
        try f.reopen()
        let read = try f.store.readStream("acct-9")
        #expect(read[0].id == id && read[0].type == "Deposited" && read[0].data == sent.data && read[0].metadata == sent.metadata)
        #expect(read[1].data == [] && read[1].metadata == [])
        #expect(read[0].timestamp == 1_800_000_000_000)
    }

    @Test func allFromAPosition() throws {
        let f = try seeded()
        let s = f.store!
        #expect(try s.readAll(maxCount: 100).map(\.position) == Array(0..<10))
        let some = try s.readAll(from: 4, maxCount: 3)
        #expect(some.map(\.position) == [4, 5, 6])
        #expect(some.map(\.stream) == ["order-2", "order-2", "order-1"])
        #expect(try s.readAll(from: 10).isEmpty)
    }

    @Test func categories() throws {
        let f = try seeded()
        let s = f.store!
        #expect(StreamName.category(of: "order-2-lines") == "order")
        #expect(StreamName.category(of: "audit") == "audit")
        #expect(dataOf(try s.readCategory("order")) == ["o1-0", "o1-1", "o1-2", "o2-0", "o2-1", "o1b-0", "o1b-1", "l-0"])
        #expect(try s.readCategory("order", from: 6, maxCount: 5).map(\.position) == [7, 8])
        #expect(try s.readCategory("customer").map(\.stream) == ["customer-7"])
        #expect(s.streams(category: "order").map(\.name) == ["order-1", "order-2", "order-2-lines"])
        #expect(s.streams(category: "order").map(\.eventCount) == [5, 2, 1])
        #expect(s.streams().map(\.name) == ["audit", "customer-7", "order-1", "order-2", "order-2-lines"])
        let cats = s.categories()
        #expect(cats.map(\.category) == ["audit", "customer", "order"])
        #expect(cats.map(\.streams) == [1, 1, 3])
        #expect(cats.map(\.events) == [1, 1, 8])
    }

    @Test func eventTypeLinkStreamsAcrossStreamsAndReopen() throws {
        let f = try StoreFixture()
        try f.store.append(stream: "order-1", events: [event("Placed", "p0"), event("Paid", "x")])  // 0,1
        try f.store.append(stream: "invoice-1", events: [event("Placed", "p1")])                    // 2
        try f.store.append(stream: "order-1", events: [event("Placed", "p2")])                      // 3
        for reopened in [false, true] {
            if reopened { try f.reopen() }  // the index is rebuilt from the log: same links, same positions
            let link = LinkStream.eventType("Placed")
            #expect(f.store.linkCount(link) == 3)
            #expect(try f.store.readLinkTargets(link).map(\.position) == [0, 2, 3])
            let links = try f.store.readLinks(link, from: 1, maxCount: 5)
            #expect(links.map(\.revision) == [1, 2] && links.map(\.position) == [2, 3])
            #expect(links.map(\.stream) == ["$et-Placed", "$et-Placed"] && links.allSatisfy { $0.type == StreamName.linkEventType })
            #expect(links.map(\.dataString) == ["0@invoice-1", "2@order-1"])
            #expect(links[0].id == LinkStream.linkId(stream: "$et-Placed", revision: 1))
            #expect(f.store.linkCount(.eventType("Never")) == 0)
        }
        #expect(LinkStream(name: "$et-Placed") == .eventType("Placed"))
        #expect(LinkStream(name: "$ce-order") == .category("order"))
        #expect(LinkStream(name: "order-1") == nil)
        let sample = try f.store.readStream("invoice-1")[0]
        #expect(LinkStream.eventType("Placed").covers(sample) && !LinkStream.eventType("Paid").covers(sample))
        #expect(LinkStream.category("invoice").covers(sample) && !LinkStream.category("order").covers(sample))
    }
}
