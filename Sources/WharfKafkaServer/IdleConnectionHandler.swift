import NIOCore
import WharfCore

/// Kafka's `connections.max.idle.ms`, measured on the engine's clock: remembers when the
/// connection last read or wrote anything, and when its listener runs the idle check
/// (`IdleConnections`) with the limit passed, tells the handlers behind it with a
/// `ConnectionIdleEvent` (`KafkaConnectionHandler` decides whether to close).
///
/// It sits first in the pipeline, outside TLS, so a client stuck in its handshake is idle too.
/// Time comes from the injected `WallClock`, not from timers of its own: a test moves a
/// `ManualClock` past the limit and runs the check, instead of sleeping through the limit and
/// hoping a loaded machine keeps to it. (In production that is the system's wall clock, as for
/// the engine's session timeouts: a step of the system time moves the limit with it, where
/// Kafka's monotonic clock would not.) As NIO's `IdleStateHandler` did, the event is sent at
/// every check while the connection stays idle (the connection handler keeps a connection
/// with a request in progress, and closes it once that client stops reading).
final class IdleConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = NIOAny
    typealias InboundOut = NIOAny
    typealias OutboundIn = NIOAny
    typealias OutboundOut = NIOAny

    private let limitMillis: Int64
    private let clock: any WallClock
    private let connections: IdleConnections
    private var lastActivity: Int64
    private var context: ChannelHandlerContext?
    private var registration: IdleConnections.Registration?

    init(limitMillis: Int64, clock: any WallClock, connections: IdleConnections) {
        self.limitMillis = limitMillis
        self.clock = clock
        self.connections = connections
        lastActivity = clock.nowMillis()
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        lastActivity = clock.nowMillis()
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let loop = context.eventLoop
        registration = connections.register { loop.submit { handler.value.checkIdle() } }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        if let registration { connections.unregister(registration) }
        registration = nil
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lastActivity = clock.nowMillis()
        context.fireChannelRead(data)
    }

    /// An answer counts when it is handed to the socket, and the socket becoming writable again
    /// (a slow reader draining a large answer) counts too. A client that stops reading makes
    /// neither happen, so it becomes idle while its answers wait. (Not when the write completes:
    /// the client can have the bytes before that callback runs, and a test that then moves the
    /// clock would see the activity land after it.)
    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        lastActivity = clock.nowMillis()
        context.write(data, promise: promise)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { lastActivity = clock.nowMillis() }
        context.fireChannelWritabilityChanged()
    }

    /// Sends `ConnectionIdleEvent` down the pipeline if nothing moved for the limit.
    private func checkIdle() {
        guard let context, context.channel.isActive else { return }
        guard clock.nowMillis() &- lastActivity >= limitMillis else { return }
        context.fireUserInboundEventTriggered(ConnectionIdleEvent())
    }
}

/// Nothing was read or written on the connection for `connections.max.idle.ms`.
struct ConnectionIdleEvent {}
