import KafkaProtocol
import Logging
import NIOCore
import NIOPosix
import Synchronization
import WharfAuth
import WharfCore
import WharfEngine

/// The Kafka wire-protocol listener: a SwiftNIO server whose connections decode frames with
/// `KafkaFrameDecoder`, hand each request to the `KafkaBroker` in order, and write the answers
/// back in the same order (Kafka clients pipeline requests and rely on that).
public final class KafkaServer: Sendable {
    public struct Configuration: Sendable {
        public var host: String = "127.0.0.1"
        public var port: Int = 9092
        /// The host clients are told to connect to (Metadata, FindCoordinator); default `host`.
        public var advertisedHost: String?
        public var autoCreateTopics = true
        public var autoCreatePartitions: Int32 = 1
        /// What one client may cost: request size, connections, queued requests, idle time,
        /// Fetch answer size (Kafka's names and defaults).
        public var limits = KafkaListenerLimits()
        /// Refuse every request that writes (Produce, CreateTopics, DeleteTopics,
        /// DeleteRecords, OffsetCommit, DeleteGroups, InitProducerId) with Kafka's
        /// authorization errors, and create no topic on Metadata: `wharf --read-only`.
        public var readOnly = false
        /// The versions advertised and accepted; lowered only to measure what an older broker
        /// costs its clients (`wharf bench cluster-refresh --offset-fetch-max-version 7`).
        public var apiVersions = ApiVersionRanges.firstVersion
        /// PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL. With SASL, clients authenticate against
        /// `users` with one of `saslMechanisms` before anything but ApiVersions is served.
        public var securityProtocol = SecurityProtocol.plaintext
        /// The SASL users (a data directory's `UserStore`); none: every SASL login fails.
        public var users: UserStore?
        public var saslMechanisms = SaslMechanism.allCases
        public init() {}
    }

    public let broker: KafkaBroker
    private let group: MultiThreadedEventLoopGroup
    private let channel: Mutex<Channel?> = Mutex(nil)
    private let gauges = ListenerGauges()
    private let logger: Logger
    public let configuration: Configuration

    public init(engine: Engine, configuration: Configuration, logger: Logger = Logger(label: "wharf.kafka")) {
        self.configuration = configuration
        self.logger = logger
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        broker = KafkaBroker(engine: engine, configuration: configuration, logger: logger)
    }

    /// Binds and starts accepting. A port in use is a `WharfError.io` with a one-line message.
    @discardableResult
    public func start() async throws(WharfError) -> Int {
        let broker = self.broker
        let logger = self.logger
        let limits = configuration.limits
        let gauges = self.gauges
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                // max.connections: over it, the new connection is closed as soon as it is accepted.
                guard gauges.admit(limit: limits.maxConnections) else {
                    logger.warning("refusing kafka connection: max.connections reached", metadata: ["limit": "\(limits.maxConnections)"])
                    return channel.eventLoop.makeFailedFuture(ChannelError.ioOnClosedChannel)
                }
                channel.closeFuture.whenComplete { _ in gauges.release() }
                return channel.eventLoop.makeCompletedFuture {
                    let idle = TimeAmount.milliseconds(Int64(limits.connectionsMaxIdleMs))
                    try channel.pipeline.syncOperations.addHandler(IdleStateHandler(allTimeout: idle))
                    try channel.pipeline.syncOperations.addHandler(KafkaConnectionHandler(broker: broker, limits: limits, logger: logger, gauges: gauges))
                }
            }
        do {
            let ch = try await bootstrap.bind(host: configuration.host, port: configuration.port).get()
            channel.withLock { $0 = ch }
            let port = ch.localAddress?.port ?? configuration.port
            broker.setAdvertised(host: configuration.advertisedHost ?? configuration.host, port: Int32(port))
            logger.info("kafka listener started", metadata: ["address": "\(configuration.host):\(port)"])
            return port
        } catch {
            let reason = "\(error)".contains("Address already in use") ? "address already in use" : "\(error)"
            throw .io("cannot listen on \(configuration.host):\(configuration.port): \(reason)")
        }
    }

    /// Connected clients right now (the dashboard shows it).
    public var connectionCount: Int { gauges.snapshot.connections }

    /// What the clients hold of the listener now, and the most they have held.
    public var load: ListenerLoad { gauges.snapshot }

    public var listenAddress: String {
        "\(configuration.host):\(broker.advertisedPort)"
    }

    /// Stops accepting, closes the listener and shuts the event loop down.
    public func stop() async {
        let ch = channel.withLock { c -> Channel? in
            defer { c = nil }
            return c
        }
        try? await ch?.close()
        try? await group.shutdownGracefully()
    }
}
