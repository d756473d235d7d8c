import KafkaProtocol
import Logging
import NIOCore
import NIOSSL
import NIOTLS
import WharfCore
import WharfStorage

/// One connection: splits the socket's bytes into request frames, hands them to a worker task
/// that starts them strictly in order (the broker's work may wait: long-poll fetches, group
/// joins; it never blocks the event loop), and writes each answer back in that order (a
/// Produce's answer may wait for its fdatasync while later requests start: see `serve`).
///
/// Backpressure, so that no client can make the listener hold more than its
/// `KafkaListenerLimits`: frames are taken out of the received bytes only while the
/// `RequestQueue` has room, and reading the socket stops (`autoRead` off) while it has none;
/// the writer hands out the next answer only while the channel is writable (`WritabilityGate`).
/// A closed connection cancels the worker, so a parked long-poll or JoinGroup stops waiting
/// and nothing queued behind it runs. An idle connection (`connections.max.idle.ms`, reported
/// by the `IdleConnectionHandler` in front) is closed unless a request is in progress for a client
/// that is within its limits (reading its answers, not muted).
///
/// All methods run on the channel's event loop; the worker reaches the handler only through
/// `eventLoop.execute` (`NIOLoopBound`).
final class KafkaConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let broker: KafkaBroker
    private let listener: KafkaListenerAddress
    /// `--advertised-host`, which wins over the listener's own host.
    private let advertisedHost: String?
    private var state: KafkaConnectionState?
    private let logger: Logger
    private let gauges: ListenerGauges
    private let frames: KafkaFrameDecoder
    private let queue: RequestQueue
    private let gate = WritabilityGate()
    /// Bytes read from the socket and not yet taken out as frames: at most one partial frame,
    /// plus one read's worth while the queue is full.
    private var received = ByteBuffer()
    private var reading = true
    private var worker: Task<Void, Never>?
    /// `KafkaServer.Configuration.requestExecutor`.
    private let executor: (any TaskExecutor)?

    init(broker: KafkaBroker, listener: KafkaListenerAddress, advertisedHost: String?, limits: KafkaListenerLimits,
         logger: Logger, gauges: ListenerGauges, executor: (any TaskExecutor)? = nil) {
        self.executor = executor
        self.broker = broker
        self.listener = listener
        self.advertisedHost = advertisedHost
        self.logger = logger
        self.gauges = gauges
        frames = KafkaFrameDecoder(maxFrameSize: limits.socketRequestMaxBytes)
        queue = RequestQueue(limits: limits, gauges: gauges)
    }

    func channelActive(context: ChannelHandlerContext) {
        let channel = context.channel
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let loopContext = NIOLoopBound(context, eventLoop: context.eventLoop)
        let resumeReading: @Sendable () -> Void = {
            channel.eventLoop.execute { handler.value.takeFrames(context: loopContext.value) }
        }
        let peer = "\(channel.remoteAddress.map { "\($0)" } ?? "?")"
        // On a wildcard listener the address this client reached is the one to give back.
        let local = channel.localAddress
        let host = advertisedHost ?? (listener.isWildcard ? local?.ipAddress ?? listener.host : listener.host)
        let state = KafkaConnectionState(KafkaConnectionInfo(
            security: listener.security, advertisedHost: host, advertisedPort: Int32(clamping: local?.port ?? listener.port)))
        self.state = state
        let (broker, logger, gauges, queue, gate) = (self.broker, self.logger, self.gauges, self.queue, self.gate)
        // Without an executor of the caller's, the record path runs on this event loop and the
        // other APIs on the global executor (see `EventLoopTaskExecutor`).
        let offRecordPath: (any TaskExecutor)? = executor == nil ? globalConcurrentExecutor : nil
        let task = Task(executorPreference: executor ?? EventLoopTaskExecutor(context.eventLoop)) {
            await KafkaConnectionHandler.serve(queue: queue, gate: gate, broker: broker, state: state, channel: channel, gauges: gauges,
                                               logger: logger, peer: peer, offRecordPath: offRecordPath, resumeReading: resumeReading)
        }
        worker = task
        gauges.workers.add(task, for: ObjectIdentifier(self))
        context.fireChannelActive()
    }

    /// The worker: starts the connection's requests in order until it closes, and hands their
    /// answers to a writer that sends them in the same order. A Produce under `--fsync always`
    /// is started (written) at once and answered after its group commit, so the next requests
    /// run meanwhile: pipelining, bounded by the `RequestQueue` (a request counts until its
    /// answer is handed to the socket).
    private static func serve(queue: RequestQueue, gate: WritabilityGate, broker: KafkaBroker, state: KafkaConnectionState, channel: any Channel,
                              gauges: ListenerGauges, logger: Logger, peer: String, offRecordPath: (any TaskExecutor)?,
                              resumeReading: @escaping @Sendable () -> Void) async {
        let (answers, answering) = AsyncStream.makeStream(of: (KafkaBroker.Started, Int, RequestTiming).self)
        let backlog = AnswerBacklog()
        let deliverer = AnswerDeliverer(queue: queue, gate: gate, channel: channel, gauges: gauges, logger: logger, peer: peer,
                                        resumeReading: resumeReading)
        var session = ConnectionSession(peer: peer, connection: state.current)
        // On the listener's loop (no executor of the caller's), an `always` round may run there
        // (`LogSyncer`); a caller's executor may be the concurrency pool, which must never block
        // on a disk. The round is queued twice over, so that it runs behind the jobs the requests
        // already read queue in turn: the Produce's writer task, which then waits for the round,
        // and further Produces, which then share it. The round's wake-ups then reach parked
        // Fetches before the writer, so records are delivered before they are acknowledged.
        // Only jobs queued from the loop itself are sure to run (it drains them even while
        // shutting down); anywhere else the syncer's thread takes the round.
        let loop = channel.eventLoop
        let syncRounds = offRecordPath == nil ? nil : SyncRoundRunner { job in
            guard loop.inEventLoop else { return false }
            loop.execute { loop.execute(job) }
            return true
        }
        await withDiscardingTaskGroup { group in
            group.addTask {
                await writeAnswers(answers, backlog: backlog, deliverer: deliverer)
            }
            while let request = await queue.next() {
                let payload = request.frame
                // What TLS learnt of the client (its certificate) stays current; SASL's part is the session's.
                session.connection = state.current
                var timing = RequestTiming(apiKey: RequestLatencies.apiKey(of: payload), readNanos: request.readNanos, startNanos: monotonicNanos())
                let started: KafkaBroker.Started
                if let offRecordPath, !RequestStageLatencies.isRecordPath(timing.apiKey) || session.awaitsRawTokens {
                    // Admin and group APIs may touch the disk (topic creation, fsynced offset
                    // commits), a SASL exchange hashes passwords: never on the event loop.
                    let before = session
                    (started, session) = await withTaskExecutorPreference(offRecordPath) {
                        var session = before
                        let started = await broker.start(payload, session: &session)
                        return (started, session)
                    }
                } else {
                    started = await broker.start(payload, session: &session, syncRounds: syncRounds)
                }
                timing.startedNanos = monotonicNanos()
                // A ready answer while every earlier one is written (a client waiting for its
                // answers: a Produce under `interval`, a Fetch) goes out from here, without the
                // hop to the writer task; request order holds because the writer has nothing left.
                if let outcome = started.readyOutcome, outcome.keepsConnection, backlog.isEmpty {
                    // The append woke parked Fetches, whose resumption is already queued on their
                    // loops: on this one (the listener's only loop by default) yielding once lets
                    // them write the records to their consumers before this acknowledgement goes
                    // out, so delivery does not wait behind it (issue 17). The answer stays in
                    // request order: nothing else of this connection's runs meanwhile.
                    if case .readyAfterReaders = started { await Task.yield() }
                    _ = await deliverer.deliver(outcome, byteCount: payload.count, timing: timing, finalNanos: timing.startedNanos)
                    continue
                }
                backlog.add()
                answering.yield((started, payload.count, timing))
                // Nothing after a request that closes the connection runs (the writer closes it
                // once the answers before it are out).
                if case .ready(.close) = started { break }
            }
            answering.finish()
        }
    }

    /// Sends the answers in request order, each once it is final, waiting for the socket to
    /// drain between them as the worker used to.
    private static func writeAnswers(_ answers: AsyncStream<(KafkaBroker.Started, Int, RequestTiming)>, backlog: AnswerBacklog,
                                     deliverer: AnswerDeliverer) async {
        for await (started, byteCount, timing) in answers {
            let outcome = await started.outcome()
            let goOn = await deliverer.deliver(outcome, byteCount: byteCount, timing: timing, finalNanos: monotonicNanos())
            backlog.remove()
            guard goOn else { return }
        }
    }

    /// What writes one final answer to the socket: the writer task, or the worker itself while
    /// the writer has nothing to write (`AnswerBacklog`).
    struct AnswerDeliverer: Sendable {
        let queue: RequestQueue
        let gate: WritabilityGate
        let channel: any Channel
        let gauges: ListenerGauges
        let logger: Logger
        let peer: String
        let resumeReading: @Sendable () -> Void

        /// Writes `outcome`'s answer (or closes the connection), then waits for the socket to
        /// drain; false once the connection is closing, so nothing after it may be written.
        func deliver(_ outcome: KafkaBroker.Outcome, byteCount: Int, timing: RequestTiming, finalNanos: UInt64) async -> Bool {
            gauges.latencies.observe(apiKey: timing.apiKey, since: timing.startNanos)
            let stages = gauges.stages
            stages.observe(.queued, apiKey: timing.apiKey, from: timing.readNanos, to: timing.startNanos)
            stages.observe(.started, apiKey: timing.apiKey, from: timing.startNanos, to: timing.startedNanos)
            stages.observe(.final, apiKey: timing.apiKey, from: timing.startedNanos, to: finalNanos)
            switch outcome {
            case .respond(let frame):
                await KafkaConnectionHandler.write(frame, to: channel, gauges: gauges, timing: (timing.apiKey, finalNanos))
                await gate.waitUntilWritable()
            case .noResponse:
                break
            case .close(let reason):
                logger.warning("closing kafka connection", metadata: ["peer": "\(peer)", "reason": "\(reason)"])
                channel.close(promise: nil)
                return false
            case .respondThenClose(let frame, let reason):
                await KafkaConnectionHandler.write(frame, to: channel, gauges: gauges)
                logger.warning("closing kafka connection", metadata: ["peer": "\(peer)", "reason": "\(reason)"])
                channel.close(promise: nil)
                return false
            }
            if queue.done(byteCount: byteCount) { resumeReading() }
            return true
        }
    }

    /// Hands `frame` to the channel on its event loop, so that when this returns the channel's
    /// writability (and so the gate) already counts it. `timing` (the request's API and when its
    /// answer was final) feeds the `handover` and `flushed` stages.
    private static func write(_ frame: [UInt8], to channel: any Channel, gauges: ListenerGauges,
                              timing: (apiKey: Int16?, finalNanos: UInt64)? = nil) async {
        let bytes = frame.count
        gauges.responseHandedOver(bytes: bytes)
        let sent = channel.eventLoop.makePromise(of: Void.self)
        sent.futureResult.whenComplete { _ in gauges.responseSent(bytes: bytes) }
        let send: @Sendable () -> Void = {
            if let timing {
                let handedOver = monotonicNanos()
                gauges.stages.observe(.handover, apiKey: timing.apiKey, from: timing.finalNanos, to: handedOver)
                sent.futureResult.whenComplete { _ in
                    gauges.stages.observe(.flushed, apiKey: timing.apiKey, from: handedOver, to: monotonicNanos())
                }
            }
            channel.writeAndFlush(ByteBuffer(bytes: frame), promise: sent)
        }
        // On the loop already (the default executor): write now, no hop.
        if channel.eventLoop.inEventLoop {
            send()
            return
        }
        do {
            try await channel.eventLoop.submit(send).get()
        } catch {
            sent.fail(error)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        if received.readableBytes == 0 {
            received = bytes
        } else {
            received.writeBuffer(&bytes)
        }
        takeFrames(context: context)
    }

    /// Moves complete frames into the queue while it has room, then reads the socket only if
    /// room is left. A lying size prefix closes the connection.
    private func takeFrames(context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        while queue.hasRoom {
            let result: KafkaFrameDecoder.Result
            do {
                result = try received.withUnsafeReadableBytes { raw throws(WharfError) in try frames.nextFrame(in: raw) }
            } catch {
                logger.warning("closing kafka connection", metadata: ["reason": "\(error)"])
                context.close(promise: nil)
                return
            }
            guard case .frame(let payload) = result else { break }
            received.moveReaderIndex(forwardBy: payload.lowerBound)
            guard let frame = received.readBytes(length: payload.count) else { break }
            queue.push(frame)
        }
        if received.readableBytes == 0 {
            received = ByteBuffer()  // lets go of a large frame's storage
        } else if received.readerIndex >= 64 * 1024 {
            received.discardReadBytes()
        }
        setReading(queue.hasRoom, context: context)
    }

    private func setReading(_ on: Bool, context: ChannelHandlerContext) {
        guard on != reading else { return }
        reading = on
        // Turning autoRead back on also asks for the next read.
        try? context.channel.syncOptions?.setOption(ChannelOptions.autoRead, value: on)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        gate.set(writable: context.channel.isWritable)
        context.fireChannelWritabilityChanged()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted = event {
            recordClientCertificate(context: context)
        }
        guard event is ConnectionIdleEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        // A long poll or a rebalance keeps a quiet connection busy on purpose. A client that
        // stopped reading its answers, or one muted for sending more than its in-flight limit,
        // is not waiting on us (a muted socket cannot even show us its close: the FIN waits
        // behind the unread bytes).
        guard queue.isIdle || !context.channel.isWritable || !reading else { return }
        logger.info("closing idle kafka connection", metadata: ["peer": "\(context.channel.remoteAddress.map { "\($0)" } ?? "?")"])
        gauges.idleClosed()
        context.close(promise: nil)
    }

    /// Mutual TLS: the verified client certificate's subject is the connection's principal
    /// (Kafka's `User:CN=...`), kept for authorization. Frames only flow after the handshake,
    /// so every request of the connection sees it.
    private func recordClientCertificate(context: ChannelHandlerContext) {
        guard let tls = try? context.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self),
              let certificate = tls.peerCertificate else { return }
        let principal = "User:\(certificate.subjectDistinguishedName)"
        state?.update { $0.principal = principal }
        logger.info("kafka client authenticated by certificate", metadata: [
            "peer": "\(context.channel.remoteAddress.map { "\($0)" } ?? "?")", "principal": "\(principal)",
        ])
    }

    func channelInactive(context: ChannelHandlerContext) {
        queue.close()
        gate.close()
        worker?.cancel()
        worker = nil
        gauges.workers.remove(ObjectIdentifier(self))
        received = ByteBuffer()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        logger.warning("kafka connection error; closing it", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }
}

private extension KafkaBroker.Started {
    /// The answer when it is already final.
    var readyOutcome: KafkaBroker.Outcome? {
        switch self {
        case .ready(let outcome), .readyAfterReaders(let outcome): outcome
        case .later: nil
        }
    }
}

private extension KafkaBroker.Outcome {
    /// An answer (or none) after which the connection goes on serving.
    var keepsConnection: Bool {
        switch self {
        case .respond, .noResponse: true
        case .close, .respondThenClose: false
        }
    }
}
