import GRPCCore
import GRPCProtobuf
import WharfESDBProtocol

/// What a Read call sends: a SwiftProtobuf ReadResp (confirmation, caught-up, checkpoint, not
/// found), or an event whose bytes `ReadEventWire` writes itself.
enum ReadMessage: Sendable {
    case message(EventStore_Client_Streams_ReadResp)
    case event(ReadEventWire)

    /// As a SwiftProtobuf message (the generated Read route, which only takes those).
    var protobuf: EventStore_Client_Streams_ReadResp {
        switch self {
        case .message(let m): m
        case .event(let e): e.message
        }
    }
}

/// Read's serializer (`StreamsRoutes`): an event's bytes go straight into the transport's buffer.
struct ReadMessageSerializer: MessageSerializer {
    func serialize<Bytes: GRPCContiguousBytes>(_ message: ReadMessage) throws -> Bytes {
        switch message {
        case .message(let m):
            return try ProtobufSerializer<EventStore_Client_Streams_ReadResp>().serialize(m)
        case .event(let e):
            var bytes = Bytes(repeating: 0, count: e.size)
            bytes.withUnsafeMutableBytes { e.write(into: $0) }
            return bytes
        }
    }
}

/// A ReadResp writer seen as a ReadMessage writer (the generated route's writer).
struct ReadRespWriter: RPCWriterProtocol {
    let base: RPCWriter<EventStore_Client_Streams_ReadResp>

    func write(_ element: ReadMessage) async throws {
        try await base.write(element.protobuf)
    }

    func write(contentsOf elements: some Sequence<ReadMessage>) async throws {
        try await base.write(contentsOf: elements.map(\.protobuf))
    }
}

/// The Streams service's routes: those generated, with Read's replaced by one that takes
/// `ReadMessage`s (`ReadMessageSerializer`); the router keeps the last handler registered for
/// a method, and the server's interceptors apply to it like to the others.
struct StreamsRoutes: RegistrableRPCService {
    let service: StreamsService

    func registerMethods<Transport: ServerTransport>(with router: inout RPCRouter<Transport>) {
        service.registerMethods(with: &router)
        let service = service
        router.registerHandler(
            forMethod: EventStore_Client_Streams_Streams.Method.Read.descriptor,
            deserializer: ProtobufDeserializer<EventStore_Client_Streams_ReadReq>(),
            serializer: ReadMessageSerializer()
        ) { request, context in
            let single = try await ServerRequest(stream: request)
            return StreamingServerResponse(metadata: [:]) { writer in
                try await service.read(request: single.message, to: writer, context: context)
                return [:]
            }
        }
    }
}
