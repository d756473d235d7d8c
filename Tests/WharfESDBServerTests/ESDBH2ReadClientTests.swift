import Foundation
import Testing
@testable import WharfBench
import WharfESDBProtocol
@testable import WharfESDBServer
import WharfEvents

/// `wharf bench esdb --client h2`'s read client (gRPC on swift-nio-http2 directly) against the
/// real listener: every field of every event it decodes equals what the store holds, whether
/// the messages share DATA frames or one spans several; a subscription completes at
/// `caught_up`; and a server's error status fails the call instead of leaving it waiting.
@Suite(.timeLimit(.minutes(1))) struct ESDBH2ReadClientTests {
    /// Keeps every message until `caught_up` (or the call's end).
    struct Collect: BenchReadConsumer {
        var messages: [BenchReadMessage] = []
        var caughtUp = false

        mutating func take(_ message: BenchReadMessage) throws -> Bool {
            if message.kind == .caughtUp { caughtUp = true; return true }
            messages.append(message)
            return false
        }
    }

    typealias Client = ESDBBenchClient

    /// 300 small events (many messages per DATA frame) and one of 40 KB (over two 16 KB frames),
    /// with custom metadata, a content type, and distinct types and data.
    static func fill(_ store: EventStore, stream: String) throws -> [RecordedEvent] {
        var events = (0..<300).map { i in
            EventData(type: "Type\(i % 7)", data: Array("event \(i) data".utf8), metadata: Array("{\"m\":\(i)}".utf8),
                      contentType: i % 2 == 0 ? "application/json" : nil)
        }
        events.insert(EventData(type: "Large", data: (0..<40_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }), at: 150)
        for chunk in stride(from: 0, to: events.count, by: 50) {
            try store.append(stream: stream, events: Array(events[chunk..<min(chunk + 50, events.count)]))
        }
        return try store.readStream(stream, maxCount: 1_000)
    }

    /// The event messages of `got` against `stored`, field by field.
    static func check(_ got: [BenchReadMessage], against stored: [RecordedEvent]) {
        let events = got.filter { $0.kind == .event }
        #expect(events.count == stored.count)
        for (m, e) in zip(events, stored) {
            guard let d = m.event else { Issue.record("an event message without its event"); continue }
            #expect(d.id == e.id)
            #expect(d.stream == e.stream)
            #expect(d.revision == e.revision)
            #expect(d.commitPosition == ESDBWire.commitPosition(e.position))
            #expect(d.preparePosition == ESDBWire.commitPosition(e.position))
            #expect(d.type == e.type)
            #expect(d.contentType == (e.contentType ?? ReadOutput.guessContentType(e.data)))
            #expect(d.created == ESDBWire.ticks(millis: e.timestamp))
            #expect(d.customMetadata == e.metadata)
            #expect(d.data == e.data)
            #expect(m.link == nil)
        }
    }

    @Test func decodesEveryEventOfAReadAndOfCatchUpSubscriptions() async throws {
        try await ESDBTestServer().stopping { server in
            let stored = try Self.fill(server.store, stream: "h2-orders")
            try await ESDBH2ReadClient.connect(host: "127.0.0.1", port: server.port) { client in
                let page = try await client.read(Client.readOptions("h2-orders", subscription: false), into: Collect())
                #expect(!page.caughtUp)
                Self.check(page.messages, against: stored)

                let stream = try await client.read(Client.readOptions("h2-orders", subscription: true), into: Collect())
                #expect(stream.caughtUp)
                #expect(stream.messages.first?.kind == .confirmation)
                Self.check(stream.messages, against: stored)

                let all = try await client.read(Client.readOptions(nil, subscription: true), into: Collect())
                #expect(all.caughtUp)
                #expect(all.messages.first?.kind == .confirmation)
                Self.check(all.messages.filter { $0.event?.stream == "h2-orders" }, against: stored)

                // The bench's own tally over the same connection after the cancelled subscriptions.
                let tally = try await client.read(Client.readOptions("h2-orders", subscription: true), into: BenchReadTally())
                #expect(tally.events == stored.count)
            }
        }
    }

    @Test func aServerErrorFailsTheCall() async throws {
        try await ESDBTestServer().stopping { server in
            try server.store.append(stream: "h2-gone", events: [EventData(type: "Created", data: "x")])
            try server.store.append(stream: "h2-gone", events: [EventData(type: ESDBStreams.tombstoneType, data: "")])
            try await ESDBH2ReadClient.connect(host: "127.0.0.1", port: server.port) { client in
                let deleted = await #expect(throws: ESDBH2CallError.self) {
                    _ = try await client.read(Client.readOptions("h2-gone", subscription: false), into: Collect())
                }
                #expect(deleted?.status == 9)  // FAILED_PRECONDITION
                #expect(deleted?.description.contains("stream-deleted") == true)

                var request = Client.ReadReq()
                request.options = Client.readOptions("h2-gone", subscription: false)
                let unknown = await #expect(throws: ESDBH2CallError.self) {
                    _ = try await client.call(path: "/event_store.client.streams.Streams/Nope", request: request, into: Collect())
                }
                #expect(unknown?.status == 12)  // UNIMPLEMENTED

                // The connection still serves calls after the failed ones.
                let page = try await client.read(Client.readOptions("h2-none", subscription: false), into: Collect())
                #expect(page.messages.map(\.kind) == [.streamNotFound])
            }
        }
    }
}
