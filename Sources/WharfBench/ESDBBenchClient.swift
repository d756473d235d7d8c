import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import GRPCProtobuf
import WharfESDBProtocol
import WharfEvents

/// `wharf bench esdb`'s client of the EventStoreDB gRPC protocol: grpc-swift-2 over its NIO
/// HTTP/2 transport (h2c), so a compiled client on a real socket, making the calls the .NET and
/// Java clients make: BatchAppend (one long bidirectional call, appends under correlation ids)
/// for lists of events, Read for reads and catch-up subscriptions. It calls `GRPCClient` with
/// the method descriptors and messages of WharfESDBProtocol, which is all the generated client
/// stubs do (those are generated for the test target only; see Tools/esdb-codegen).
struct ESDBBenchClient: Sendable {
    typealias Streams = EventStore_Client_Streams_Streams
    typealias AppendReq = EventStore_Client_Streams_BatchAppendReq
    typealias AppendResp = EventStore_Client_Streams_BatchAppendResp
    typealias ReadReq = EventStore_Client_Streams_ReadReq

    let client: GRPCClient<HTTP2ClientTransport.Posix>

    /// A client on its own connection to `host:port` for the duration of `body`.
    static func connect<T: Sendable>(host: String, port: Int, _ body: @Sendable (ESDBBenchClient) async throws -> T) async throws -> T {
        let transport = try HTTP2ClientTransport.Posix(target: .dns(host: host, port: port), transportSecurity: .plaintext)
        return try await withGRPCClient(transport: transport) { client in try await body(ESDBBenchClient(client: client)) }
    }

    /// One BatchAppend call: `body` gets the channel its appends go into (in order: the server
    /// answers them in order on one call) and the server's answers. `first` are sent as the call
    /// opens, before any answer is awaited.
    func batchAppend<T: Sendable>(sending first: [AppendReq] = [],
                                  _ body: @escaping @Sendable (AsyncStream<AppendReq>.Continuation, RPCAsyncSequence<AppendResp, any Error>) async throws -> T) async throws -> T {
        let (requests, send) = AsyncStream.makeStream(of: AppendReq.self)
        for r in first { send.yield(r) }
        let request = StreamingClientRequest(of: AppendReq.self) { writer in
            for await r in requests { try await writer.write(r) }
        }
        return try await client.bidirectionalStreaming(
            request: request, descriptor: Streams.Method.BatchAppend.descriptor,
            serializer: ProtobufSerializer<AppendReq>(), deserializer: ProtobufDeserializer<AppendResp>(), options: .defaults
        ) { response in
            defer { send.finish() }
            return try await body(send, response.messages)
        }
    }

    /// A Read call (a page or a catch-up subscription); `body` consumes its messages, decoded as
    /// `BenchReadDeserializer` says.
    func read<T: Sendable>(_ options: ReadReq.Options, _ body: @escaping @Sendable (RPCAsyncSequence<BenchReadMessage, any Error>) async throws -> T) async throws -> T {
        var request = ReadReq()
        request.options = options
        return try await client.serverStreaming(
            request: ClientRequest(message: request), descriptor: Streams.Method.Read.descriptor,
            serializer: ProtobufSerializer<ReadReq>(), deserializer: BenchReadDeserializer(), options: .defaults
        ) { response in try await body(response.messages) }
    }

    /// An append of `events` to `stream` expecting `expected`, as one final chunk.
    static func append(_ stream: String, _ events: [(type: String, data: Data)], expected: ExpectedVersion) -> AppendReq {
        var request = AppendReq()
        request.correlationID.string = UUID().uuidString
        request.options.streamIdentifier.streamName = Data(stream.utf8)
        switch expected {
        case .exact(let revision): request.options.streamPosition = revision
        case .noStream: request.options.noStream = .init()
        case .streamExists: request.options.streamExists = .init()
        case .any: request.options.any = .init()
        }
        request.proposedMessages = events.map { e in
            var m = AppendReq.ProposedMessage()
            m.id.string = UUID().uuidString
            m.metadata = ["type": e.type, "content-type": "application/octet-stream"]
            m.data = e.data
            return m
        }
        request.isFinal = true
        return request
    }

    /// Read options: `stream` (nil: `$all`) from the start, forwards, no filter, UUIDs as strings.
    static func readOptions(_ stream: String?, subscription: Bool) -> ReadReq.Options {
        var options = ReadReq.Options()
        if let stream {
            options.stream.streamIdentifier.streamName = Data(stream.utf8)
            options.stream.start = .init()
        } else {
            options.all.start = .init()
        }
        if subscription { options.subscription = .init() } else { options.count = .max }
        options.readDirection = .forwards
        options.noFilter = .init()
        options.uuidOption.string = .init()
        return options
    }
}

extension EventStore_Client_Streams_BatchAppendResp {
    /// The refusal's text, nil for a success.
    var refusal: String? {
        if case .error(let status) = result { return "\(status.code): \(status.message)" }
        return nil
    }
}
