import NIOCore
import NIOHTTP1

/// One metrics connection, after NIO's HTTP/1.1 decoder, pipelining and error handlers: checks
/// each request against the limits and the one route, and answers it. The exposition is awaited
/// off the event loop; the answer is written back on it (`NIOLoopBound`).
final class MetricsHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let limits: MetricsListenerLimits
    private let exposition: @Sendable () async -> String
    private var head: HTTPRequestHead?
    private var requestBytes = 0
    /// The answer a request gets instead of the metrics, decided as soon as it is known.
    private var refusal: HTTPResponseStatus?
    private var deadline: Scheduled<Void>?

    init(limits: MetricsListenerLimits, exposition: @escaping @Sendable () async -> String) {
        self.limits = limits
        self.exposition = exposition
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { armDeadline(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        armDeadline(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        context.fireChannelInactive()
    }

    /// Closes the connection unless a whole request arrives within the request timeout.
    private func armDeadline(context: ChannelHandlerContext) {
        deadline?.cancel()
        let loopContext = NIOLoopBound(context, eventLoop: context.eventLoop)
        deadline = context.eventLoop.scheduleTask(in: .milliseconds(Int64(limits.requestTimeoutMs))) {
            loopContext.value.close(promise: nil)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
            refusal = nil
            requestBytes = h.uri.utf8.count + h.headers.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 4 }
            if requestBytes > limits.maxRequestBytes {
                refusal = .requestHeaderFieldsTooLarge
            } else if h.method != .GET && h.method != .HEAD {
                refusal = .methodNotAllowed
            } else if h.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first != "/metrics" {
                refusal = .notFound
            }
        case .body(let bytes):
            requestBytes += bytes.readableBytes
            if requestBytes > limits.maxRequestBytes, refusal == nil { refusal = .payloadTooLarge }
        case .end:
            deadline?.cancel()
            deadline = nil
            guard let head else { return }
            self.head = nil
            if let refusal {
                // An oversized request closes the connection: what follows it cannot be trusted to be a request.
                let close = refusal == .requestHeaderFieldsTooLarge || refusal == .payloadTooLarge || !head.isKeepAlive
                respond(context: context, head: head, status: refusal, body: Self.reason(refusal), close: close)
                return
            }
            let loopContext = NIOLoopBound(context, eventLoop: context.eventLoop)
            let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
            let exposition = self.exposition
            let eventLoop = context.eventLoop
            Task {
                let text = await exposition()
                eventLoop.execute {
                    handler.value.respond(context: loopContext.value, head: head, status: .ok, body: text, close: !head.isKeepAlive,
                                          contentType: "text/plain; version=0.0.4; charset=utf-8")
                }
            }
        }
    }

    private func respond(context: ChannelHandlerContext, head: HTTPRequestHead, status: HTTPResponseStatus, body: String, close: Bool,
                         contentType: String = "text/plain; charset=utf-8") {
        guard context.channel.isActive else { return }
        // Armed before the answer goes out: writing it releases a pipelined request, whose end disarms it again.
        if !close { armDeadline(context: context) }
        var buffer = context.channel.allocator.buffer(capacity: body.utf8.count)
        buffer.writeString(body)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Content-Length", value: String(buffer.readableBytes))
        if close { headers.add(name: "Connection", value: "close") }
        if status == .methodNotAllowed { headers.add(name: "Allow", value: "GET, HEAD") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        if head.method != .HEAD { context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil) }
        let loopContext = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            if close { loopContext.value.close(promise: nil) }
        }
    }

    static func reason(_ status: HTTPResponseStatus) -> String {
        switch status {
        case .notFound: "not found: metrics are at /metrics\n"
        case .methodNotAllowed: "only GET and HEAD are served\n"
        case .requestHeaderFieldsTooLarge, .payloadTooLarge: "request too large\n"
        default: "\(status.reasonPhrase)\n"
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
