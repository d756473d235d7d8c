import Logging
import NIOCore
import WharfAMQP
import WharfCore
import WharfEngine

/// The NIO side of one AMQP connection: frames the inbound bytes (the header/frame switch
/// depends on the connection's phase, so framing and state machine share this handler), feeds
/// `AMQPConnection`, writes what it produced, and drives its timers: deliveries to receivers
/// every `pumpInterval`, and the connection's idle duties (heartbeats, silent clients) as often.
///
/// Backpressure: frames are handled synchronously as they are read; while the socket is not
/// writable (the client is not reading what Wharf sends) no deliveries are pushed and the
/// socket is not read either, so a client that sends requests without reading the answers
/// cannot make Wharf buffer without bound. Nor is it read while more than
/// `AMQPConnection.maxSendsAwaitingDurability` of its sends wait for an fdatasync, or more than
/// `maxRequestsOffLoop` of its `$management` requests are performed off the loop (a stalled
/// disk holds the client back, as it did when the loop waited for the disk itself).
final class AMQPChannelHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    static let pumpInterval = TimeAmount.milliseconds(50)

    private let connection: AMQPConnection
    private let limits: AMQPListenerLimits
    private let wakeups: AMQPReceiverWakeups
    private var buffer: ByteBuffer?
    private var timer: RepeatedTask?

    init(connection: AMQPConnection, limits: AMQPListenerLimits, wakeups: AMQPReceiverWakeups) {
        self.connection = connection
        self.limits = limits
        self.wakeups = wakeups
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleRepeatedTask(initialDelay: Self.pumpInterval, delay: Self.pumpInterval) { _ in
            let (handler, context) = bound.value
            handler.tick(context: context)
        }
        // Answers that waited for an fdatasync, or for work off the loop, come back here on the loop.
        // Unset in handlerRemoved, which breaks the connection -> handler cycle.
        let loop = context.eventLoop
        connection.awaitDurable = { wait, answer in
            let answer = NIOLoopBound(answer, eventLoop: loop)
            wait { failure in
                loop.execute {
                    answer.value(failure)
                    let (handler, context) = bound.value
                    handler.answersReady(context: context)
                }
            }
        }
        // Unregistered in handlerRemoved, which breaks this handler <-> registry cycle.
        wakeups.register(ObjectIdentifier(self), on: context.eventLoop) { [self] in
            guard context.channel.isActive, context.channel.isWritable else { return }
            connection.pumpAll()
            flush(context: context)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        wakeups.unregister(ObjectIdentifier(self))
        connection.awaitDurable = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        connection.connectionClosed()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        if buffer == nil { buffer = incoming } else { buffer!.writeBuffer(&incoming) }
        // The frames are parsed in place and the consumed bytes dropped once per read: a copy
        // of the buffer per frame made a read of n frames cost O(n^2) bytes moved.
        while let readable = buffer?.readableBytes, readable > 0, !connection.shouldClose {
            let parsed: (AMQPInbound, consumed: Int)?
            do {
                let expectHeader = connection.expectsHeader
                let max = limits.maxFrameSize
                parsed = try buffer!.withUnsafeReadableBytes { raw in try AMQPFraming.parse(raw, expectHeader: expectHeader, maxFrameSize: max) }
            } catch {
                connection.fail(AMQPError(AMQPError.framingError, "\(error)"))
                break
            }
            guard let (item, consumed) = parsed else { break }
            buffer!.moveReaderIndex(forwardBy: consumed)
            connection.receive(item)
        }
        if buffer?.readableBytes == 0 { buffer = nil } else { buffer?.discardReadBytes() }
        connection.endOfRead()
        flushAndWake(context: context)
        if connection.holdsReading { setReading(context, false) }
    }

    /// Answers the connection owed (for durable sends and settlements, for requests performed
    /// off the loop) are in its output.
    private func answersReady(context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        flushAndWake(context: context)
        if !connection.holdsReading, context.channel.isWritable {
            setReading(context, true)
        }
    }

    /// Writes what the connection produced; when it stored messages, delivers them to this
    /// connection's receivers and wakes the other connections'.
    private func flushAndWake(context: ChannelHandlerContext) {
        flush(context: context)
        if connection.storedMessages {
            connection.storedMessages = false
            if context.channel.isWritable { connection.pumpAll() }
            flush(context: context)
            wakeups.wakeAll(except: ObjectIdentifier(self))
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        setReading(context, context.channel.isWritable && !connection.holdsReading)
        context.fireChannelWritabilityChanged()
    }

    private func setReading(_ context: ChannelHandlerContext, _ on: Bool) {
        // Turning autoRead back on also asks for the next read.
        try? context.channel.syncOptions?.setOption(ChannelOptions.autoRead, value: on)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }

    private func tick(context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        if context.channel.isWritable { connection.pumpAll() }
        connection.checkIdle()
        flush(context: context)
    }

    private func flush(context: ChannelHandlerContext) {
        if !connection.output.isEmpty {
            // One buffer (one write) for everything this turn produced, not one per frame.
            var out = context.channel.allocator.buffer(capacity: connection.output.reduce(0) { $0 + $1.count })
            for bytes in connection.output { out.writeBytes(bytes) }
            context.write(wrapOutboundOut(out), promise: nil)
            connection.output.removeAll(keepingCapacity: true)
            context.flush()
            if !context.channel.isWritable { setReading(context, false) }
        }
        if connection.shouldClose {
            timer?.cancel()
            context.close(promise: nil)
        }
    }
}
