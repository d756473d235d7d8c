import KafkaProtocol
import NIOCore
import WharfCore

/// One request on its way out: the frame and the promise its response payload completes.
struct PendingRequest: Sendable {
    let correlationId: Int32
    let frame: [UInt8]
    let timeoutMs: Int
    let describe: @Sendable () -> KafkaClientError
    let promise: EventLoopPromise<[UInt8]>
}

/// Matches responses to requests by correlation id, so many requests can be in flight on one
/// connection (pipelining). Lives on the channel's event loop: the table needs no lock.
final class ResponseDispatcher: ChannelDuplexHandler {
    typealias InboundIn = [UInt8]
    typealias OutboundIn = PendingRequest
    typealias OutboundOut = ByteBuffer

    private var inFlight: [Int32: EventLoopPromise<[UInt8]>] = [:]
    private let address: String
    /// Turns a transport error (a TLS alert after the handshake, say) into its one-line meaning.
    private let explain: @Sendable (any Error) -> KafkaClientError?

    init(address: String, explain: @escaping @Sendable (any Error) -> KafkaClientError? = { _ in nil }) {
        self.address = address
        self.explain = explain
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        inFlight[request.correlationId] = request.promise
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        let id = request.correlationId
        let timeoutError = request.describe()
        // The timer fails only a request still waiting; an answer that arrives later is dropped.
        context.eventLoop.scheduleTask(in: .milliseconds(Int64(request.timeoutMs))) {
            loopBound.value.inFlight.removeValue(forKey: id)?.fail(timeoutError)
        }
        context.write(wrapOutboundOut(context.channel.allocator.buffer(bytes: request.frame)), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let payload = unwrapInboundIn(data)
        guard payload.count >= 4 else { return }
        let id = Int32(bitPattern: UInt32(payload[0]) << 24 | UInt32(payload[1]) << 16 | UInt32(payload[2]) << 8 | UInt32(payload[3]))
        inFlight.removeValue(forKey: id)?.succeed(payload)
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(.connectionClosed(address: address))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        failAll(explain(error) ?? .malformed("\(address): \(error)"))
        context.close(promise: nil)
    }

    private func failAll(_ error: KafkaClientError) {
        let pending = inFlight
        inFlight.removeAll()
        for p in pending.values { p.fail(error) }
    }
}
