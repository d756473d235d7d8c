import Logging
import NIOCore
import NIOPosix
import Synchronization
import WharfAMQP
import WharfCore
import WharfEngine

/// The AMQP 1.0 listener the Azure Service Bus SDKs connect to (`wharf serve --amqp-listen`,
/// default 127.0.0.1:5672, plain TCP like the emulator). It serves the queues of `queues`,
/// authorizes clients by SAS tokens signed with the data directory's `ServiceBusKeys`, and
/// runs the queue store's maintenance (`tick`) every 200 ms while it listens.
public final class AMQPServer: Sendable {
    public struct Configuration: Sendable {
        public var host = "127.0.0.1"
        public var port = 5672
        public var limits = AMQPListenerLimits()
        public init() {}
    }

    public let configuration: Configuration
    public let queues: QueueStore
    private let keys: ServiceBusKeys
    private let group: MultiThreadedEventLoopGroup
    private let channel: Mutex<Channel?> = Mutex(nil)
    private let maintenance: Mutex<RepeatedTask?> = Mutex(nil)
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
        // One loop per core: connections spread over them, and the engine (thread-safe: a
        // mutex per queue) does each connection's work on its loop.
        group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
    }

    /// Connected clients right now.
    public var connectionCount: Int { connections.load(ordering: .relaxed) }

    /// Binds the listener; returns the bound port (port 0 picks one).
    @discardableResult
    public func start() async throws(WharfError) -> Int {
        let limits = configuration.limits
        let logger = self.logger
        let queues = self.queues
        let keys = self.keys
        let server = self
        // Read at each put-token, so a key added while serving works without a restart.
        let loadKeys: @Sendable () -> [String: String] = { (try? keys.load()) ?? [:] }
        let loadRights: @Sendable (String) -> Set<ServiceBusRight> = { name in
            (try? keys.loadRights())?[name] ?? Set(ServiceBusRight.allCases)
        }
        let wakeups = AMQPReceiverWakeups()
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                let refusal: AMQPError?
                if server.connections.wrappingAdd(1, ordering: .relaxed).newValue > limits.maxConnections {
                    server.connections.wrappingSubtract(1, ordering: .relaxed)
                    logger.warning("refusing amqp connection: connection limit reached", metadata: ["limit": "\(limits.maxConnections)"])
                    // Refused connections get a short handshake that ends in the AMQP error (so
                    // the SDK names the cause); past a few of them at once, just the TCP close.
                    guard server.refusing.wrappingAdd(1, ordering: .relaxed).newValue <= Self.maxRefusingAtOnce else {
                        server.refusing.wrappingSubtract(1, ordering: .relaxed)
                        return channel.eventLoop.makeFailedFuture(ChannelError.ioOnClosedChannel)
                    }
                    refusal = AMQPError(AMQPError.resourceLimitExceeded, "connection limit reached: at most \(limits.maxConnections) AMQP connections")
                    let deadline = channel.eventLoop.scheduleTask(in: Self.refusalTimeout) { channel.close(promise: nil) }
                    channel.closeFuture.whenComplete { _ in
                        deadline.cancel()
                        server.refusing.wrappingSubtract(1, ordering: .relaxed)
                    }
                } else {
                    refusal = nil
                    channel.closeFuture.whenComplete { _ in server.connections.wrappingSubtract(1, ordering: .relaxed) }
                }
                return channel.eventLoop.makeCompletedFuture {
                    let connection = AMQPConnection(queues: queues, keys: loadKeys, rights: loadRights, limits: limits, logger: logger)
                    connection.refusal = refusal
                    try channel.pipeline.syncOperations.addHandler(AMQPChannelHandler(connection: connection, limits: limits, wakeups: wakeups))
                }
            }
        let bound: Channel
        do {
            bound = try await bootstrap.bind(host: configuration.host, port: configuration.port).get()
        } catch {
            let reason = "\(error)".contains("Address already in use") ? "address already in use" : "\(error)"
            throw .io("cannot listen on \(configuration.host):\(configuration.port): \(reason)")
        }
        channel.withLock { $0 = bound }
        let task = group.next().scheduleRepeatedTask(initialDelay: .milliseconds(200), delay: .milliseconds(200)) { _ in
            do { try queues.tick() } catch { logger.error("queue maintenance failed", metadata: ["error": "\(error)"]) }
        }
        maintenance.withLock { $0 = task }
        let port = bound.localAddress?.port ?? configuration.port
        logger.info("amqp listener started", metadata: ["address": "\(configuration.host):\(port)"])
        return port
    }

    public var boundPort: Int? { channel.withLock { $0?.localAddress?.port } }

    /// Stops accepting, closes the listener and shuts the event loop down.
    public func stop() async {
        maintenance.withLock { $0?.cancel(); $0 = nil }
        if let ch = channel.withLock({ c -> Channel? in defer { c = nil }; return c }) { try? await ch.close() }
        try? await group.shutdownGracefully()
    }
}
