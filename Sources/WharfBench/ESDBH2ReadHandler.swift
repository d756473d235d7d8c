import NIOCore
import NIOHPACK
import NIOHTTP2

/// A gRPC call's failure as the h2 client sees it: a `grpc-status` other than 0 in the
/// trailers (`status`, with `grpc-message` and EventStoreDB's `exception` key), or a broken
/// exchange (no status: a reset stream, a closed connection, a malformed response).
public struct ESDBH2CallError: Error, CustomStringConvertible {
    public let status: Int?
    public let description: String
}

/// One server-streaming gRPC call on its own HTTP/2 stream channel, as a compiled client makes
/// it: on activation the request HEADERS (`ESDBH2ReadClient.requestHeaders`) and one DATA frame
/// with the length-prefixed request, ending the stream; then the response headers (`:status`
/// 200, `content-type: application/grpc`), the length-prefixed messages however the DATA frames
/// split them, each decoded by `ProtoReader` and handed to `Consumer`, and the trailers, whose
/// `grpc-status` must be 0 (a trailers-only answer too). Flow control: NIOHTTP2's stream channel
/// sends WINDOW_UPDATEs as frames are delivered to this handler, which consumes them at once.
///
/// Messages are decoded where they lie in the frame's buffer; only a message split across
/// frames is copied (its pieces, into one buffer kept for the call). When `Consumer` says the
/// read is complete the stream is closed (RST_STREAM CANCEL, as a client cancels a
/// subscription) and the promise gets the consumer.
final class ESDBH2ReadHandler<Consumer: BenchReadConsumer>: ChannelInboundHandler {
    typealias InboundIn = HTTP2Frame.FramePayload
    typealias OutboundOut = HTTP2Frame.FramePayload

    /// gRPC's length prefix: a compressed flag and a 4-byte big-endian length.
    static var prefixLength: Int { 5 }
    /// Larger announced messages fail the call (the server's messages are a few hundred bytes;
    /// this bounds what an untrusted length can make the client buffer).
    static var maxMessageLength: Int { 16 << 20 }

    private let headers: HPACKHeaders
    private var request: ByteBuffer?
    private var consumer: Consumer
    private let promise: EventLoopPromise<Consumer>
    /// The start of a message the DATA frames so far have not completed.
    private var partial = ByteBuffer()
    private var sawResponseHeaders = false
    private var finished = false

    init(headers: HPACKHeaders, request: ByteBuffer, consumer: Consumer, promise: EventLoopPromise<Consumer>) {
        self.headers = headers
        self.request = request
        self.consumer = consumer
        self.promise = promise
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { sendRequest(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        sendRequest(context)
        context.fireChannelActive()
    }

    private func sendRequest(_ context: ChannelHandlerContext) {
        guard let request else { return }
        self.request = nil
        context.write(wrapOutboundOut(.headers(.init(headers: headers))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.data(.init(data: .byteBuffer(request), endStream: true))), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !finished else { return }
        do {
            switch unwrapInboundIn(data) {
            case .headers(let frame):
                if sawResponseHeaders {
                    try trailers(frame.headers, context: context)
                } else {
                    sawResponseHeaders = true
                    try responseHeaders(frame.headers)
                    if frame.endStream { try trailers(frame.headers, context: context) }
                }
            case .data(let frame):
                guard sawResponseHeaders else { throw broken("DATA before the response headers") }
                guard case .byteBuffer(var bytes) = frame.data else { throw broken("DATA that is not a buffer") }
                try deframe(&bytes, context: context)
                if frame.endStream, !finished { throw broken("the response ended without trailers") }
            case .rstStream(let code):
                throw broken("the server reset the stream (\(code))")
            default:
                break
            }
        } catch {
            finish(.failure(error), context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !finished {
            finished = true
            promise.fail(broken("the stream closed before its trailers"))
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(.failure(error), context: context)
    }

    private func responseHeaders(_ h: HPACKHeaders) throws {
        guard h.first(name: ":status") == "200" else { throw broken("HTTP status \(h.first(name: ":status") ?? "none")") }
        guard let type = h.first(name: "content-type"), type.hasPrefix("application/grpc") else {
            throw broken("content-type \(h.first(name: "content-type") ?? "none")")
        }
    }

    private func trailers(_ h: HPACKHeaders, context: ChannelHandlerContext) throws {
        guard let text = h.first(name: "grpc-status"), let status = Int(text) else { throw broken("trailers without a grpc-status") }
        guard status == 0 else {
            var message = "grpc-status \(status): \(h.first(name: "grpc-message") ?? "")"
            if let exception = h.first(name: "exception") { message += " (exception \(exception))" }
            throw ESDBH2CallError(status: status, description: message)
        }
        guard partial.readableBytes == 0 else { throw broken("the call ended inside a message") }
        finish(.success(consumer), context: context)
    }

    /// Delivers the whole messages in `bytes`, after completing a split one from its start.
    private func deframe(_ bytes: inout ByteBuffer, context: ChannelHandlerContext) throws {
        while partial.readableBytes > 0, bytes.readableBytes > 0 {
            let missing = try Self.missing(in: partial)
            var piece = bytes.readSlice(length: min(missing, bytes.readableBytes))!
            partial.writeBuffer(&piece)
            if try deliver(&partial, context: context) { return }
            if partial.readableBytes == 0 { partial.clear() }
        }
        if try deliver(&bytes, context: context) { return }
        if bytes.readableBytes > 0 { partial.writeBuffer(&bytes) }
    }

    /// Bytes `buffer` (the start of one message) lacks to hold the prefix, or the whole message.
    private static func missing(in buffer: ByteBuffer) throws -> Int {
        guard buffer.readableBytes >= prefixLength else { return prefixLength - buffer.readableBytes }
        return prefixLength + (try length(in: buffer)) - buffer.readableBytes
    }

    /// The length of the message whose prefix starts `buffer` (at least `prefixLength` bytes).
    private static func length(in buffer: ByteBuffer) throws -> Int {
        let at = buffer.readerIndex
        guard buffer.getInteger(at: at, as: UInt8.self) == 0 else { throw broken("a compressed message (none was asked for)") }
        let length = Int(buffer.getInteger(at: at + 1, as: UInt32.self)!)
        guard length <= maxMessageLength else { throw broken("a message of \(length) bytes") }
        return length
    }

    /// Decodes and hands on each whole message at the front of `buffer`; true when the
    /// consumer completed the read (the call is then finished).
    private func deliver(_ buffer: inout ByteBuffer, context: ChannelHandlerContext) throws -> Bool {
        while buffer.readableBytes >= Self.prefixLength {
            let length = try Self.length(in: buffer)
            let total = Self.prefixLength + length
            guard buffer.readableBytes >= total else { return false }
            let done = try buffer.withUnsafeReadableBytes { raw in
                var reader = ProtoReader(raw, from: Self.prefixLength, to: total)
                return try consumer.take(reader.readResp())
            }
            buffer.moveReaderIndex(forwardBy: total)
            if done {
                finish(.success(consumer), context: context)
                return true
            }
        }
        return false
    }

    /// Completes the call once; closing the stream channel resets it if it is still open.
    private func finish(_ result: Result<Consumer, any Error>, context: ChannelHandlerContext) {
        guard !finished else { return }
        finished = true
        promise.completeWith(result)
        context.close(promise: nil)
    }

    private static func broken(_ what: String) -> ESDBH2CallError { ESDBH2CallError(status: nil, description: "gRPC call: \(what)") }
    private func broken(_ what: String) -> ESDBH2CallError { Self.broken(what) }
}
