import Foundation
import GRPCCore
import SwiftProtobuf
import Testing
import WharfESDBProtocol
@testable import WharfESDBServer
@testable import WharfEvents

/// The persistent-subscription settings mapping: bytes as the clients encode them (Python's
/// string strategy and ms; .NET's enum and 100 ns ticks), decoded, mapped to the engine's
/// settings, and back as GetInfo reports them; then the same through the listener.
@Suite struct ESDBPersistentSettingsTests {
    typealias Create = EventStore_Client_PersistentSubscriptions_CreateReq
    typealias Wire = PersistentSettingsWire

    /// A Create request for `stream` as the Python client builds it, through its bytes.
    static func pythonCreate(stream: String, revision: UInt64?) throws -> Create {
        var s = Create.Settings()
        s.resolveLinks = true
        s.extraStatistics = true
        s.maxRetryCount = 4
        s.minCheckpointCount = 7
        s.maxCheckpointCount = 70
        s.maxSubscriberCount = 3
        s.liveBufferSize = 250
        s.readBatchSize = 25
        s.historyBufferSize = 300
        s.messageTimeoutMs = 12_500
        s.checkpointAfterMs = 3_000
        s.consumerStrategy = "RoundRobin"
        var request = Create()
        request.options.groupName = "g"
        request.options.settings = s
        var options = Create.StreamOptions()
        options.streamIdentifier = ESDBWire.streamIdentifier(stream)
        if let revision { options.revision = revision } else { options.start = EventStore_Client_Empty() }
        request.options.stream = options
        let bytes: [UInt8] = try request.serializedBytes()
        return try Create(serializedBytes: bytes)
    }

    @Test func pythonSettingsMapToTheEngineAndBack() throws {
        let request = try Self.pythonCreate(stream: "order-1", revision: 5)
        guard case .stream(let options) = request.options.streamOption else { Issue.record("no stream option"); return }
        let start = Wire.streamStart(options.revisionOption)
        #expect(start == .after(4))  // revision 5 inclusive
        let settings = try Wire.settings(request.options.settings, startFrom: start, filter: nil)
        #expect(settings.maxRetryCount == 4 && settings.messageTimeoutMillis == 12_500 && settings.checkpointAfterAcks == 7)
        #expect(settings.bufferSize == 250 && settings.resolveLinks && settings.maxSubscriberCount == 3)
        #expect(settings.consumerStrategy == .roundRobin && settings.maxCheckpointCount == 70 && settings.checkpointAfterMillis == 3_000)
        #expect(settings.readBatchSize == 25 && settings.historyBufferSize == 300 && settings.extraStatistics)

        let status = PersistentSubscriptionStatus(
            info: PersistentSubscriptionInfo(source: .stream("order-1"), group: "g", settings: settings, parkedStream: "p"),
            checkpoint: 6, lastKnown: 9, parkedCount: 2, readyCount: 3, retryCount: 1, inFlightCount: 4,
            connections: [.init(consumerName: "ipv4:127.0.0.1:5000", inFlight: 4)])
        let info = Wire.info(status)
        #expect(info.eventSource == "order-1" && info.groupName == "g" && info.startFrom == "5")
        #expect(info.messageTimeoutMilliseconds == 12_500 && info.checkPointAfterMilliseconds == 3_000)
        #expect(info.minCheckPointCount == 7 && info.maxCheckPointCount == 70 && info.maxRetryCount == 4)
        #expect(info.liveBufferSize == 250 && info.bufferSize == 300 && info.readBatchSize == 25 && info.maxSubscriberCount == 3)
        #expect(info.namedConsumerStrategy == "RoundRobin" && info.resolveLinkTos && info.extraStatistics)
        #expect(info.lastCheckpointedEventPosition == "6" && info.lastKnownEventPosition == "9")
        #expect(info.parkedMessageCount == 2 && info.totalInFlightMessages == 4 && info.retryBufferCount == 1 && info.liveBufferCount == 3)
        #expect(info.connections.map(\.inFlightMessages) == [4])
    }

    /// The .NET client sends the enum and ticks; `$all` positions are wire positions (Wharf's + 1).
    @Test func dotnetTicksEnumAndAllPositions() throws {
        var s = EventStore_Client_PersistentSubscriptions_UpdateReq.Settings()
        s.namedConsumerStrategy = .dispatchToSingle
        s.messageTimeoutTicks = 30 * 10_000_000
        s.checkpointAfterTicks = 2 * 10_000_000
        s.liveBufferSize = 500
        s.readBatchSize = 20
        s.historyBufferSize = 500
        s.minCheckpointCount = 10
        s.maxCheckpointCount = 1000
        let bytes: [UInt8] = try s.serializedBytes()
        let decoded = try EventStore_Client_PersistentSubscriptions_UpdateReq.Settings(serializedBytes: bytes)
        let settings = try Wire.settings(decoded, startFrom: Wire.allStart(commit: 42), filter: nil)
        #expect(settings.messageTimeoutMillis == 30_000 && settings.checkpointAfterMillis == 2_000)
        #expect(settings.consumerStrategy == .dispatchToSingle)
        #expect(settings.startFrom == .after(40))  // commit 42 = Wharf position 41, inclusive
        #expect(Wire.startFrom(settings.startFrom, all: true) == "C:42/P:42")
        #expect(Wire.startFrom(.start, all: true) == "C:0/P:0" && Wire.startFrom(.end, all: true) == "C:-1/P:-1")
        #expect(Wire.startFrom(.start, all: false) == "0" && Wire.startFrom(.end, all: false) == "-1")
        #expect(Wire.allStart(commit: 0) == .start && Wire.allStart(commit: 1) == .start)
        #expect(Wire.key(41, all: true) == "C:42/P:42" && Wire.key(nil, all: true) == "")
        // A timeout of 0 is "none", reported back as 0.
        s.messageTimeoutMs = 0
        let none = try Wire.settings(s, startFrom: .start, filter: nil)
        #expect(none.messageTimeoutMillis == Wire.noTimeoutMillis)
    }

    @Test func refusedSettings() throws {
        var s = try Self.pythonCreate(stream: "x", revision: nil).options.settings
        s.consumerStrategy = "Pinned"
        #expect(throws: PersistentSubscriptionError.Reason.self) { try Wire.settings(s, startFrom: .start, filter: nil) }
        s.consumerStrategy = "Sideways"
        #expect(throws: PersistentSubscriptionError.Reason.self) { try Wire.settings(s, startFrom: .start, filter: nil) }
        s.consumerStrategy = ""
        s.namedConsumerStrategy = .roundRobin
        #expect(try Wire.settings(s, startFrom: .start, filter: nil).consumerStrategy == .roundRobin)
        s.readBatchSize = 301
        #expect(throws: PersistentSubscriptionError.Reason.self) { try Wire.settings(s, startFrom: .start, filter: nil) }
        s.readBatchSize = 25
        s.maxRetryCount = -1
        #expect(throws: PersistentSubscriptionError.Reason.self) { try Wire.settings(s, startFrom: .start, filter: nil) }
    }

    /// An engine file written before the new settings existed still loads, with their defaults.
    @Test func oldSettingsFilesDecodeWithDefaults() throws {
        let old = #"{"startFrom":{"start":{}},"maxRetryCount":2,"messageTimeoutMillis":500,"checkpointAfterAcks":3,"bufferSize":9}"#
        let s = try JSONDecoder().decode(PersistentSubscriptionSettings.self, from: Data(old.utf8))
        #expect(s.maxRetryCount == 2 && s.bufferSize == 9 && s.consumerStrategy == .dispatchToSingle && s.maxSubscriberCount == 0)
        #expect(s.filter == nil && !s.resolveLinks && s.historyBufferSize == 500)
        var round = s
        round.filter = EventFilter(target: .streamName, regex: "^order-", prefixes: ["inv"])
        round.consumerStrategy = .roundRobin
        #expect(try JSONDecoder().decode(PersistentSubscriptionSettings.self, from: JSONEncoder().encode(round)) == round)
    }

    /// Through the listener with grpc-swift's client: Create with .NET's form, GetInfo, List,
    /// a refusal's status and text, Delete.
    @Test func adminCallsThroughTheListener() async throws {
        try await ESDBTestServer().stopping { server in
            typealias PS = EventStore_Client_PersistentSubscriptions_PersistentSubscriptions
            try await server.withClient { client in
                let ps = PS.Client(wrapping: client)
                var create = try Self.pythonCreate(stream: "order-1", revision: 3)
                create.options.settings.consumerStrategy = ""
                create.options.settings.namedConsumerStrategy = .roundRobin
                create.options.settings.messageTimeoutTicks = 15 * 10_000_000
                _ = try await ps.create(create)
                let duplicate = await #expect(throws: RPCError.self) { _ = try await ps.create(create) }
                #expect(duplicate?.code == .alreadyExists)

                var get = EventStore_Client_PersistentSubscriptions_GetInfoReq()
                get.options.groupName = "g"
                get.options.streamIdentifier = ESDBWire.streamIdentifier("order-1")
                let info = try await ps.getInfo(get).subscriptionInfo
                #expect(info.startFrom == "3" && info.namedConsumerStrategy == "RoundRobin" && info.messageTimeoutMilliseconds == 15_000)

                var list = EventStore_Client_PersistentSubscriptions_ListReq()
                list.options.listAllSubscriptions = EventStore_Client_Empty()
                #expect(try await ps.list(list).subscriptions.map(\.groupName) == ["g"])

                var delete = EventStore_Client_PersistentSubscriptions_DeleteReq()
                delete.options.groupName = "g"
                delete.options.streamIdentifier = ESDBWire.streamIdentifier("order-1")
                _ = try await ps.delete(delete)
                let missing = await #expect(throws: RPCError.self) { _ = try await ps.getInfo(get) }
                #expect(missing?.code == .notFound && missing?.message == "Subscription group 'g' on stream 'order-1' does not exist.")
                #expect(try await ps.list(list).subscriptions.isEmpty)
            }
        }
    }
}
