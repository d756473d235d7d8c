import Foundation
import GRPCCore
import Testing
import WharfESDBProtocol
@testable import WharfESDBServer
import WharfEvents

/// A consumer's bidi Read through the listener with grpc-swift's client, and the event store
/// used directly beside it the way the dashboard's Streams & projections view does (same
/// engine): a group the gRPC client reads shows in the store's subscription snapshots with its
/// parked event, and replaying parked events on the store (the dashboard's `R` action calls
/// `replayParked`) reaches the live gRPC subscriber.
@Suite struct ESDBPersistentReadTests {
    typealias PS = EventStore_Client_PersistentSubscriptions_PersistentSubscriptions
    typealias ReadReq = EventStore_Client_PersistentSubscriptions_ReadReq

    static func options(group: String, stream: String, buffer: Int32) -> ReadReq {
        var request = ReadReq()
        request.options.groupName = group
        request.options.streamIdentifier = ESDBWire.streamIdentifier(stream)
        request.options.bufferSize = buffer
        request.options.uuidOption.string = EventStore_Client_Empty()
        return request
    }

    static func settle(_ ids: [EventStore_Client_UUID], nack action: ReadReq.Nack.Action? = nil) -> ReadReq {
        var request = ReadReq()
        if let action {
            request.nack.ids = ids
            request.nack.action = action
            request.nack.reason = "test"
        } else {
            request.ack.ids = ids
        }
        return request
    }

    @Test func aReplayOnTheStoreReachesALiveGRPCSubscriber() async throws {
        try await ESDBTestServer().stopping { server in
            let store = server.store
            try store.append(stream: "order-1", events: (0..<3).map { EventData(type: "OrderPlaced", data: "{\"n\":\($0)}") })
            try store.createPersistentSubscription("g", on: .stream("order-1"), settings: .init(startFrom: .start))
            let (outgoing, send) = AsyncStream.makeStream(of: ReadReq.self)
            send.yield(Self.options(group: "g", stream: "order-1", buffer: 10))

            let seen = try await server.withClient { client in
                try await PS.Client(wrapping: client).read(requestProducer: { writer in
                    for await request in outgoing { try await writer.write(request) }
                }, onResponse: { response in
                    var confirmation = ""
                    var delivered: [(data: String, retryCount: Int32)] = []
                    for try await message in response.messages {
                        switch message.content {
                        case .subscriptionConfirmation(let c): confirmation = c.subscriptionID
                        case .event(let e):
                            delivered.append((String(decoding: e.event.data, as: UTF8.self), e.retryCount))
                            if delivered.count == 3 {
                                send.yield(Self.settle([e.event.id]))                     // ack n=2
                                send.yield(Self.settle([ESDBWire.uuid(try Self.id(of: 0, in: store), structured: false)]))
                                send.yield(Self.settle([ESDBWire.uuid(try Self.id(of: 1, in: store), structured: false)], nack: .park))
                                // What the dashboard shows, then its replay action, on the same store.
                                var snapshot: SubscriptionSnapshot?
                                for _ in 0..<2000 where snapshot?.parkedCount != 1 {
                                    snapshot = store.subscriptionSnapshots().first { $0.name == "order-1::g" }
                                    try await Task.sleep(for: .milliseconds(5))
                                }
                                #expect(snapshot?.parkedCount == 1 && snapshot?.connectionCount == 1 && snapshot?.kind == .persistent)
                                #expect(try store.replayParked("g", on: .stream("order-1")) == 1)
                            }
                            if delivered.count == 4 {
                                send.yield(Self.settle([e.event.id]))
                                send.finish()
                                return (confirmation, delivered)
                            }
                        case nil: break
                        }
                    }
                    return (confirmation, delivered)
                })
            }
            #expect(seen.0 == "order-1::g")
            #expect(seen.1.map(\.data) == [#"{"n":0}"#, #"{"n":1}"#, #"{"n":2}"#, #"{"n":1}"#])
            #expect(seen.1.map(\.retryCount) == [0, 0, 0, 0])
            // The replayed event was acked: nothing parked, nothing in flight, the checkpoint at the end.
            var status = try store.persistentSubscriptionStatus("g", on: .stream("order-1"))
            for _ in 0..<2000 where status.inFlightCount != 0 || status.checkpoint != 2 {
                try await Task.sleep(for: .milliseconds(5))
                status = try store.persistentSubscriptionStatus("g", on: .stream("order-1"))
            }
            #expect(status.parkedCount == 0 && status.inFlightCount == 0 && status.checkpoint == 2)
        }
    }

    /// A Read that does not start with its options, or names a missing group, is refused with
    /// the client's status; the listener keeps serving (a proper Read then works).
    @Test func badReadsAreRefusedAndTheListenerKeepsServing() async throws {
        try await ESDBTestServer().stopping { server in
            try server.store.createPersistentSubscription("g", on: .stream("order-1"), settings: .init(startFrom: .start))
            func firstAnswer(_ requests: [ReadReq]) async throws -> EventStore_Client_PersistentSubscriptions_ReadResp? {
                try await server.withClient { client in
                    try await PS.Client(wrapping: client).read(requestProducer: { writer in
                        try await writer.write(contentsOf: requests)
                        try await Task.sleep(for: .seconds(5))
                    }, onResponse: { response in
                        for try await message in response.messages { return message }
                        return nil
                    })
                }
            }
            var ackFirst = Self.settle([ESDBWire.uuid(UUID(), structured: false)])
            ackFirst.ack.id = Data("order-1::g".utf8)
            let outOfOrder = await #expect(throws: RPCError.self) { _ = try await firstAnswer([ackFirst]) }
            #expect(outOfOrder?.code == .invalidArgument)
            let missing = await #expect(throws: RPCError.self) { _ = try await firstAnswer([Self.options(group: "nope", stream: "order-1", buffer: -5)]) }
            #expect(missing?.code == .notFound && missing?.message == "Subscription group 'nope' on stream 'order-1' does not exist.")
            let confirmed = try await firstAnswer([Self.options(group: "g", stream: "order-1", buffer: -5)])
            #expect(confirmed?.subscriptionConfirmation.subscriptionID == "order-1::g")
        }
    }

    /// The client's messages wait in a bounded queue: one that sends more than
    /// `PersistentReadQueue.maxMessages` messages, or more than `maxIds` ack ids, before they are
    /// applied (here nothing applies them) ends its call with RESOURCE_EXHAUSTED instead of
    /// growing the server's memory; applied messages free their room.
    @Test func aFloodOfAcksIsRefusedWithBoundedMemory() async throws {
        func flood(_ messages: Int, idsEach: Int) -> AsyncThrowingStream<ReadReq, any Error> {
            let (stream, send) = AsyncThrowingStream.makeStream(of: ReadReq.self)
            for _ in 0..<messages { send.yield(Self.settle((0..<idsEach).map { _ in ESDBWire.uuid(UUID(), structured: false) })) }
            send.finish()
            return stream
        }
        func drain(_ queue: PersistentReadQueue, applying: Bool = false) async -> (count: Int, error: RPCError?) {
            var count = 0
            do {
                for try await message in queue.messages {
                    count += 1
                    if applying { queue.applied(message) }
                }
            } catch { return (count, error as? RPCError) }
            return (count, nil)
        }
        let byMessages = PersistentReadQueue()
        await PersistentSubscriptionsService.pump(flood(PersistentReadQueue.maxMessages + 50, idsEach: 10), into: byMessages)
        let refused = await drain(byMessages)
        #expect(refused.count == PersistentReadQueue.maxMessages && refused.error?.code == .resourceExhausted)

        let idsEach = 5_000  // 13 messages fit under 65,536 ids; the 14th goes over
        let byIds = PersistentReadQueue()
        await PersistentSubscriptionsService.pump(flood(30, idsEach: idsEach), into: byIds)
        let refusedIds = await drain(byIds)
        #expect(refusedIds.count == PersistentReadQueue.maxIds / idsEach && refusedIds.error?.code == .resourceExhausted)

        // Within the bounds every message arrives and the queue ends cleanly; one message alone
        // may carry more ids than the bound.
        let fits = PersistentReadQueue()
        await PersistentSubscriptionsService.pump(flood(PersistentReadQueue.maxMessages, idsEach: 1), into: fits)
        let all = await drain(fits)
        #expect(all.count == PersistentReadQueue.maxMessages && all.error == nil)
        let big = PersistentReadQueue()
        await PersistentSubscriptionsService.pump(flood(1, idsEach: PersistentReadQueue.maxIds + 1), into: big)
        let one = await drain(big)
        #expect(one.count == 1 && one.error == nil)
        // A consumer that keeps up frees the room: more ids than the bound pass in total.
        let steady = PersistentReadQueue()
        async let drained = drain(steady, applying: true)
        for _ in 0..<40 {
            #expect(steady.push(Self.settle((0..<idsEach).map { _ in ESDBWire.uuid(UUID(), structured: false) })))
            try await Task.sleep(for: .milliseconds(2))
            while steady.queuedIdCount > idsEach { try await Task.sleep(for: .milliseconds(1)) }
        }
        steady.finish()
        let passed = await drained
        #expect(passed.count == 40 && passed.error == nil)
    }

    /// Acks sent one per message are applied at once and made durable in rounds; a call that
    /// half-closes syncs its last round, so a crash image taken right after (the store still
    /// open, never checkpointed by `close`) has every ack: nothing acked comes back, the unacked
    /// event does. (Its retry count depends on whether the image caught it in flight or handed
    /// back by the disconnect; either is at-least-once.)
    @Test func acksSentOneByOneAreDurableWhenTheCallEnds() async throws {
        try await ESDBTestServer().stopping { server in
            let store = server.store
            try store.append(stream: "order-1", events: (0..<40).map { EventData(type: "OrderPlaced", data: "{\"n\":\($0)}") })
            var settings = PersistentSubscriptionSettings(startFrom: .start)
            settings.checkpointAfterAcks = 1_000  // no checkpoint by count: only the rounds write
            try store.createPersistentSubscription("g", on: .stream("order-1"), settings: settings)
            let (outgoing, send) = AsyncStream.makeStream(of: ReadReq.self)
            send.yield(Self.options(group: "g", stream: "order-1", buffer: 100))
            try await server.withClient { client in
                try await PS.Client(wrapping: client).read(requestProducer: { writer in
                    for await request in outgoing { try await writer.write(request) }
                }, onResponse: { response in
                    var delivered = 0
                    for try await message in response.messages {
                        guard case .event(let e) = message.content else { continue }
                        delivered += 1
                        if delivered != 17 { send.yield(Self.settle([e.event.id])) }  // one ack per message; 16 stays unacked
                        if delivered == 40 { send.finish() }  // half-close: the server ends the call after its last round
                    }
                })
            }
            var status = try store.persistentSubscriptionStatus("g", on: .stream("order-1"))
            for _ in 0..<2000 where status.inFlightCount != 0 || status.connections.count != 0 {
                try await Task.sleep(for: .milliseconds(5))
                status = try store.persistentSubscriptionStatus("g", on: .stream("order-1"))
            }
            let image = server.directory + "-image"
            defer { try? FileManager.default.removeItem(atPath: image) }
            try FileManager.default.copyItem(atPath: server.directory, toPath: image)
            try? FileManager.default.removeItem(atPath: image + "/.lock")
            let reopened = try EventStore.open(dataDirectory: image, logger: ESDBTestServer.quiet, fsync: .never)
            defer { try? reopened.close() }
            let consumer = try reopened.connectToPersistentSubscription("g", on: .stream("order-1"))
            let again = try consumer.receive(max: 100)
            #expect(again.map(\.event.revision) == [16])
        }
    }

    static func id(of revision: UInt64, in store: EventStore) throws -> UUID {
        try #require(try store.readStream("order-1", from: revision, maxCount: 1).first).id
    }
}
