import Logging
import Synchronization
import KafkaProtocol
import NIOCore
import WharfCore

/// Runs one connection's requests strictly in order on a task of its own and writes each answer
/// back; the broker's work (which may wait: long-poll fetches, group joins) never blocks the
/// event loop.
final class KafkaConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = [UInt8]

    private let broker: KafkaBroker
    private let logger: Logger
    private let connections: ConnectionCounter
    private var continuation: AsyncStream<[UInt8]>.Continuation?
    private var worker: Task<Void, Never>?

    init(broker: KafkaBroker, logger: Logger, connections: ConnectionCounter) {
        self.broker = broker
        self.logger = logger
        self.connections = connections
    }

    func channelActive(context: ChannelHandlerContext) {
        connections.value.wrappingAdd(1, ordering: .relaxed)
        let (stream, continuation) = AsyncStream<[UInt8]>.makeStream()
        self.continuation = continuation
        let channel = context.channel
        let broker = self.broker
        let logger = self.logger
        let peer = "\(channel.remoteAddress.map { "\($0)" } ?? "?")"
        worker = Task {
            for await payload in stream {
                switch await broker.handle(payload) {
                case .respond(let frame):
                    channel.writeAndFlush(ByteBuffer(bytes: frame), promise: nil)
                case .noResponse:
                    continue
                case .close(let reason):
                    logger.warning("closing kafka connection", metadata: ["peer": "\(peer)", "reason": "\(reason)"])
                    channel.close(promise: nil)
                    return
                }
            }
        }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        continuation?.yield(unwrapInboundIn(data))
    }

    func channelInactive(context: ChannelHandlerContext) {
        connections.value.wrappingSubtract(1, ordering: .relaxed)
        continuation?.finish()
        continuation = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        logger.warning("kafka connection error; closing it", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }
}

/// Live connection count, shared by the server and its connection handlers.
final class ConnectionCounter: Sendable {
    let value = Atomic<Int>(0)
}
