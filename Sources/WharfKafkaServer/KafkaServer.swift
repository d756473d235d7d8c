import KafkaProtocol
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization
import WharfAuth
import WharfCore
import WharfEngine
import WharfTLS

/// The Kafka wire-protocol listener: a SwiftNIO server whose connections decode frames with
/// `KafkaFrameDecoder`, hand each request to the `KafkaBroker` in order, and write the answers
/// back in the same order (Kafka clients pipeline requests and rely on that).
public final class KafkaServer: Sendable {
    public struct Configuration: Sendable {
        /// Kafka's `listeners`: each address with its security protocol; never empty.
        public var listeners = [KafkaListenerAddress(host: "127.0.0.1", port: 9092)]
        /// The first listener's host and port: what a single-listener caller sets.
        public var host: String {
            get { listeners.first?.host ?? "127.0.0.1" }
            set { replaceFirstListener(host: newValue, port: port) }
        }
        public var port: Int {
            get { listeners.first?.port ?? 9092 }
            set { replaceFirstListener(host: host, port: newValue) }
        }
        private mutating func replaceFirstListener(host: String, port: Int) {
            let first = KafkaListenerAddress(security: listeners.first?.security ?? .plaintext, host: host, port: port)
            listeners = [first] + listeners.dropFirst()
        }
        /// Certificate, key and client authentication of the SSL and SASL_SSL listeners.
        public var tls: ListenerTLSSettings?
        /// Open listeners that authenticate nobody (PLAINTEXT, SSL without required client
        /// certificates) on addresses beyond loopback: `--allow-plaintext`.
        public var allowPlaintext = false
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
        /// The users clients of SASL_PLAINTEXT and SASL_SSL listeners authenticate as, with one
        /// of `saslMechanisms`, before anything but ApiVersions is served (a data directory's
        /// `UserStore`; none: every SASL login fails).
        public var users: UserStore?
        public var saslMechanisms = SaslMechanism.allCases
        /// Where each connection's requests are handled (the broker's work, long polls, the
        /// answer writer); nil: Produce and Fetch on the connection's event loop, the other APIs
        /// on Swift's global concurrent executor (`EventLoopTaskExecutor`). An in-process
        /// listener in a test suite that runs hundreds of tests at once on that shared pool gets
        /// an executor of its own, so its answers do not queue behind every other test's work.
        public var requestExecutor: (any TaskExecutor)?
        /// Run on NIO's process-wide event loops (`MultiThreadedEventLoopGroup.singleton`, one
        /// thread per core) instead of a thread of the listener's own. For test suites: they
        /// start over a hundred listeners at once, and each own loop holds a thread, an epoll,
        /// an eventfd and a timerfd.
        public var sharesEventLoops = false
        /// Check every request against the ACLs (`--authorize`); nil: every client may do
        /// everything (and the ACL APIs answer SECURITY_DISABLED).
        public var authorization: KafkaAuthorization?
        public init() {}
    }

    public let broker: KafkaBroker
    /// The listener's own event-loop thread (unless `sharesEventLoops`): made by `start`, shut
    /// down by `stop` or by a start that fails, so a server that is never started holds no thread.
    private let group: Mutex<MultiThreadedEventLoopGroup?> = Mutex(nil)
    private let channels: Mutex<[Channel]> = Mutex([])
    private let bound: Mutex<[KafkaListenerAddress]> = Mutex([])
    private let gauges = ListenerGauges()
    private let idleConnections = IdleConnections()
    private let idleChecks: Mutex<RepeatedTask?> = Mutex(nil)
    /// The engine's clock: `connections.max.idle.ms` is measured on it.
    private let clock: any WallClock
    private let logger: Logger
    public let configuration: Configuration

    public init(engine: Engine, configuration: Configuration, logger: Logger = Logger(label: "wharf.kafka")) {
        self.configuration = configuration
        self.logger = logger
        clock = engine.clock
        broker = KafkaBroker(engine: engine, configuration: configuration, logger: logger)
    }

    /// Checks the listeners and the TLS files, then binds every listener, or none: a port in
    /// use, a bad certificate or a refused address is a `WharfError` with a one-line message.
    /// Returns the first listener's port.
    @discardableResult
    public func start() async throws(WharfError) -> Int {
        let tlsContext = try configuration.checkedTLSContext()
        let owned = configuration.sharesEventLoops ? nil : MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let group: any EventLoopGroup = owned ?? MultiThreadedEventLoopGroup.singleton
        var opened: [Channel] = []
        var addresses: [KafkaListenerAddress] = []
        for listener in configuration.listeners {
            do {
                let channel = try await bind(listener, tls: listener.security.usesTLS ? tlsContext : nil, group: group)
                opened.append(channel)
                addresses.append(KafkaListenerAddress(security: listener.security, host: listener.host,
                                                      port: channel.localAddress?.port ?? listener.port))
            } catch {
                for channel in opened { try? await channel.close() }
                try? await owned?.shutdownGracefully()
                throw error
            }
        }
        self.group.withLock { $0 = owned }
        channels.withLock { $0 = opened }
        bound.withLock { $0 = addresses }
        let idle = idleConnections
        let interval = IdleConnections.checkInterval(limitMillis: configuration.limits.connectionsMaxIdleMs)
        idleChecks.withLock { $0 = group.next().scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in idle.check() } }
        let first = addresses[0]
        broker.setAdvertised(host: configuration.advertisedHost ?? first.host, port: Int32(first.port))
        for address in addresses {
            logger.info("kafka listener started", metadata: ["address": "\(address)"])
        }
        return first.port
    }

    private func bind(_ listener: KafkaListenerAddress, tls: NIOSSLContext?, group: any EventLoopGroup) async throws(WharfError) -> Channel {
        let broker = self.broker
        let logger = self.logger
        let limits = configuration.limits
        let gauges = self.gauges
        let advertisedHost = configuration.advertisedHost
        let (clock, idleConnections) = (self.clock, self.idleConnections)
        let executor = configuration.requestExecutor
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                // max.connections: over it, the new connection is closed as soon as it is accepted.
                // One budget for all listeners, as Kafka's broker-wide max.connections.
                guard gauges.admit(limit: limits.maxConnections) else {
                    logger.warning("refusing kafka connection: max.connections reached", metadata: ["limit": "\(limits.maxConnections)"])
                    return channel.eventLoop.makeFailedFuture(ChannelError.ioOnClosedChannel)
                }
                channel.closeFuture.whenComplete { _ in gauges.release() }
                return channel.eventLoop.makeCompletedFuture {
                    // The idle check sits outside TLS, so a client stuck in its handshake is closed too.
                    try channel.pipeline.syncOperations.addHandler(IdleConnectionHandler(
                        limitMillis: Int64(limits.connectionsMaxIdleMs), clock: clock, connections: idleConnections))
                    if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
                    try channel.pipeline.syncOperations.addHandler(KafkaConnectionHandler(
                        broker: broker, listener: listener, advertisedHost: advertisedHost, limits: limits, logger: logger, gauges: gauges,
                        executor: executor))
                }
            }
        do {
            return try await bootstrap.bind(host: listener.host, port: listener.port).get()
        } catch {
            let reason = "\(error)".contains("Address already in use") ? "address already in use" : "\(error)"
            throw .io("cannot listen on \(listener.host):\(listener.port): \(reason)")
        }
    }

    /// Whether the listener's own event-loop thread exists (between a successful `start` and `stop`).
    package var holdsEventLoop: Bool { group.withLock { $0 != nil } }

    /// Every listener as bound (port 0 replaced by the port the system chose); empty before `start`.
    public var boundListeners: [KafkaListenerAddress] { bound.withLock { $0 } }

    /// Connected clients right now (the dashboard shows it).
    public var connectionCount: Int { gauges.snapshot.connections }

    /// What the clients hold of the listener now, and the most they have held.
    public var load: ListenerLoad { gauges.snapshot }
    /// Answer times per Kafka API (`wharf_kafka_request_duration_seconds`).
    public var requestLatencies: RequestLatencies { gauges.latencies }
    /// Produce and Fetch by stage (`wharf_kafka_request_stage_duration_seconds`).
    public var requestStageLatencies: RequestStageLatencies { gauges.stages }

    public var listenAddress: String {
        "\(configuration.host):\(broker.advertisedPort)"
    }

    /// Runs the `connections.max.idle.ms` check on every connection now, on the engine's clock,
    /// and returns once each has run (an idle connection is counted and its close begun). The
    /// listener also runs it on its own every second or so; a test calls it after moving a
    /// `ManualClock`, so idle limits are tested without sleeping through them.
    public func closeIdleConnections() async {
        for done in idleConnections.check() { try? await done.get() }
    }

    /// Stops accepting, closes the listener and shuts the event loop down.
    public func stop() async {
        idleChecks.withLock { $0?.cancel(); $0 = nil }
        let open = channels.withLock { c -> [Channel] in
            defer { c = [] }
            return c
        }
        for ch in open { try? await ch.close() }
        // Workers on the loop need it until they return (`EventLoopTaskExecutor`).
        await gauges.workers.finish()
        let group = self.group.withLock { g -> MultiThreadedEventLoopGroup? in
            defer { g = nil }
            return g
        }
        try? await group?.shutdownGracefully()
    }
}
