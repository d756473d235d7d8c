import Foundation
import GRPCCore
import Logging
import WharfCore
import WharfESDBProtocol
import WharfEvents

/// `event_store.client.streams.Streams`: Append (one event per client call), BatchAppend (any
/// list), Read (streams, `$all`, `$ce-` categories; reads and catch-up subscriptions), Delete,
/// Tombstone. The semantics EventStoreDB defines differently from Wharf's are in `ESDBStreams`.
struct StreamsService: EventStore_Client_Streams_Streams.SimpleServiceProtocol {
    let streams: ESDBStreams
    let logger: Logger
    var store: EventStore { streams.store }

    init(store: EventStore, logger: Logger) {
        streams = ESDBStreams(store: store)
        self.logger = logger
    }

    func delete(request: EventStore_Client_Streams_DeleteReq, context: ServerContext) async throws -> EventStore_Client_Streams_DeleteResp {
        let stream = try wire { () throws(ESDBError) in try ESDBWire.streamName(request.options.streamIdentifier) }
        let expected = Self.expected(request.options.expectedStreamRevision)
        let position = try await wire(operation: "Delete") { () async throws(ESDBError) in
            try await streams.delete(stream: stream, expected: expected, tombstone: false)
        }
        var response = EventStore_Client_Streams_DeleteResp()
        response.position.commitPosition = ESDBWire.commitPosition(position)
        response.position.preparePosition = ESDBWire.commitPosition(position)
        return response
    }

    func tombstone(request: EventStore_Client_Streams_TombstoneReq, context: ServerContext) async throws -> EventStore_Client_Streams_TombstoneResp {
        let stream = try wire { () throws(ESDBError) in try ESDBWire.streamName(request.options.streamIdentifier) }
        let expected = Self.expected(request.options.expectedStreamRevision)
        let position = try await wire(operation: "Delete") { () async throws(ESDBError) in
            try await streams.delete(stream: stream, expected: expected, tombstone: true)
        }
        var response = EventStore_Client_Streams_TombstoneResp()
        response.position.commitPosition = ESDBWire.commitPosition(position)
        response.position.preparePosition = ESDBWire.commitPosition(position)
        return response
    }

    /// Client-streaming: the options first, then one message per event.
    func append(request: RPCAsyncSequence<EventStore_Client_Streams_AppendReq, any Error>, context: ServerContext) async throws -> EventStore_Client_Streams_AppendResp {
        var options: EventStore_Client_Streams_AppendReq.Options?
        var events: [EventData] = []
        var size = 0
        for try await message in request {
            switch message.content {
            case .options(let o):
                guard options == nil else { throw ESDBError.badRequest("Append options were sent twice").rpcError(operation: "Append") }
                options = o
            case .proposedMessage(let m):
                guard options != nil else { throw ESDBError.badRequest("Append options must come first").rpcError(operation: "Append") }
                size = size &+ m.data.count &+ m.customMetadata.count
                guard size <= ESDBLimits.maxAppendSize else {
                    throw ESDBError.maximumAppendSizeExceeded(ESDBLimits.maxAppendSize).rpcError(operation: "Append")
                }
                events.append(try wire(operation: "Append") { () throws(ESDBError) in
                    try ESDBWire.eventData(id: m.id, metadata: m.metadata, customMetadata: m.customMetadata, data: m.data)
                })
            case nil:
                throw ESDBError.badRequest("an AppendReq without content").rpcError(operation: "Append")
            }
        }
        guard let options else { throw ESDBError.badRequest("Append options are missing").rpcError(operation: "Append") }
        let stream = try wire { () throws(ESDBError) in try ESDBWire.streamName(options.streamIdentifier) }
        let expected = Self.expected(options.expectedStreamRevision)
        var response = EventStore_Client_Streams_AppendResp()
        do {
            var success = EventStore_Client_Streams_AppendResp.Success()
            if events.isEmpty {
                if let current = try streams.checkEmptyAppend(stream: stream, expected: expected) { success.currentRevision = current } else {
                    success.noStream = EventStore_Client_Empty()
                }
                success.noPosition = EventStore_Client_Empty()
            } else {
                let result = try await streams.append(stream: stream, events: events, expected: expected)
                success.currentRevision = result.nextExpectedVersion
                success.position.commitPosition = ESDBWire.commitPosition(result.position)
                success.position.preparePosition = ESDBWire.commitPosition(result.position)
            }
            response.success = success
        } catch .wrongExpectedVersion(_, let expected, let actual) {
            // A result, not a gRPC error: the clients build their own message from it.
            response.wrongExpectedVersion = Self.wrongExpectedVersion(expected: expected, actual: actual)
        } catch {
            throw error.rpcError(operation: "Append")
        }
        return response
    }

    static func wrongExpectedVersion(expected: ExpectedVersion, actual: UInt64?) -> EventStore_Client_Streams_AppendResp.WrongExpectedVersion {
        var wev = EventStore_Client_Streams_AppendResp.WrongExpectedVersion()
        // Both encodings: clients older than 20.6 read the first set.
        if let actual {
            wev.currentRevision = actual
            wev.currentRevision2060 = actual
        } else {
            wev.currentNoStream = EventStore_Client_Empty()
            wev.noStream2060 = EventStore_Client_Empty()
        }
        switch expected {
        case .exact(let n):
            wev.expectedRevision = n
            wev.expectedRevision2060 = n
        case .any:
            wev.expectedAny = EventStore_Client_Empty()
            wev.any2060 = EventStore_Client_Empty()
        case .streamExists:
            wev.expectedStreamExists = EventStore_Client_Empty()
            wev.streamExists2060 = EventStore_Client_Empty()
        case .noStream:
            wev.expectedNoStream = EventStore_Client_Empty()
        }
        return wev
    }

    static func expected(_ option: EventStore_Client_Streams_AppendReq.Options.OneOf_ExpectedStreamRevision?) -> ExpectedVersion {
        switch option {
        case .revision(let n): .exact(n)
        case .noStream: .noStream
        case .streamExists: .streamExists
        case .any, nil: .any
        }
    }

    static func expected(_ option: EventStore_Client_Streams_DeleteReq.Options.OneOf_ExpectedStreamRevision?) -> ExpectedVersion {
        switch option {
        case .revision(let n): .exact(n)
        case .noStream: .noStream
        case .streamExists: .streamExists
        case .any, nil: .any
        }
    }

    static func expected(_ option: EventStore_Client_Streams_TombstoneReq.Options.OneOf_ExpectedStreamRevision?) -> ExpectedVersion {
        switch option {
        case .revision(let n): .exact(n)
        case .noStream: .noStream
        case .streamExists: .streamExists
        case .any, nil: .any
        }
    }

    /// Runs protocol logic, turning its error into the gRPC status the clients expect.
    func wire<T>(operation: String = "Read", _ body: () throws(ESDBError) -> T) throws(RPCError) -> T {
        do { return try body() } catch { throw error.rpcError(operation: operation) }
    }

    func wire<T>(operation: String, _ body: () async throws(ESDBError) -> T) async throws(RPCError) -> T {
        do { return try await body() } catch { throw error.rpcError(operation: operation) }
    }
}
