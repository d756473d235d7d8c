import Dispatch
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization
import WharfAMQP
import WharfCore
import WharfEngine
import WharfTLS

/// The AMQP 1.0 listener the Azure Service Bus SDKs connect to: plain TCP like the emulator
/// (`wharf serve --amqp-listen`, default 127.0.0.1:5672) and TLS like Service Bus itself
/// (`--amqps-listen`, its port 5671). It serves the queues of `queues`, authorizes clients by
/// SAS tokens signed with the data directory's `ServiceBusKeys`, and runs the queue store's
/// maintenance (`tick`) every 200 ms while it listens. Both listeners share one connection
/// budget and one count.
public final class AMQPServer: Sendable {
    public struct Configuration: Sendable {
        /// The plain-TCP listener (`--amqp-listen`).
        public var host = "127.0.0.1"
        public var port = 5672
        /// false: no plain-TCP listener, only `secure` (`--amqps-listen` without `--amqp-listen`).
        public var servesPlaintext = true
        /// The TLS listener (`--amqps-listen`): the TLS handshake first, then AMQP as on the plain
        /// one, as Service Bus serves it on 5671; nil: none.
        public var secure: AMQPListenAddress?
        /// The certificate of `secure`: the Kafka listener's `--tls-*` flags.
        public var tls: ListenerTLSSettings?
        /// Let the plain listener listen beyond loopback (`--allow-plaintext`; `checkSecurity`).
        public var allowPlaintext = false
        public var limits = AMQPListenerLimits()
        /// Run on NIO's process-wide event loops (`MultiThreadedEventLoopGroup.singleton`)
        /// instead of loops of the listener's own: for test suites, which start many listeners
        /// at once (each own loop is a thread, an epoll, an eventfd and a timerfd).
        public var sharesEventLoops = false
        /// The listener's own event loops (one per core when nil). With one, every connection
        /// shares it: tests use that to show one connection's wait does not hold up another's.
        public var eventLoopThreads: Int?
        public init() {}
    }

    public let configuration: Configuration
    public let queues: QueueStore
    private let keys: ServiceBusKeys
    /// The listener's own event loops (unless `sharesEventLoops`): made by `start`, shut down by
    /// `stop` or by a start that fails, so a server that is never started holds no thread.
    private let group: Mutex<MultiThreadedEventLoopGroup?> = Mutex(nil)
    /// The listening channels, plain first.
    private let channels: Mutex<[Channel]> = Mutex([])
    private let bound: Mutex<(plain: Int?, secure: Int?)> = Mutex((nil, nil))
    /// Client connections, closed by `stop` (on shared loops nothing else would close them).
    private let clients: Mutex<[ObjectIdentifier: Channel]> = Mutex([:])
    private let maintenance: Mutex<RepeatedTask?> = Mutex(nil)
    /// A maintenance tick is running (on `maintenanceQueue`).
    private let ticking = Atomic<Bool>(false)
    /// Where the queue maintenance runs: a private serial queue (Dispatch starts a thread for it
    /// when none is free), so its waits for the disk hold up no event loop.
    private let maintenanceQueue = DispatchQueue(label: "wharf.amqp.maintenance")
    private let wakeups = AMQPReceiverWakeups()
    private let connections = Atomic<Int>(0)
    /// Connections over the limit still in their refusing handshake.
    private let refusing = Atomic<Int>(0)
    static let maxRefusingAtOnce = 64
    /// How long a refused connection may last (handshake, the error, the client's close).
    static let refusalTimeout = TimeAmount.seconds(10)
    private let logger: Logger

    public init(queues: QueueStore, keys: ServiceBusKeys, configuration: Configuration, logger: Logger = Logger(label: "wharf.amqp")) {
        self.queues = queues
        self.keys = keys
        self.configuration = configuration
        self.logger = logger
    }

    /// Connected clients right now, on both listeners.
    public var connectionCount: Int { connections.load(ordering: .relaxed) }

    /// Whether the listener's own event loops exist (between a successful `start` and `stop`).
    package var holdsEventLoops: Bool { group.withLock { $0 != nil } }

    /// Checks the addresses and the certificate (`checkSecurity`), then binds the plain and the
    /// TLS listener, or neither. Returns the plain listener's port (port 0 picks one), or the TLS
    /// listener's when there is no plain one.
    @discardableResult
    public func start() async throws(WharfError) -> Int {
        let tlsContext = try configuration.checkedTLSContext()
        // One loop per core: connections spread over them, and the engine (thread-safe: a
        // mutex per queue) does each connection's work on its loop.
        let owned = configuration.sharesEventLoops ? nil : MultiThreadedEventLoopGroup(numberOfThreads: max(1, configuration.eventLoopThreads ?? System.coreCount))
        let group: any EventLoopGroup = owned ?? MultiThreadedEventLoopGroup.singleton
        var opened: [Channel] = []
        var ports: (plain: Int?, secure: Int?) = (nil, nil)
        do throws(WharfError) {
            if configuration.servesPlaintext {
                let channel = try await bind(host: configuration.host, port: configuration.port, tls: nil, group: group)
                opened.append(channel)
                ports.plain = channel.localAddress?.port ?? configuration.port
            }
            if let secure = configuration.secure, let tlsContext {
                let channel = try await bind(host: secure.host, port: secure.port, tls: tlsContext, group: group)
                opened.append(channel)
                ports.secure = channel.localAddress?.port ?? secure.port
            }
        } catch {
            for channel in opened { try? await channel.close() }
            try? await owned?.shutdownGracefully()
            throw error
        }
        self.group.withLock { $0 = owned }
        channels.withLock { $0 = opened }
        bound.withLock { $0 = ports }
        let (queues, logger) = (self.queues, self.logger)
        // The maintenance runs on a queue of its own, not on an event loop: under `--fsync
        // always` it waits for fdatasyncs (its journal writes, the reclaim waiting for
        // completions in flight), which would hold up every connection of that loop. A tick
        // still running when the next is due makes that one skip.
        let task = group.next().scheduleRepeatedTask(initialDelay: .milliseconds(200), delay: .milliseconds(200)) { [self] _ in
            guard ticking.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else { return }
            maintenanceQueue.async { [self] in
                defer { ticking.store(false, ordering: .releasing) }
                do { try queues.tick() } catch { logger.error("queue maintenance failed", metadata: ["error": "\(error)"]) }
            }
        }
        maintenance.withLock { $0 = task }
        if let port = ports.plain { logger.info("amqp listener started", metadata: ["address": "\(AMQPListenAddress(host: configuration.host, port: port))"]) }
        if let port = ports.secure, let secure = configuration.secure {
            logger.info("amqps listener started", metadata: ["address": "\(AMQPListenAddress(host: secure.host, port: port))"])
        }
        return ports.plain ?? ports.secure ?? configuration.port
    }

    private func bind(host: String, port: Int, tls: NIOSSLContext?, group: any EventLoopGroup) async throws(WharfError) -> Channel {
        let server = self
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in server.accept(channel, tls: tls) }
        do {
            return try await bootstrap.bind(host: host, port: port).get()
        } catch {
            let reason = "\(error)".contains("Address already in use") ? "address already in use" : "\(error)"
            throw .io("cannot listen on \(AMQPListenAddress(host: host, port: port)): \(reason)")
        }
    }

    /// A new client connection on either listener: counted against the one limit, then TLS
    /// (on the TLS listener) and the AMQP handler.
    private func accept(_ channel: Channel, tls: NIOSSLContext?) -> EventLoopFuture<Void> {
        let limits = configuration.limits
        let refusal: AMQPError?
        if connections.wrappingAdd(1, ordering: .relaxed).newValue > limits.maxConnections {
            connections.wrappingSubtract(1, ordering: .relaxed)
            logger.warning("refusing amqp connection: connection limit reached", metadata: ["limit": "\(limits.maxConnections)"])
            // Refused connections get a short handshake that ends in the AMQP error (so the SDK
            // names the cause); past a few of them at once, just the TCP close.
            guard refusing.wrappingAdd(1, ordering: .relaxed).newValue <= Self.maxRefusingAtOnce else {
                refusing.wrappingSubtract(1, ordering: .relaxed)
                return channel.eventLoop.makeFailedFuture(ChannelError.ioOnClosedChannel)
            }
            refusal = AMQPError(AMQPError.resourceLimitExceeded, "connection limit reached: at most \(limits.maxConnections) AMQP connections")
            let deadline = channel.eventLoop.scheduleTask(in: Self.refusalTimeout) { channel.close(promise: nil) }
            channel.closeFuture.whenComplete { [self] _ in
                deadline.cancel()
                refusing.wrappingSubtract(1, ordering: .relaxed)
            }
        } else {
            refusal = nil
            channel.closeFuture.whenComplete { [self] _ in connections.wrappingSubtract(1, ordering: .relaxed) }
        }
        let id = ObjectIdentifier(channel)
        clients.withLock { $0[id] = channel }
        channel.closeFuture.whenComplete { [self] _ in _ = clients.withLock { $0.removeValue(forKey: id) } }
        // Read at each put-token, so a key added while serving works without a restart.
        let keys = self.keys
        let loadKeys: @Sendable () -> [String: String] = { (try? keys.load()) ?? [:] }
        let loadRights: @Sendable (String) -> Set<ServiceBusRight> = { name in
            (try? keys.loadRights())?[name] ?? Set(ServiceBusRight.allCases)
        }
        let (queues, logger, wakeups) = (self.queues, self.logger, self.wakeups)
        return channel.eventLoop.makeCompletedFuture {
            // A client that never finishes its TLS handshake is closed by the AMQP handler's idle check.
            if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
            let connection = AMQPConnection(queues: queues, keys: loadKeys, rights: loadRights, limits: limits, logger: logger)
            connection.refusal = refusal
            try channel.pipeline.syncOperations.addHandler(AMQPChannelHandler(connection: connection, limits: limits, wakeups: wakeups))
        }
    }

    /// The plain listener's port as bound (nil before `start`, or without one).
    public var boundPort: Int? { bound.withLock { $0.plain } }
    /// The TLS listener's port as bound (nil before `start`, or without one).
    public var boundSecurePort: Int? { bound.withLock { $0.secure } }

    /// Stops accepting, closes the listeners and every client connection, and shuts the event
    /// loops down.
    public func stop() async {
        maintenance.withLock { $0?.cancel(); $0 = nil }
        // A tick under way finishes before the caller may close the queues.
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in maintenanceQueue.async { done.resume() } }
        let listening = channels.withLock { c -> [Channel] in defer { c = [] }; return c }
        for channel in listening { try? await channel.close() }
        // Not awaited: a TLS connection's close waits for the client's close_notify.
        let connected = clients.withLock { c -> [Channel] in defer { c = [:] }; return Array(c.values) }
        for channel in connected { channel.close(promise: nil) }
        bound.withLock { $0 = (nil, nil) }
        let group = self.group.withLock { g -> MultiThreadedEventLoopGroup? in defer { g = nil }; return g }
        try? await group?.shutdownGracefully()
    }
}
