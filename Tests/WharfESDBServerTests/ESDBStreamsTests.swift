import Foundation
import GRPCCore
import SwiftProtobuf
import Testing
import WharfESDBProtocol
import WharfEvents

/// Streams through the listener with grpc-swift's client: the shapes the Python and .NET clients
/// parse (positions, result messages, Status details), checked against the store underneath.
@Suite struct ESDBStreamsTests {
    typealias Streams = EventStore_Client_Streams_Streams

    static func batch(_ stream: String, _ events: [(UUID, String)], expected: EventStore_Client_Streams_BatchAppendReq.Options.OneOf_ExpectedStreamPosition?) -> EventStore_Client_Streams_BatchAppendReq {
        var request = EventStore_Client_Streams_BatchAppendReq()
        request.correlationID.string = UUID().uuidString
        request.options.streamIdentifier.streamName = Data(stream.utf8)
        request.options.expectedStreamPosition = expected
        request.proposedMessages = events.map { id, type in
            var m = EventStore_Client_Streams_BatchAppendReq.ProposedMessage()
            m.id.string = id.uuidString
            m.metadata = ["type": type, "content-type": "application/json"]
            m.data = Data(#"{"ok":true}"#.utf8)
            return m
        }
        request.isFinal = true
        return request
    }

    static func batchAppend(_ server: ESDBTestServer, _ requests: [EventStore_Client_Streams_BatchAppendReq]) async throws -> [EventStore_Client_Streams_BatchAppendResp] {
        try await server.withClient { client in
            try await Streams.Client(wrapping: client).batchAppend(
                requestProducer: { writer in try await writer.write(contentsOf: requests) },
                onResponse: { response in
                    var answers: [EventStore_Client_Streams_BatchAppendResp] = []
                    for try await answer in response.messages {
                        answers.append(answer)
                        if answers.count == requests.count { break }
                    }
                    return answers
                })
        }
    }

    /// `onMessage` runs after each message arrives (before the next is awaited).
    static func read(_ server: ESDBTestServer, _ options: EventStore_Client_Streams_ReadReq.Options, upTo limit: Int = .max,
                     onMessage: @escaping @Sendable (EventStore_Client_Streams_ReadResp) throws -> Void = { _ in }) async throws -> [EventStore_Client_Streams_ReadResp] {
        var request = EventStore_Client_Streams_ReadReq()
        request.options = options
        let sent = request
        return try await server.withClient { client in
            try await Streams.Client(wrapping: client).read(sent) { response in
                var out: [EventStore_Client_Streams_ReadResp] = []
                for try await m in response.messages {
                    out.append(m)
                    try onMessage(m)
                    if out.count >= limit { break }
                }
                return out
            }
        }
    }

    /// Two appends on one BatchAppend call, each answered under its correlation id; `$all`
    /// positions are Wharf's offsets + 1 (never 0), the same in the answer and in reads.
    @Test func batchAppendAnswersEachCorrelationIdWithItsPosition() async throws {
        try await ESDBTestServer().stopping { server in
            let a = Self.batch("order-1", [(UUID(), "Placed"), (UUID(), "Paid")], expected: .noStream(.init()))
            let b = Self.batch("order-2", [(UUID(), "Placed")], expected: .any(.init()))
            let answers = try await Self.batchAppend(server, [a, b])
            #expect(answers.map(\.correlationID) == [a.correlationID, b.correlationID])
            let positions = answers.map { $0.success.position.commitPosition }
            let stored = try server.store.readStream("order-2").first?.position
            #expect(answers.map { $0.success.currentRevision } == [1, 0])
            #expect(positions[1] == stored.map { $0 + 1 } && positions[0] < positions[1] && positions[0] > 0)
            var options = EventStore_Client_Streams_ReadReq.Options()
            options.all.start = .init()
            options.count = 100
            options.noFilter = .init()
            options.uuidOption.string = .init()
            let events = try await Self.read(server, options).compactMap { $0.content == nil ? nil : $0.event }
            let order = events.filter { String(decoding: $0.event.streamIdentifier.streamName, as: UTF8.self).hasPrefix("order-") }
            #expect(order.map(\.commitPosition) == [positions[0] - 1, positions[0], positions[1]])
            #expect(order.allSatisfy { $0.event.commitPosition == $0.commitPosition && $0.event.preparePosition == $0.commitPosition })
            #expect(order.first?.event.metadata["content-type"] == "application/json" && order.first?.event.metadata["type"] == "Placed")
        }
    }

    /// A stale expected version inside BatchAppend is a `google.rpc.Status` (ALREADY_EXISTS) whose
    /// details unpack as `event_store.client.WrongExpectedVersion` with the current revision; a
    /// retry of the same ids is answered with the original position and writes nothing.
    @Test func batchAppendErrorsAreStatusDetailsAndRetriesAreIdempotent() async throws {
        try await ESDBTestServer().stopping { server in
            let ids = [(UUID(), "Placed"), (UUID(), "Paid")]
            let first = try await Self.batchAppend(server, [Self.batch("order-1", ids, expected: .noStream(.init()))])[0]
            let stale = try await Self.batchAppend(server, [Self.batch("order-1", [(UUID(), "Shipped")], expected: .streamPosition(0))])[0]
            #expect(stale.error.code == .alreadyExists)
            #expect(stale.error.details.typeURL == "type.googleapis.com/event_store.client.WrongExpectedVersion")
            let wev = try EventStore_Client_WrongExpectedVersion(unpackingAny: stale.error.details)
            #expect(wev.currentStreamRevision == 1 && wev.expectedStreamPosition == 0)
            let retry = try await Self.batchAppend(server, [Self.batch("order-1", ids, expected: .noStream(.init()))])[0]
            #expect(retry.success.position == first.success.position && retry.success.currentRevision == 1)
            #expect(server.store.lastRevision(of: "order-1") == 1)
        }
    }

    /// A catch-up subscription: confirmation, the history, caught-up, then an event appended
    /// after it started.
    @Test func aCatchUpSubscriptionSendsHistoryCaughtUpThenLiveEvents() async throws {
        try await ESDBTestServer().stopping { server in
            _ = try await Self.batchAppend(server, [Self.batch("order-1", [(UUID(), "Placed"), (UUID(), "Paid")], expected: .noStream(.init()))])
            var options = EventStore_Client_Streams_ReadReq.Options()
            options.stream.streamIdentifier.streamName = Data("order-1".utf8)
            options.stream.start = .init()
            options.subscription = .init()
            options.noFilter = .init()
            options.uuidOption.structured = .init()
            let live = UUID()
            let store = server.store
            // The live event is appended once the subscription said it caught up (not after a
            // sleep, which a loaded machine can outrun).
            let messages = try await Self.read(server, options, upTo: 5) { m in
                if case .caughtUp = m.content {
                    try store.append(stream: "order-1", events: [EventData(id: live, type: "Shipped", data: "{}")], expected: .exact(1))
                }
            }
            #expect(messages.count == 5)
            guard messages.count == 5 else { return }
            #expect(!messages[0].confirmation.subscriptionID.isEmpty)
            #expect(messages[1].event.event.streamRevision == 0 && messages[2].event.event.streamRevision == 1)
            if case .caughtUp = messages[3].content {} else { Issue.record("expected caught_up, got \(messages[3])") }
            // Structured ids, as the .NET client asks: the two int64 halves of the UUID.
            let structured = messages[4].event.event.id.structured
            #expect(UInt64(bitPattern: structured.mostSignificantBits) >> 32 == UInt64(live.uuid.0) << 24 | UInt64(live.uuid.1) << 16 | UInt64(live.uuid.2) << 8 | UInt64(live.uuid.3))
            #expect(messages[4].event.event.streamRevision == 2)
        }
    }

    /// A subscription from the largest revision or position a client can send (found by
    /// wharf-fuzz: resolving "after UInt64.max" overflowed and stopped the process) confirms,
    /// says caught up and waits; the listener serves on.
    @Test(arguments: [false, true]) func aSubscriptionAfterTheLargestRevisionWaitsInsteadOfTrapping(_ all: Bool) async throws {
        try await ESDBTestServer().stopping { server in
            _ = try await Self.batchAppend(server, [Self.batch("order-1", [(UUID(), "Placed")], expected: .noStream(.init()))])
            var options = EventStore_Client_Streams_ReadReq.Options()
            if all {
                var position = EventStore_Client_Streams_ReadReq.Options.Position()
                (position.commitPosition, position.preparePosition) = (.max, .max)
                options.all.position = position
            } else {
                options.stream.streamIdentifier.streamName = Data("order-1".utf8)
                options.stream.revision = .max
            }
            options.subscription = .init()
            options.noFilter = .init()
            options.uuidOption.structured = .init()
            let messages = try await Self.read(server, options, upTo: 2)
            #expect(messages.count == 2 && !messages[0].confirmation.subscriptionID.isEmpty, "\(messages)")
            if case .caughtUp? = messages.last?.content {} else { Issue.record("expected caught_up, got \(messages)") }
            let info = try await server.withClient { client in
                try await EventStore_Client_Gossip_Gossip.Client(wrapping: client).read(EventStore_Client_Empty())
            }
            #expect(info.members.count == 1)
        }
    }
}
