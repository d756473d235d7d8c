import Foundation
import Logging
import WharfAMQP
import WharfCore
import WharfEngine

/// One client connection's AMQP state machine, sans I/O: `receive` takes what the framing
/// yields, and whatever must go back is appended to `output` (the channel handler writes and
/// clears it). Confined to the connection's event loop.
///
/// Phases: protocol header (SASL `AMQP 3 1 0 0` or plain `AMQP 0 1 0 0`), sasl-init, AMQP
/// header, open, then sessions and links until close. Frames are handled strictly in order, so
/// pyamqp's pipelined open/begin/attach works (reference §1.4).
final class AMQPConnection {
    /// `refused`: Wharf sent `close` with `refusal` and reads (and drops) what the client still
    /// sends until its `close`, so the client reads the error before the socket goes.
    enum Phase { case header, saslInit, amqpHeader, open, opened, refused, closed }

    static let mechanisms = ["MSSBCBS", "ANONYMOUS", "PLAIN"]
    static let senderCredit: UInt32 = 1_000
    /// The session window Wharf advertises for the client's transfers (reference §3.3).
    static let incomingWindow: UInt32 = 0x7FFF_FFFF

    let queues: QueueStore
    let keys: @Sendable () -> [String: String]
    /// The rights of a key by name (read at each put-token, like the keys).
    let rights: @Sendable (String) -> Set<ServiceBusRight>
    let limits: AMQPListenerLimits
    let logger: Logger
    let containerId = "wharf-" + UUID().uuidString.lowercased()

    private(set) var phase = Phase.header
    var output: [[UInt8]] = []
    /// Set once `close` went out (or the client broke the protocol): close after flushing.
    var shouldClose = false
    var peerMaxFrameSize: UInt32 = AMQPFrame.minMaxFrameSize
    /// Half the client's idle-time-out: how often Wharf must send something (nil: never).
    var heartbeatInterval: UInt32?
    var idle: AMQPIdleTimer
    var sessions: [UInt16: AMQPSession] = [:]
    /// Audiences a valid put-token covered: lower-cased entity path -> token expiry (Unix seconds).
    var authorized: [String: Int64] = [:]
    /// The rights of the key that signed each authorized audience's token.
    var authorizedRights: [String: Set<ServiceBusRight>] = [:]
    /// Set when the listener is over its connection limit: the client gets through SASL, then
    /// its `open` is answered with `open` and a `close` carrying this error (AMQP part 2 §2.4.1);
    /// the socket closes when the client answers with its `close` (or the listener's deadline).
    var refusal: AMQPError?
    /// Set when a client's message was stored since the handler last looked (it then wakes the
    /// other connections' receivers).
    var storedMessages = false
    /// Client deliveries to store, and completions to journal, at the end of the current read
    /// (`AMQPConnection+Batching.swift`).
    var pendingSends: [PendingSend] = []
    var pendingCompletions: [PendingCompletion] = []
    /// Calls its second argument on the connection's event loop once the wait reports (nil, or
    /// the error that stopped a log); set by `AMQPChannelHandler`, nil for a connection driven
    /// directly (the writes are then waited for in place).
    var awaitDurable: ((@escaping DurabilityWait, @escaping (WharfError?) -> Void) -> Void)?
    /// Client deliveries stored and not yet durable (acknowledged when they are): past
    /// `maxSendsAwaitingDurability` the handler stops reading the socket until they are.
    var sendsAwaitingDurability = 0
    static let maxSendsAwaitingDurability = 4 * Int(senderCredit)
    /// Requests performed off the event loop and not yet answered (`offLoop`): past
    /// `maxRequestsOffLoop` the handler stops reading the socket until they are, so a client
    /// that pipelines requests cannot make Wharf hold them without bound.
    var requestsOffLoop = 0
    static let maxRequestsOffLoop = 16
    /// Where `offLoop` performs this connection's requests, one at a time and in order.
    private(set) lazy var workQueue = DispatchQueue(label: "wharf.amqp.requests")

    /// Too much of this client's work waits (for the disk, or off the loop): read nothing more until it is done.
    var holdsReading: Bool { sendsAwaitingDurability > Self.maxSendsAwaitingDurability || requestsOffLoop > Self.maxRequestsOffLoop }

    init(queues: QueueStore, keys: @escaping @Sendable () -> [String: String],
         rights: @escaping @Sendable (String) -> Set<ServiceBusRight> = { _ in Set(ServiceBusRight.allCases) },
         limits: AMQPListenerLimits, logger: Logger) {
        self.rights = rights
        self.queues = queues
        self.keys = keys
        self.limits = limits
        self.logger = logger
        idle = AMQPIdleTimer(now: queues.clock.nowMillis())
    }

    var expectsHeader: Bool { phase == .header || phase == .amqpHeader }

    // MARK: - Input

    func receive(_ item: AMQPInbound) {
        guard phase != .closed else { return }
        idle.receivedSinceCheck = true
        do throws(WharfError) {
            switch (item, phase) {
            case (.header(let h), .header):
                if h.protocolId == 3 {
                    output.append(AMQPProtocolHeader.sasl.bytes)
                    send(sasl: .mechanisms(Self.mechanisms))
                    phase = .saslInit
                } else if h.protocolId == 0 {
                    output.append(AMQPProtocolHeader.amqp.bytes)
                    phase = .open
                } else {
                    // TLS (2) or unknown: answer with what Wharf speaks and hang up (part 2 §2.2).
                    output.append(AMQPProtocolHeader.sasl.bytes)
                    phase = .closed
                    shouldClose = true
                }
            case (.frame(let f), .saslInit):
                guard f.type == AMQPFrame.typeSASL, case .initial(let mechanism, _, _) = try SASLFrame(f.split().performative) else {
                    throw .malformed("AMQP: expected sasl-init")
                }
                // SAS is checked by CBS put-token, so every offered mechanism is anonymous here (reference §1.2).
                let ok = Self.mechanisms.contains(mechanism)
                send(sasl: .outcome(code: ok ? 0 : 1))
                if ok { phase = .amqpHeader } else { phase = .closed; shouldClose = true }
            case (.header(let h), .amqpHeader):
                guard h.protocolId == 0 else { throw .malformed("AMQP: expected the AMQP protocol header after SASL") }
                output.append(AMQPProtocolHeader.amqp.bytes)
                phase = .open
            case (.frame(let f), .open):
                guard f.type == AMQPFrame.typeAMQP, !f.isHeartbeat, case .open(let open) = try Performative(f.split().performative) else {
                    throw .malformed("AMQP: expected open")
                }
                opened(open)
            case (.frame(let f), .refused):
                if f.type == AMQPFrame.typeAMQP, !f.isHeartbeat, case .close? = try? Performative(f.split().performative) {
                    phase = .closed
                    shouldClose = true
                }
            case (.frame(let f), .opened):
                guard !f.isHeartbeat else { return }
                guard f.type == AMQPFrame.typeAMQP else { throw .malformed("AMQP: SASL frame after open") }
                let (p, payload) = try f.split()
                try handle(try Performative(p), channel: f.channel, payload: payload)
            default:
                throw .malformed("AMQP: unexpected \(item) in phase \(phase)")
            }
        } catch {
            fail(AMQPError(error.isMalformed ? AMQPError.decodeError : AMQPError.internalError, error.description))
        }
    }

    private func opened(_ open: Open) {
        peerMaxFrameSize = max(AMQPFrame.minMaxFrameSize, open.maxFrameSize)
        if let idle = open.idleTimeout, idle > 0 { heartbeatInterval = max(idle / 2, 1) }
        phase = .opened
        send(channel: 0, .open(Open(containerId: containerId, hostname: open.hostname, maxFrameSize: limits.maxFrameSize,
                                    channelMax: UInt16(clamping: limits.maxSessions - 1), idleTimeout: limits.idleTimeoutMs)))
        if let refusal {
            send(channel: 0, .close(Close(error: refusal)))
            phase = .refused
        }
    }

    private func handle(_ p: Performative, channel: UInt16, payload: [UInt8]) throws(WharfError) {
        switch p {
        case .transfer, .disposition, .flow: break
        // Anything else (attach, detach, end, close) acts after what came before it has.
        default: flushPending()
        }
        if case .begin(let b) = p { return begin(b, channel: channel) }
        if case .close = p {
            send(channel: 0, .close(Close()))
            phase = .closed
            shouldClose = true
            return
        }
        guard let session = sessions[channel] else { throw .malformed("AMQP: frame on channel \(channel) without a session") }
        switch p {
        case .attach(let a): try attach(a, session)
        case .flow(let f): try flow(f, session)
        case .transfer(let t): try transfer(t, payload: payload, session)
        case .disposition(let d): disposition(d, session)
        case .detach(let d): detach(d, session)
        case .end:
            end(session)
            send(channel: channel, .end(End()))
        case .open, .begin, .close: throw .malformed("AMQP: unexpected \(p)")
        }
    }

    private func begin(_ b: Begin, channel: UInt16) {
        guard b.remoteChannel == nil, sessions[channel] == nil else {
            return fail(AMQPError(AMQPError.notAllowed, "channel \(channel) is already in use"))
        }
        guard sessions.count < limits.maxSessions else {
            return fail(AMQPError(AMQPError.resourceLimitExceeded, "more than \(limits.maxSessions) sessions"))
        }
        let s = AMQPSession(channel: channel)
        s.nextIncomingId = b.nextOutgoingId
        s.remoteIncomingWindow = b.incomingWindow
        sessions[channel] = s
        send(channel: channel, .begin(Begin(remoteChannel: channel, nextOutgoingId: 0, incomingWindow: Self.incomingWindow,
                                            outgoingWindow: Self.incomingWindow, handleMax: UInt32(limits.maxLinksPerSession - 1))))
    }

    /// Ends a session: session receivers give their session back (its messages return uncounted).
    func end(_ s: AMQPSession) {
        for link in s.links.values { releaseSession(link) }
        sessions[s.channel] = nil
    }

    /// The client went away: every session ends (unsettled peek-lock messages keep their locks
    /// until they expire, as in Service Bus, reference §1.6).
    func connectionClosed() {
        flushPending()
        for s in sessions.values { end(s) }
        phase = .closed
    }

    func releaseSession(_ link: AMQPLink) {
        if case .receiver(_, _, let held?) = link.role { try? queues.closeSession(held) }
    }

    /// Closes the connection with an error (protocol violations, decode errors).
    func fail(_ error: AMQPError) {
        logger.debug("closing amqp connection", metadata: ["error": "\(error.condition): \(error.description ?? "")"])
        flushPending()
        if phase == .opened || phase == .open {
            if phase == .open { send(channel: 0, .open(Open(containerId: containerId, maxFrameSize: limits.maxFrameSize))) }
            send(channel: 0, .close(Close(error: error)))
        }
        connectionClosed()
        shouldClose = true
    }

    // MARK: - Output

    func send(channel: UInt16, _ p: Performative, payload: [UInt8] = []) {
        idle.sentSinceCheck = true
        output.append(AMQPFrame.encode(channel: channel, performative: p.value, payload: payload))
    }

    func send(sasl: SASLFrame) {
        idle.sentSinceCheck = true
        output.append(AMQPFrame.encode(type: AMQPFrame.typeSASL, channel: 0, performative: sasl.value))
    }

    /// The connection timer's idle duties (see `AMQPIdleTimer`), at the queue store's clock.
    func checkIdle() {
        guard phase != .closed else { return }
        switch idle.check(now: queues.clock.nowMillis(), heartbeatEvery: heartbeatInterval, closeAfter: Int64(limits.idleTimeoutMs) * 2) {
        case .nothing: break
        case .heartbeat: if phase == .opened { output.append(AMQPFrame.heartbeat().encoded()) }
        case .silentTooLong: fail(AMQPError(AMQPError.connectionForced, "idle for more than twice the idle-time-out"))
        }
    }

    /// A session-level flow: the client's view of Wharf's window (pyamqp stalls without it, reference §3.3).
    func sessionFlow(_ s: AMQPSession, link: AMQPLink? = nil, echoDrain: Bool = false) {
        var f = Flow(nextIncomingId: s.nextIncomingId, incomingWindow: Self.incomingWindow, nextOutgoingId: s.nextOutgoingId,
                     outgoingWindow: Self.incomingWindow)
        if let link {
            f.handle = link.handle
            f.deliveryCount = link.isWharfSending ? link.deliveryCount : link.received
            f.linkCredit = link.isWharfSending ? link.credit : link.creditGranted &- link.received
            f.drain = echoDrain
        }
        s.transfersSinceFlow = 0
        send(channel: s.channel, .flow(f))
    }

    /// Is `entity` covered by a put-token that has not expired, signed by a key with `right`?
    func isAuthorized(_ entity: String, for right: ServiceBusRight) -> Bool {
        let now = Int64(Date().timeIntervalSince1970)
        let path = entity.lowercased()
        return authorized.contains { audience, expiry in
            expiry > now && (audience.isEmpty || path == audience || path.hasPrefix(audience + "/"))
                && (authorizedRights[audience] ?? Set(ServiceBusRight.allCases)).allows(right)
        }
    }

    /// Service Bus's wording when a key lacks a claim.
    static func missingClaim(_ right: ServiceBusRight, _ path: String) -> AMQPError {
        AMQPError(AMQPError.unauthorized, "Unauthorized access. '\(right.rawValue)' claim(s) are required to perform this operation. Resource: '\(path)'.")
    }
}

extension AMQPLink {
    /// Links on which Wharf is the sender (the client attached as receiver).
    var isWharfSending: Bool {
        switch role {
        case .cbsResponses, .managementResponses, .receiver: true
        case .cbsRequests, .managementRequests, .sender: false
        }
    }
}

extension WharfError {
    var isMalformed: Bool {
        if case .malformed = self { return true }
        return false
    }
}
