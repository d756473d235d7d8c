import NIOCore
import NIOHPACK
import NIOHTTP2
import NIOPosix
import SwiftProtobuf
import WharfCore
import WharfESDBProtocol

/// `wharf bench esdb --client h2`'s reads: gRPC over h2c on swift-nio-http2 directly, standing
/// for a compiled client without grpc-swift-2's per-message path (an async sequence step, task
/// allocations and unspecialised generics per message, which cost the grpc-swift-2 mode more
/// CPU per event than the server spends). One HTTP/2 connection; each call is one stream
/// (`ESDBH2ReadHandler`), its messages decoded on the connection's event loop by the same hand
/// decoder (`ProtoReader`) and handed to a `BenchReadConsumer`. The HTTP/2 settings are
/// grpc-swift-nio-transport's client defaults (8 MB stream and connection windows, 16 KB frames,
/// no push), so the two modes differ in the client's code, not in what crosses the wire.
final class ESDBH2ReadClient: Sendable {
    static let readPath = "/event_store.client.streams.Streams/Read"
    static let windowSize = 8 << 20

    private let channel: any Channel
    private let multiplexer: NIOHTTP2Handler.StreamMultiplexer
    private let authority: String

    private init(channel: any Channel, multiplexer: NIOHTTP2Handler.StreamMultiplexer, authority: String) {
        self.channel = channel
        self.multiplexer = multiplexer
        self.authority = authority
    }

    /// A client on its own connection to `host:port` for the duration of `body`.
    static func connect<T: Sendable>(host: String, port: Int, _ body: (ESDBH2ReadClient) async throws -> T) async throws -> T {
        var connection = NIOHTTP2Handler.ConnectionConfiguration()
        connection.targetWindowSize = windowSize
        connection.initialSettings = [
            HTTP2Setting(parameter: .enablePush, value: 0),
            HTTP2Setting(parameter: .initialWindowSize, value: windowSize),
            HTTP2Setting(parameter: .maxFrameSize, value: 1 << 14),
            HTTP2Setting(parameter: .maxHeaderListSize, value: HPACKDecoder.defaultMaxHeaderListSize),
        ]
        var stream = NIOHTTP2Handler.StreamConfiguration()
        stream.targetWindowSize = windowSize
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { [connection, stream] channel in
                channel.eventLoop.makeCompletedFuture {
                    // The server opens no streams (push is off): any it tries is closed.
                    _ = try channel.pipeline.syncOperations.configureHTTP2Pipeline(
                        mode: .client, connectionConfiguration: connection, streamConfiguration: stream) { $0.close() }
                }
            }
            .connect(host: host, port: port).get()
        return try await withAsyncCleanup {
            let multiplexer = try await channel.eventLoop.submit {
                try channel.pipeline.syncOperations.handler(type: NIOHTTP2Handler.self).syncMultiplexer()
            }.get()
            return try await body(ESDBH2ReadClient(channel: channel, multiplexer: multiplexer, authority: "\(host):\(port)"))
        } cleanup: {
            try? await channel.close()
        }
    }

    /// A Read call with `options`; returns `consumer` as it stands when the call completed (its
    /// trailers with status 0, or `consumer` saying the read is done).
    func read<C: BenchReadConsumer>(_ options: ESDBBenchClient.ReadReq.Options, into consumer: C) async throws -> C {
        var request = ESDBBenchClient.ReadReq()
        request.options = options
        return try await call(path: Self.readPath, request: request, into: consumer)
    }

    /// A server-streaming call of `path` with one request message.
    func call<C: BenchReadConsumer>(path: String, request: some SwiftProtobuf.Message, into consumer: C) async throws -> C {
        let bytes: [UInt8] = try request.serializedBytes()
        var framed = channel.allocator.buffer(capacity: ESDBH2ReadHandler<C>.prefixLength + bytes.count)
        framed.writeInteger(UInt8(0))
        framed.writeInteger(UInt32(bytes.count))
        framed.writeBytes(bytes)
        let headers = requestHeaders(path: path)
        let promise = channel.eventLoop.makePromise(of: C.self)
        multiplexer.createStreamChannel { [framed] stream in
            stream.eventLoop.makeCompletedFuture {
                try stream.pipeline.syncOperations.addHandler(
                    ESDBH2ReadHandler(headers: headers, request: framed, consumer: consumer, promise: promise))
            }
        }.whenFailure { promise.fail($0) }
        return try await promise.futureResult.get()
    }

    /// gRPC's request headers (the pseudo-headers first, as HTTP/2 requires).
    func requestHeaders(path: String) -> HPACKHeaders {
        [":method": "POST", ":scheme": "http", ":path": path, ":authority": authority,
         "content-type": "application/grpc", "te": "trailers", "user-agent": "wharf-bench-h2"]
    }
}
